/**
 * `oclaw help --man`: the manual page, in roff, from the same command table and flag tables as `--help`.
 */
import { VERSION } from "../version.ts";
import type { Command, Flag } from "./command.ts";
import { flagSyntax } from "./flags.ts";
import { GLOBAL_FLAGS } from "./global-flags.ts";

/** Text made safe for roff: backslashes and hyphens escaped, no line starting with a control character. */
function roff(text: string): string {
  return text.replaceAll("\\", "\\e").replaceAll("-", "\\-").split("\n").map((l) => (/^[.']/.test(l) ? `\\&${l}` : l)).join("\n");
}

function flagItems(flags: Record<string, Flag>): string {
  return Object.entries(flags).filter(([, f]) => f.hidden !== true)
    .map(([name, f]) => `.TP\n.B ${roff(flagSyntax(name, f).trim())}\n${roff(f.help.replaceAll("\n", " "))}\n`).join("");
}

function section(command: Command, words: string[]): string {
  const name = [...words, command.name].join(" ");
  let text = `.SS "oclaw ${roff([...words, command.usage].join(" "))}"\n${roff(command.summary)}\n`;
  for (const p of command.positionals ?? []) text += `.TP\n.I ${roff(p.name)}\n${roff(p.help)}\n`;
  if (command.flags !== undefined) text += flagItems(command.flags);
  if (command.json !== undefined) text += `.TP\n.B \\-\\-json\n${roff(command.json.replaceAll("\n", " "))}\n`;
  if (command.notes !== undefined) text += `.PP\n${roff(command.notes)}\n`;
  for (const sub of command.subcommands ?? []) text += section(sub, name.split(" "));
  return text;
}

/** The whole manual page. */
export function manPage(commands: Command[]): string {
  const version = VERSION;
  return `.TH OCLAW 1 "" "oclaw ${roff(version)}" "User Commands"
.SH NAME
oclaw \\- talk to Ollama the way OpenClaw's Ollama provider does
.SH SYNOPSIS
.B oclaw
.I command
[\\fIoptions\\fR]
.SH DESCRIPTION
One binary that reads OpenClaw's config, discovers the tool\\-capable models Ollama serves, streams chat
replies, falls back across models and hosts, diagnoses a set\\-up and answers health checks.
Data goes to stdout, everything else to stderr.
.SH GLOBAL OPTIONS
${flagItems(GLOBAL_FLAGS)}.SH COMMANDS
${commands.map((c) => section(c, [])).join("")}.SH EXIT STATUS
0 success, 1 failure, 2 usage, 3 config invalid, 4 unreachable, 5 model not found, 124 \\-\\-timeout,
130 interrupted (health: the Nagios plugin codes 0\\-3).
.SH FILES
.TP
.I ~/.openclaw/openclaw.json
the config (also \\fB$OPENCLAW_CONFIG_PATH\\fR, \\fB$OPENCLAW_STATE_DIR\\fR/openclaw.json)
.TP
.I ~/.cache/oclaw/
the discovery cache (\\fB$XDG_CACHE_HOME\\fR)
`;
}
