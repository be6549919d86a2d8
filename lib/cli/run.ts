/**
 * The command line: finds the command, parses flags (global ones anywhere), runs it, and turns any error
 * into `oclaw: <message>` / `hint: <fix>` on stderr and an exit code. Never prints a stack trace.
 */
import { parseArgs } from "node:util";
import { causeChain, EXIT, exitCodeFor, OclawError, toOclawError, usageError } from "../errors.ts";
import type { Io } from "../io.ts";
import { createLogger } from "../log.ts";
import { versionLine } from "../version.ts";
import type { Command, GlobalFlags } from "./command.ts";
import { applyBareValues, type OptionSpecs, parseOptions } from "./flags.ts";
import { GLOBAL_FLAGS } from "./global-flags.ts";
import { builtins, type LazyCommand } from "./builtins.ts";
import { commandHelp, rootHelp } from "./help.ts";
import { closest } from "../suggest.ts";
import { COMMANDS } from "../commands/index.ts";

/** Every top-level command: oclaw's own, then the command line's (help, completion). */
const TABLE: LazyCommand[] = [
  ...COMMANDS,
  ...builtins({
    all: () => Promise.all(TABLE.map((entry) => entry.load())),
    helpFor: async (words) => {
      const { path, rest } = await findCommand(words);
      const stray = rest.find((word) => !word.startsWith("-"));
      if (stray !== undefined) throw unknownCommand(path, stray);
      return path.length === 0 ? rootHelp(TABLE) : commandHelp(path);
    },
  }),
];

/** "Unknown command", with the closest command as a hint when the word looks like a typo of one. */
function unknownCommand(path: Command[], word: string): OclawError {
  const names = path.length === 0 ? TABLE.map((c) => c.name) : (path.at(-1)!.subcommands ?? []).map((c) => c.name);
  const prefix = path.map((c) => c.name).join(" ");
  const full = prefix === "" ? word : `${prefix} ${word}`;
  const guess = closest(word, names);
  if (guess !== undefined) return usageError(`Unknown command '${full}'`, `Did you mean '${prefix === "" ? guess : `${prefix} ${guess}`}'?`);
  return usageError(
    `Unknown command '${full}'`,
    prefix === "" ? "Run 'oclaw --help' for the list of commands" : `Run 'oclaw ${prefix} --help'`,
  );
}

/** Finds (and loads) the command and subcommand named by the first non-flag words of argv. */
async function findCommand(argv: string[]): Promise<{ path: Command[]; rest: string[] }> {
  const path: Command[] = [];
  const rest: string[] = [];
  let choices: Array<Command | LazyCommand> | undefined = TABLE;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (choices && !arg.startsWith("-")) {
      const found: Command | LazyCommand | undefined = choices.find((c) => c.name === arg);
      if (found) {
        const command: Command = "load" in found ? await found.load() : found;
        path.push(command);
        choices = command.subcommands;
        continue;
      }
      choices = undefined;
    }
    rest.push(arg);
    // The value of `--config PATH` is not a command word.
    if (arg === "--config" && i + 1 < argv.length) rest.push(argv[++i]!);
  }
  return { path, rest };
}

/** node:util parseArgs' message, cut to one line (it explains `--opt=-value` in three). */
function parseArgsMessage(message: string): string {
  const ambiguous = /^Option '(--[^']+)' argument is ambiguous/.exec(message);
  if (ambiguous) return `Option '${ambiguous[1]}' is followed by a word starting with '-'; write it as ${ambiguous[1]}=VALUE`;
  return message.replace(/\. To specify a positional argument.*$/s, "").split("\n")[0]!.replace(/\.$/, "");
}

function colorEnabled(io: Io, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if ((io.env.NO_COLOR ?? "") !== "") return false;
  if (io.env.TERM === "dumb") return false;
  return io.stdout.isTTY;
}

/**
 * Runs oclaw with the given arguments (without the program name) and returns the exit code.
 */
