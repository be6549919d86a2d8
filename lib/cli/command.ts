/**
 * The shape of an oclaw command. Each file in lib/commands exports one {@link Command}; lib/cli/run.ts
 * parses the argument line against its flag table and calls `run`. The table is the one definition of a
 * flag: the parser's options (lib/cli/flags.ts), the `--help` lines and the shell completion all come from it.
 */
import type { OclawError } from "../errors.ts";
import type { Io } from "../io.ts";
import type { Logger } from "../log.ts";

/**
 * One flag, citty-style: what the parser needs and what the user reads, side by side.
 *
 *     model: { type: "string", short: "m", multiple: true, arg: "REF", complete: "model",
 *              help: "Model to use, repeatable" },
 */
export interface Flag {
  /** `boolean` (a switch) or `string` (takes a value). */
  type: "boolean" | "string";
  /** One-letter alias (`-m`). */
  short?: string;
  /** May be given more than once (the values arrive as an array). */
  multiple?: boolean;
  /** The value's name in help (`REF`, `SECONDS`); string flags only (default `VALUE`). */
  arg?: string;
  /**
   * A string flag whose value is optional, git-style (`--think` or `--think=high`): a bare flag means this
   * value. A value must then be attached with `=`, so the next word stays a positional.
   */
  bare?: string;
  /** The help text. Lines after the first (`\n`) are indented under it; keep lines under ~80 columns. */
  help: string;
  /** What the value is, for shell completion: a model ref, a file, a directory, a command name, or one of fixed words. */
  complete?: "model" | "file" | "dir" | "command" | readonly string[];
  /** Parsed but left out of `--help` and completion (kept for compatibility). */
  hidden?: boolean;
}

/** A command's flag table, keyed by the long name (without `--`). */
export type Flags = Record<string, Flag>;

/** A positional argument, for the help text and completion. */
export interface Positional {
  /** Its name in usage and help (`PATH`, `REF`). */
  name: string;
  help: string;
  /** What it is, for shell completion. */
  complete?: Flag["complete"];
}

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
  /** The command's own flags: parser options, help lines and completion in one table. */
  flags?: Flags;
  /** Positional arguments, listed before the flags in `--help`. */
  positionals?: Positional[];
  /** What `--json` prints for this command (shown as the `--json` line of its help). */
  json?: string;
  /**
   * How a failure looks under `--json`: `"event"` for a command whose output is a stream of events (chat,
   * pull): one `{"type":"error",...}` line, which the command writes itself once it runs (lib/cli/run.ts
   * writes it for a failure before, such as a bad flag). Otherwise `{"error":{code,message,hint}}`,
   * written by lib/cli/run.ts for any failure.
   */
  jsonErrors?: "event";
  /** Paragraphs after the options in `--help` (exit codes, where the output goes ...). */
  notes?: string;
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

/** A top-level command as its module exports it: its one-line summary is the command table's (lib/commands/index.ts). */
export type TopLevelCommand = Omit<Command, "summary">;
