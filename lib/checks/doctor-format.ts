/**
 * How doctor shows its checks: aligned lines with the fix under each problem (colour only on a TTY), or
 * one JSON document for `--json`.
 */
import { type Control, paint, type StyledPart, StyledText } from "../terminal.ts";
import { type CheckResult, type CheckStatus, worstStatus } from "./types.ts";

const COLOR: Record<CheckStatus, Control> = { ok: "green", warn: "yellow", fail: "red" };

function label(check: CheckResult): string {
  return check.provider === undefined ? check.name : `${check.name} (${check.provider})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Doctor's text report: one line per check, `fix:` lines under warnings and failures, a summary. */
export function formatDoctorText(checks: CheckResult[], color: boolean): string | StyledText {
  const width = Math.max(...checks.map((c) => label(c).length));
  const parts: StyledPart[] = [];
  for (const c of checks) {
    const status = c.status.padEnd(4);
    if (color) parts.push(...paint(COLOR[c.status], status));
    else parts.push(status);
    parts.push(`  ${label(c).padEnd(width)}  ${c.message}\n`);
    if (c.fix !== undefined) parts.push(`${" ".repeat(6 + width + 2)}fix: ${c.fix}\n`);
  }
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  parts.push(
    `\n${plural(count("ok"), "check")} ok, ${plural(count("warn"), "warning")}, ${plural(count("fail"), "failure")}\n`,
  );
  const text = new StyledText(parts);
  return color ? text : text.toString();
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
