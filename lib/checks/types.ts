/**
 * The result of one check, shared by `oclaw doctor` (ok / warn / fail with a fix) and `oclaw health`
 * (mapped onto Nagios states).
 */

/** How a check came out. */
export type CheckStatus = "ok" | "warn" | "fail";

/** One check's outcome, as doctor prints it and `--json` lists it. */
export interface CheckResult {
  /** Stable name: `config`, `config-permissions`, `provider`, `reachable`, `version`, `models`, ... */
  name: string;
  status: CheckStatus;
  /** What was found, one line. */
  message: string;
  /** What to do about it, when the status is not ok (may span lines: commands to run). */
  fix?: string;
  /** The provider the check is about, when it is about one. */
  provider?: string;
  /** How long the check's requests took. */
  ms?: number;
}

const RANK: Record<CheckStatus, number> = { ok: 0, warn: 1, fail: 2 };

/** The worst status among checks (`ok` for none). */
export function worstStatus(checks: Iterable<{ status: CheckStatus }>): CheckStatus {
  let worst: CheckStatus = "ok";
  for (const check of checks) if (RANK[check.status] > RANK[worst]) worst = check.status;
  return worst;
}

/** Builds a check result, leaving out `fix` and `provider` when not given. */
export function check(
  name: string,
  status: CheckStatus,
  message: string,
  extra: { fix?: string | undefined; provider?: string | undefined; ms?: number | undefined } = {},
): CheckResult {
  const result: CheckResult = { name, status, message };
  if (extra.fix !== undefined && status !== "ok") result.fix = extra.fix;
  if (extra.provider !== undefined) result.provider = extra.provider;
  if (extra.ms !== undefined) result.ms = Math.round(extra.ms * 10) / 10;
  return result;
}
