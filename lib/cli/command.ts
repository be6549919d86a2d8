/**
 * The shape of an oclaw command. Each file in lib/commands exports one {@link Command}; lib/cli/run.ts
 * parses the argument line against it and calls `run`.
 */
import type { ParseArgsConfig } from "node:util";
import type { OclawError } from "../errors.ts";
import type { Io } from "../io.ts";
import type { Logger } from "../log.ts";

/** Option specs in node:util parseArgs form. */
export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/** Flags every command accepts, anywhere on the line. */
export interface GlobalFlags {
  config: string | undefined;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
}

/** What a command's `run` receives. */
export interface CommandContext {
  io: Io;
  global: GlobalFlags;
  log: Logger;
  /** The command's own parsed flags (global flags removed). */
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** One command or subcommand. */
export interface Command {
  /** The word that selects it (`chat`, `list`). */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line(s) after `oclaw `, e.g. `chat [options] [PROMPT...]`. */
  usage: string;
  /** Option lines for `--help`, already formatted (`  -m, --model REF   ...`). */
  help?: string;
  /** The command's own flags. */
  options?: OptionSpecs;
  /**
   * String options whose value is optional, git-style (`--think` or `--think=high`): a bare flag means the
   * value given here. A value must then be attached with `=`, so the next word stays a positional.
   */
  optionalValues?: Record<string, string>;
  /**
   * Reports a usage error found while parsing the command's flags, instead of the usual `oclaw: ...` and
   * exit 2 (health keeps its Nagios status line and exit 3). Returns the exit code.
   */
  onUsageError?: (error: OclawError, io: Io, args: string[]) => Promise<number>;
  /** Subcommands; a command with subcommands has no `run` of its own. */
  subcommands?: Command[];
  /** Runs the command; returns the exit code. Throws OclawError for failures. */
  run?: (ctx: CommandContext) => Promise<number>;
}
