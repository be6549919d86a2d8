/**
 * `--stats`: the figures `ollama run --verbose` prints after a reply, in its layout, on stderr.
 */
import type { RunEvent } from "../client/events.ts";

type Done = Extract<RunEvent, { type: "done" }>;

/** A duration the way Go's time.Duration prints it (`1.234567s`, `41.295167ms`, `850µs`). */
export function goDuration(ms: number): string {
  const ns = Math.round(ms * 1e6);
  if (ns === 0) return "0s";
  const trim = (value: number, digits: number) => value.toFixed(digits).replace(/\.?0+$/, "");
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${trim(ns / 1e3, 3)}µs`;
  if (ns < 1e9) return `${trim(ns / 1e6, 6)}ms`;
  if (ns < 60e9) return `${trim(ns / 1e9, 9)}s`;
  const minutes = Math.floor(ns / 60e9);
  const rest = ns - minutes * 60e9;
  if (minutes < 60) return `${minutes}m${trim(rest / 1e9, 9)}s`;
  return `${Math.floor(minutes / 60)}h${minutes % 60}m${trim(rest / 1e9, 9)}s`;
}

/** The `--stats` lines for a finished reply (only the figures the server reported). */
export function formatStats(done: Done): string {
  const { timings, usage } = done;
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`${`${label}:`.padEnd(22)}${value}`);
  const rate = (count: number, ms: number | undefined) =>
    ms !== undefined && ms > 0 ? `${(count / (ms / 1000)).toFixed(2)} tokens/s` : undefined;
  if (timings.totalMs !== undefined) row("total duration", goDuration(timings.totalMs));
  if (timings.loadMs !== undefined) row("load duration", goDuration(timings.loadMs));
  if (usage !== undefined) row("prompt eval count", `${usage.inputTokens} token(s)`);
  if (timings.promptEvalMs !== undefined) row("prompt eval duration", goDuration(timings.promptEvalMs));
  const promptRate = usage === undefined ? undefined : rate(usage.inputTokens, timings.promptEvalMs);
  if (promptRate !== undefined) row("prompt eval rate", promptRate);
  if (usage !== undefined) row("eval count", `${usage.outputTokens} token(s)`);
  if (timings.evalMs !== undefined) row("eval duration", goDuration(timings.evalMs));
  if (timings.tokensPerSecond !== undefined) row("eval rate", `${timings.tokensPerSecond.toFixed(2)} tokens/s`);
  // Not in Ollama's list, but what a user on a slow host waits for.
  if (timings.firstTokenMs !== undefined) row("time to first token", goDuration(timings.firstTokenMs));
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}
