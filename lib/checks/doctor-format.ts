/**
 * How doctor shows its checks: aligned lines with the fix under each problem (colour only on a TTY), or
 * one JSON document for `--json`.
 */
import { type CheckResult, type CheckStatus, worstStatus } from "./types.ts";

const COLOR: Record<CheckStatus, string> = { ok: "\x1b[32m", warn: "\x1b[33m", fail: "\x1b[31m" };
const RESET = "\x1b[0m";

function label(check: CheckResult): string {
  return check.provider === undefined ? check.name : `${check.name} (${check.provider})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Doctor's text report: one line per check, `fix:` lines under warnings and failures, a summary. */
export function formatDoctorText(checks: CheckResult[], color: boolean): string {
  const width = Math.max(...checks.map((c) => label(c).length));
  const paint = (status: CheckStatus, text: string) => (color ? `${COLOR[status]}${text}${RESET}` : text);
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${paint(c.status, c.status.padEnd(4))}  ${label(c).padEnd(width)}  ${c.message}`);
    if (c.fix !== undefined) lines.push(`${" ".repeat(6 + width + 2)}fix: ${c.fix}`);
  }
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  lines.push("");
  lines.push(
    `${plural(count("ok"), "check")} ok, ${plural(count("warn"), "warning")}, ${plural(count("fail"), "failure")}`,
  );
  return lines.join("\n") + "\n";
}

/** Doctor's `--json` report: `{"status","checks":[{name,status,message,fix,provider?,ms?}]}`. */
export function formatDoctorJson(checks: CheckResult[]): string {
  const list = checks.map((c) => {
    const out: Record<string, unknown> = { name: c.name, status: c.status, message: c.message, fix: c.fix ?? null };
    if (c.provider !== undefined) out.provider = c.provider;
    if (c.ms !== undefined) out.ms = c.ms;
    return out;
  });
  return JSON.stringify({ status: worstStatus(checks), checks: list }) + "\n";
}