export async function run(argv: string[], io: Io): Promise<number> {
  const { path, rest } = await findCommand(argv);
  const command = path.at(-1);
  const commandName = path.map((c) => c.name).join(" ");
  let verbose = argv.includes("-v") || argv.includes("--verbose");
  let global: GlobalFlags | undefined;
  // Until the flags are parsed (a bad flag is a failure too), --json is looked for by hand.
  let json = rest.slice(0, rest.includes("--") ? rest.indexOf("--") : undefined).includes("--json");
  let started = false;
  try {
    const options: OptionSpecs = { ...parseOptions(GLOBAL_FLAGS), ...parseOptions(command?.flags) };
    let parsed;
    const bare = applyBareValues(rest, command?.flags);
    try {
      parsed = parseArgs({ args: bare.args, options, allowPositionals: true, strict: true });
    } catch (error) {
      throw usageError(
        parseArgsMessage((error as Error).message),
        `Run 'oclaw ${commandName ? commandName + " " : ""}--help' for usage`,
      );
    }
    const values = parsed.values as Record<string, string | boolean | string[] | boolean[] | undefined>;
    verbose = values.verbose === true;
    json = values.json === true;
    const noColor = values["no-color"] === true;
    global = {
      config: values.config as string | undefined,
      json: values.json === true,
      quiet: values.quiet === true,
      verbose,
      // Asked only by output that has colour (whether stdout is a terminal is a syscall or two).
      get color() {
        return colorEnabled(io, noColor);
      },
    };
    if (values.version === true) {
      await io.stdout.write((await versionLine()) + "\n");
      return EXIT.ok;
    }
    if (values.help === true || command === undefined) {
      if (command === undefined && parsed.positionals.length > 0) throw unknownCommand(path, parsed.positionals[0]!);
      // Asked for, help is data (stdout); shown because the command was missing, it is talk (stderr).
      const help = command === undefined ? rootHelp(TABLE) : commandHelp(path);
      if (values.help === true) {
        await io.stdout.write(help);
        return EXIT.ok;
      }
      await io.stderr.write(help);
      return EXIT.usage;
    }
    if (command.run === undefined) {
      const word = parsed.positionals[0];
      if (word !== undefined) throw unknownCommand(path, word);
      await io.stderr.write(commandHelp(path));
      return EXIT.usage;
    }
    for (const key of Object.keys(GLOBAL_FLAGS)) delete values[key];
    const log = createLogger(io.stderr, verbose);
    if (!global.quiet) for (const warning of bare.warnings) await io.stderr.write(`oclaw: warning: ${warning}\n`);
    started = true;
    return await command.run({ io, global, log, values, positionals: parsed.positionals });
  } catch (caught) {
    if (caught instanceof OclawError && caught.code === "E_USAGE" && command?.onUsageError) {
      return await command.onUsageError(caught, io, rest);
    }
    // With --json every failure is JSON on stdout too; a command that writes events writes its own once running.
    if (json && !(started && command?.jsonErrors === "event")) {
      const error = toOclawError(caught).toJSON();
      const line = command?.jsonErrors === "event" ? { type: "error", ...error } : { error };
      await io.stdout.write(`${JSON.stringify(line)}\n`);
    }
    return await reportError(io, caught, verbose);
  }
}

/** Prints an error the way users see every error, and returns its exit code. */
export async function reportError(io: Io, caught: unknown, verbose: boolean): Promise<number> {
  const error = toOclawError(caught);
  let text = `oclaw: ${error.message}\n`;
  if (error.hint) text += `hint: ${error.hint}\n`;
  if (verbose) {
    text += `  code: ${error.code}\n`;
    for (const line of causeChain(error)) text += `  caused by: ${line}\n`;
  } else if (error.code === "E_INTERNAL") {
    text += "hint: Run again with -v for details\n";
  }
  await io.stderr.write(text);
  return caught instanceof OclawError || error.code !== "E_INTERNAL" ? exitCodeFor(error) : EXIT.failure;
}
