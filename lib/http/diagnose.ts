/**
 * Why a request got no answer, asked of the network only when it matters: a request with no answer after
 * {@link CHECK_AFTER_MS} gets a TCP connect check beside it (a black-holed port fails within the connect
 * timeout, while a slow model load is never cut off), and a failed request gets one to say why it failed
 * (refused, timed out, or the server closed the connection). A quick answer costs nothing extra.
 */
import { OclawError } from "../errors.ts";
import { errnoCode, isLoopbackHost } from "../net/host.ts";
import { abortError } from "./abort.ts";
import type { HttpContext } from "./context.ts";
import { errorHint } from "./failure-hints.ts";

/** Default time to open a TCP connection. A black-holed port fails after this. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** How long a request waits for its answer before a connect check starts beside it. */
export const CHECK_AFTER_MS = 200;

/** Opens a TCP connection to `address:port` and closes it; rejects with the socket's error (errno code). */
async function connectCheck(address: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
  // Loaded only when a check runs: in the compiled binary node:net costs several ms of start-up.
  const net = await import("node:net");
  return await new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = net.connect({ host: address, port });
    const done = (error?: unknown) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => done(signal.reason ?? new Error("aborted"));
    const timer = setTimeout(
      () => done(Object.assign(new Error(`connect timed out after ${timeoutMs} ms`), { code: "ETIMEDOUT" })),
      timeoutMs,
    );
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => done());
    socket.once("error", (error) => done(error));
  });
}

/**
 * Checks that the server's port takes a connection within `timeoutMs`; resolves to the OclawError that says
 * why not (E_UNREACHABLE, or the abort's error), or undefined when it does.
 */
export async function reachability(
  ctx: HttpContext,
  url: URL,
  address: string,
  timeoutMs: number,
  connectTimeoutMs: number,
  signal: AbortSignal,
  service: string,
): Promise<OclawError | undefined> {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const started = ctx.now();
  try {
    await connectCheck(address, port, timeoutMs, signal);
  } catch (error) {
    if (signal.aborted) return abortError(signal);
    return unreachable(url, service, error, connectTimeoutMs);
  }
  ctx.reachable.add(url.origin);
  ctx.log.debug(`connected to ${url.host} (${address}) in ${(ctx.now() - started).toFixed(1)} ms`);
  return undefined;
}

/**
 * Watches a request in flight: if it has no answer after {@link CHECK_AFTER_MS} (less for a short connect
 * timeout), a connect check starts, and when the port does not take the connection within what is left of
 * the connect timeout, `signal` aborts with the reason. `stop` ends the watch once the request settled.
 */
export function watchConnection(
  ctx: HttpContext,
  url: URL,
  address: string,
  connectTimeoutMs: number,
  service: string,
  caller: AbortSignal | undefined,
): { signal: AbortSignal; stop: () => void } {
  const controller = new AbortController();
  const started = ctx.now();
  // Made only when the check starts: a request answered in time costs a timer and nothing else.
  let running: AbortController | undefined;
  const timer = setTimeout(async () => {
    running = new AbortController();
    const check = caller ? AbortSignal.any([caller, running.signal]) : running.signal;
    const left = Math.max(1, connectTimeoutMs - (ctx.now() - started));
    const failure = await reachability(ctx, url, address, left, connectTimeoutMs, check, service);
    if (failure !== undefined && !check.aborted) controller.abort(failure);
  }, Math.min(CHECK_AFTER_MS, connectTimeoutMs / 2));
  return {
    signal: controller.signal,
    stop: () => {
      clearTimeout(timer);
      running?.abort("the request settled");
    },
  };
}

function unreachable(url: URL, service: string, error: unknown, timeoutMs: number): OclawError {
  const code = errnoCode(error);
  if (code === "ETIMEDOUT") {
    return new OclawError(
      "E_UNREACHABLE",
      `Cannot reach ${service} at ${url.origin}: connection timed out after ${timeoutMs / 1000} s`,
      { cause: error, url: url.origin, hint: errorHint("connect-timeout") },
    );
  }
  if (code === "ECONNREFUSED") {
    return new OclawError("E_UNREACHABLE", `Cannot reach ${service} at ${url.origin}: connection refused`, {
      cause: error,
      url: url.origin,
      hint: errorHint(
        isLoopbackHost(url.hostname) ? "refused-local" : "refused-remote",
        url.port || (url.protocol === "https:" ? "443" : "80"),
      ),
    });
  }
  const detail = code ? `${error instanceof Error ? error.message : String(error)}` : String(error);
  return new OclawError("E_UNREACHABLE", `Cannot reach ${service} at ${url.origin}: ${detail}`, {
    cause: error,
    url: url.origin,
  });
}
