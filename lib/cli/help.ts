/**
 * `--help` text for oclaw and each command, rendered from the commands' flag tables (lib/cli/flags.ts).
 */
import type { Command } from "./command.ts";
import { helpLines, optionRows } from "./flags.ts";
import { GLOBAL_FLAGS } from "./global-flags.ts";

function globalHelp(): string {
  return `Global options (accepted anywhere):\n${helpLines(optionRows(GLOBAL_FLAGS))}`;
}

function commandList(commands: Array<{ name: string; summary: string }>): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}\n`).join("");
}

/** The top-level help: what oclaw is and its commands. */
export function rootHelp(commands: Array<{ name: string; summary: string }>): string {
  return `oclaw: talk to Ollama the way OpenClaw's Ollama provider does

Usage: oclaw <command> [options]

Commands:
${commandList(commands)}
${globalHelp()}
Run 'oclaw help <command>' or 'oclaw <command> --help' for a command's options.
`;
}

/** Help for one command (the last of `path`). */
export function commandHelp(path: Command[]): string {
  const command = path.at(-1)!;
  const prefix = path.slice(0, -1).map((c) => c.name).join(" ");
  const usage = `oclaw ${prefix ? prefix + " " : ""}${command.usage}`;
  let text = `${command.summary}\n\nUsage: ${usage}\n`;
  if (command.subcommands?.length) text += `\nCommands:\n${commandList(command.subcommands)}`;
  const rows = optionRows(command.flags, command.positionals, command.json);
  if (rows.length > 0) text += `\nOptions:\n${helpLines(rows)}`;
  if (command.notes !== undefined) text += `\n${command.notes.replace(/\n*$/, "\n")}`;
  return `${text}\n${globalHelp()}`;
}
