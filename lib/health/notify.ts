/**
 * Telling a push monitor after the check: `--ping URL` in the healthchecks.io convention (`POST URL` with
 * the status line as body on OK or WARNING, `POST URL/fail` on CRITICAL or UNKNOWN) and `--push URL` for an
 * Uptime Kuma push monitor (`GET URL?status=up|down&msg=<line>&ping=<ms>`). A notification that fails is a
 * warning on stderr; it never changes the exit code.
 *
 * A failure that may pass (refused, reset, 429, 5xx) is tried again (lib/retry.ts's NOTIFY_RETRY): a lost
 * ping can raise a false "down" alert at the monitor, and one sent twice does no harm (a ping only records
 * the run). All the tries share one budget, NOTIFY_TIMEOUT_MS, so a monitor that is down or hangs holds the
 * check's exit (its verdict is already printed) no longer than one try did before.
 */
import { deadline } from "../http/abort.ts";
import type { HttpContext } from "../http/context.ts";
import { request } from "../http/request.ts";
import { OclawError, toOclawError, usageError } from "../errors.ts";
import { NOTIFY_RETRY, retry } from "../retry.ts";
import type { HealthReport } from "./report.ts";

/** Time allowed for one notification, connects, tries and the waits between them included. */
export const NOTIFY_TIMEOUT_MS = 10_000;

/**
 * Reads a `--ping`/`--push` URL.
 * @throws OclawError E_USAGE for anything but an http(s) URL
 */
export function notifyUrl(value: string, flag: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw usageError(`Invalid ${flag} '${value}': expected an http:// or https:// URL`, "Run 'oclaw health --help'");
  }
  return url;
}

/** Where and how the healthchecks.io ping goes for this report. */
export function pingRequest(base: URL, report: HealthReport): { url: URL; body: string } {
  const url = new URL(base);
  const up = report.state === "ok" || report.state === "warning";
  if (!up) url.pathname = `${url.pathname.replace(/\/+$/, "")}/fail`;
  return { url, body: statusLine(report) };
}

/** The Uptime Kuma push URL for this report (its `status`, `msg` and `ping` set, other parameters kept). */
export function pushUrl(base: URL, report: HealthReport): URL {
  const url = new URL(base);
  url.searchParams.set("status", report.state === "ok" || report.state === "warning" ? "up" : "down");
  url.searchParams.set("msg", statusLine(report));
  if (report.latency !== undefined) url.searchParams.set("ping", String(Math.round(report.latency.ms)));
  else url.searchParams.delete("ping");
  return url;
}

const WORD = { ok: "OK", warning: "WARNING", critical: "CRITICAL", unknown: "UNKNOWN" } as const;

function statusLine(report: HealthReport): string {
  return `${WORD[report.state]}: ${report.summary}`;
}

/**
 * Sends one notification, tried again per NOTIFY_RETRY within NOTIFY_TIMEOUT_MS in all; the problem as a
 * one-line warning, or undefined when the monitor took it.
 */
export async function notify(
  http: HttpContext,
  what: "ping" | "push",
  target: { url: URL; body?: string },
  signal: AbortSignal,
): Promise<string | undefined> {
  const shown = `${target.url.origin}${target.url.pathname}`;
  const limit = deadline(NOTIFY_TIMEOUT_MS, () => new OclawError("E_TIMEOUT", `no answer within ${NOTIFY_TIMEOUT_MS / 1000} s`));
  const bounded = AbortSignal.any([signal, limit]);
  let tries = 0;
  try {
    await retry(async () => {
      tries++;
      const response = await request(http, target.url, {
        method: target.body === undefined ? "GET" : "POST",
        ...(target.body === undefined ? {} : { text: target.body }),
        signal: bounded,
        service: `the ${what} monitor`,
      });
      await response.body?.cancel().catch(() => {});
      if (!response.ok) throw new OclawError("E_HTTP", `HTTP ${response.status}`, { status: response.status });
    }, NOTIFY_RETRY, {
      signal: bounded,
      onRetry: (error, _retry, ms) => http.log.debug(`${what} to ${shown}: ${toOclawError(error).message}; again in ${ms} ms`),
    });
    return undefined;
  } catch (error) {
    return `${what} to ${shown} failed: ${toOclawError(error).message}${tries > 1 ? ` (${tries} tries)` : ""}`;
  }
}
