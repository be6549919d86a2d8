/**
 * `oclaw logs [-n N] [--session NAME] [--json]`: the last N runs of `oclaw chat` from the run log, oldest
 * first: a short readable block per run, or with `--json` each logged line as it is (one object a line).
 */
import type { Flags, TopLevelCommand } from "../cli/command.ts";
import type { CommandContext } from "../cli/command.ts";
import { logFile, type ReadEntry, readRunLog } from "../chat/run-log.ts";
import { checkSessionName } from "../chat/sessions.ts";
import { EXIT, usageError } from "../errors.ts";

const FLAGS: Flags = {
  count: { type: "string", short: "n", arg: "N", help: "How many runs to show, the last ones (default 10)" },
  session: { type: "string", arg: "NAME", help: "Only the runs of this session" },
};

/** The default number of runs shown. */
export const DEFAULT_COUNT = 10;

function oneLine(text: string, max = 160): string {
  // Control characters are shown, not obeyed, by the terminal edge (lib/terminal.ts).
  const flat = text.trim().replace(/\s*\n\s*/g, " ⏎ ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function lastUserText(entry: ReadEntry): string {
  for (let i = entry.messages.length - 1; i >= 0; i--) {
    const m = entry.messages[i] as { role?: unknown; content?: unknown };
    if (m?.role === "user" && typeof m.content === "string") return m.content;
    if (m?.role === "tool" && typeof m.content === "string") return `(tool result) ${m.content}`;
  }
  return "";
}

/** The readable block of one run. */
export function formatEntry(entry: ReadEntry): string {
  const head = [entry.time.replace(/\.\d+Z$/, "Z"), entry.model ?? entry.candidates.at(-1) ?? "(no model)"];
  if (entry.session !== undefined) head.push(`session ${entry.session}`);
  head.push(`exit ${entry.exitCode}`);
  if (entry.durationMs !== undefined) head.push(`${(entry.durationMs / 1000).toFixed(1)} s`);
  if (entry.usage !== undefined) head.push(`${entry.usage.inputTokens}→${entry.usage.outputTokens} tokens`);
  let text = `${head.join("  ")}\n`;
  const asked = lastUserText(entry);
  if (asked !== "") text += `  > ${oneLine(asked)}\n`;
  if (entry.reply !== "") text += `  < ${oneLine(entry.reply)}\n`;
  for (const call of entry.toolCalls ?? []) text += `  < ${oneLine(`${call.name} ${JSON.stringify(call.arguments)}`)}\n`;
  if (entry.error !== undefined) text += `  ! ${entry.error.code}: ${oneLine(entry.error.message)}\n`;
  return text;
}

async function runLogs(ctx: CommandContext): Promise<number> {
  const { io, values, global } = ctx;
  if (ctx.positionals.length > 0) throw usageError(`logs takes no arguments, got '${ctx.positionals[0]}'`, "oclaw logs -n 5");
  const nText = typeof values.count === "string" ? values.count : String(DEFAULT_COUNT);
  const count = Number(nText);
  if (!/^\d+$/.test(nText.trim()) || count < 1) throw usageError(`Invalid -n '${nText}': expected a whole number of runs, 1 or more`);
  const session = typeof values.session === "string" ? checkSessionName(values.session) : undefined;
  const all = await readRunLog(io);
  const chosen = (session === undefined ? all : all.filter((e) => e.session === session)).slice(-count);
  if (global.json) {
    await io.stdout.write(chosen.map((e) => `${JSON.stringify(e)}\n`).join(""));
    return EXIT.ok;
  }
  if (chosen.length === 0) {
    if (!global.quiet) await io.stderr.write(`oclaw: no runs logged${session === undefined ? "" : ` for session ${session}`} (${logFile(io)})\n`);
    return EXIT.ok;
  }
  await io.stdout.write(chosen.map(formatEntry).join("\n"));
  return EXIT.ok;
}

/** The `logs` command. */
export const logsCommand: TopLevelCommand = {
  name: "logs",
  usage: "logs [-n N] [--session NAME]",
  flags: FLAGS,
  json: "Each run's log line as written, one JSON object a line",
  notes: `Runs of 'oclaw chat', oldest of the last N first, from $XDG_STATE_HOME/oclaw/log.jsonl (and the
rotated log.jsonl.1). Turn logging off with 'oclaw chat --no-log' or OCLAW_LOG=off.`,
  run: runLogs,
};
