/**
 * The text, Nagios and JSON renderings of a health report (Prometheus has its own file).
 */
import type { HealthReport, HealthState } from "./report.ts";

const WORD: Record<HealthState, string> = { ok: "OK", warning: "WARNING", critical: "CRITICAL", unknown: "UNKNOWN" };

/** `OK: ollama 0.12.3 at http://127.0.0.1:11434, ollama/gpt-oss:20b ready (23 ms)` */
export function formatHealthText(report: HealthReport): string {
  return `${WORD[report.state]}: ${report.summary}\n`;
}

/** The number of models installed on the servers that answered, when any answered with a count. */
function modelCount(report: HealthReport): number | undefined {
  const counts = report.servers.filter((s) => s.up && s.modelCount !== undefined).map((s) => s.modelCount!);
  return counts.length === 0 ? undefined : counts.reduce((a, b) => a + b, 0);
}

/**
 * `OCLAW OK - <text> | 'latency'=23ms;500;2000;0 'models'=5;;;0` — the Nagios plugin line with
 * performance data (a measure that could not be taken is left out).
 */
export function formatHealthNagios(report: HealthReport): string {
  const perf: string[] = [];
  if (report.latency !== undefined) {
    perf.push(`'latency'=${Math.round(report.latency.ms)}ms;${report.warnMs};${report.critMs};0`);
  }
  const models = modelCount(report);
  if (models !== undefined) perf.push(`'models'=${models};;;0`);
  // The active candidate's processor and context, when it is loaded.
  const active = report.candidates.find((c) => c.active);
  const gpu = active?.gpuRatio ?? null;
  const { allocated, configured } = active?.context ?? { allocated: null, configured: null };
  if (gpu !== null) perf.push(`'gpu_ratio'=${gpu};;;0;1`);
  if (allocated !== null) perf.push(`'context'=${allocated};;;0`);
  if (configured !== null) perf.push(`'context_configured'=${configured};;;0`);
  // A `|` in the text would start the performance data early.
  const text = report.summary.replace(/\|/g, "/");
  return `OCLAW ${WORD[report.state]} - ${text}${perf.length > 0 ? ` | ${perf.join(" ")}` : ""}\n`;
}

/**
 * `{"status":"ok|warning|critical|unknown","checks":[{"name","status","message","ms"}],"candidates":[…]}`:
 * the candidates in chain order with every fact, `null` where unknown.
 */
export function formatHealthJson(report: HealthReport): string {
  // Every check carries the same keys; `ms` is null for a check that was not timed (config, say).
  const checks = report.checks.map(({ name, status, message, ms }) => ({ name, status, message, ms: ms ?? null }));
  return JSON.stringify({ status: report.state, summary: report.summary, checks, candidates: report.candidates }) + "\n";
}
