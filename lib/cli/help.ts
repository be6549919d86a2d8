/**
 * `--help` text for oclaw and each command.
 */
import type { Command } from "./command.ts";

const GLOBAL_HELP = `Global options (accepted anywhere):
      --config PATH   Config file (default: $OPENCLAW_CONFIG_PATH, $OPENCLAW_STATE_DIR/openclaw.json,
                      ~/.openclaw/openclaw.json)
      --json          Machine-readable output on stdout
  -q, --quiet         Less talk on stderr
  -v, --verbose       Requests, timings and decisions on stderr (secrets redacted)
      --no-color      No colour (also NO_COLOR, TERM=dumb, or output not a terminal)
  -h, --help          Help for a command
  -V, --version       Version, commit, runtime and platform
`;

/** The top-level help: what oclaw is and its commands. */
export function rootHelp(commands: Array<{ name: string; summary: string }>): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return `oclaw: talk to Ollama the way OpenClaw's Ollama provider does

Usage: oclaw <command> [options]

Commands:
${lines.join("\n")}

${GLOBAL_HELP}
Run 'oclaw <command> --help' for a command's options.
`;
}

/** Help for one command (the last of `path`). */
export function commandHelp(path: Command[]): string {
  const command = path.at(-1)!;
  const prefix = path.slice(0, -1).map((c) => c.name).join(" ");
  const usage = `oclaw ${prefix ? prefix + " " : ""}${command.usage}`;
  let text = `${command.summary}\n\nUsage: ${usage}\n`;
  if (command.subcommands?.length) {
    const width = Math.max(...command.subcommands.map((c) => c.name.length)) + 2;
    text += `\nCommands:\n${command.subcommands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join("\n")}\n`;
  }
  if (command.help) text += `\nOptions:\n${command.help.replace(/\n*$/, "\n")}`;
  return `${text}\n${GLOBAL_HELP}`;
}
