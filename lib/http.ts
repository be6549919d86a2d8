/**
 * Every HTTP request oclaw makes goes through {@link request}: a DNS lookup of our own (so a failure says
 * EAI_AGAIN or ENOTFOUND in Bun and Deno alike), then fetch, then non-2xx answers turned into errors.
 * Whether the server's port takes connections is asked only when it matters: a request with no answer
 * after {@link CHECK_AFTER_MS} gets a TCP connect check beside it (a black-holed port fails within the
 * connect timeout, while a slow model load is never cut off), and a failed request gets one to say why it
 * failed (refused, timed out, or the server closed the connection). A quick answer costs nothing extra.
 */
import { OclawError } from "./errors.ts";
import type { Fetch, Io, Lookup } from "./io.ts";
import type { Logger } from "./log.ts";

/** Default time to open a TCP connection. A black-holed port fails after this. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** How long a request waits for its answer before a connect check starts beside it. */
export const CHECK_AFTER_MS = 200;

/** What {@link request} needs from the outside world; one per command run (it remembers what it learnt). */
export interface HttpContext {
  fetch: Fetch;
  lookup: Lookup;
  log: Logger;
  now: () => number;
  /** Host names looked up in this run: origin → the lookup's address (a failed lookup is forgotten). */
  addresses: Map<string, Promise<string>>;
  /** Origins that answered, or took a connection, in this run: their later requests need no check. */
  reachable: Set<string>;
}

/** Builds the HTTP context for a command run. */
export function httpContext(io: Io, log: Logger): HttpContext {
  return { fetch: io.fetch, lookup: io.lookup, log, now: () => io.now(), addresses: new Map(), reachable: new Set() };
}

/** Options for one request. */
export interface RequestOptions {
  method?: "GET" | "POST" | "HEAD" | "DELETE";
  /** Sent as JSON. */
  json?: unknown;
  headers?: Record<string, string>;
  /** Time to open the connection (default 5 s). */
  connectTimeoutMs?: number;
  /** Time from sending the request to the response headers; none by default (cold loads take minutes). */
  headersTimeoutMs?: number;
  /** The caller's abort: Ctrl-C, the run's `--timeout`. Its `reason`, when an OclawError, is thrown as is. */
  signal?: AbortSignal;
  /** Return non-2xx responses instead of throwing (doctor inspects them). */
  acceptAnyStatus?: boolean;
  /** What is being talked to, for messages ("Ollama", "vllm"). */
  service?: string;
}

/** True for a DNS failure that may pass by itself (a resolver restarting): worth retrying. */
export function isTransientDns(error: unknown): boolean {
  return error instanceof OclawError && error.code === "E_DNS" &&
    (error.cause as { code?: unknown } | undefined)?.code === "EAI_AGAIN";
}

/** True when the host is this machine (the fix for "refused" differs: start Ollama vs. expose it). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\./.test(h) || h.endsWith(".localhost");
}

function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** An abort reason as the error to throw: ours as is, anything else as E_ABORTED. */
export function abortError(signal: AbortSignal): OclawError {
  const reason: unknown = signal.reason;
  if (reason instanceof OclawError) return reason;
  return new OclawError("E_ABORTED", "Interrupted", { cause: reason });
}

/** An AbortSignal that fires after `ms` with the given OclawError as its reason. */
export function deadline(ms: number, error: () => OclawError): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(error()), ms);
  // Do not keep the process alive for a deadline nobody waits on any more.
  (timer as { unref?: () => void }).unref?.();
  return controller.signal;
}

/** Waits `ms`; rejects with the abort's error as soon as `signal` aborts (retry backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** True for an IPv4 or IPv6 address (a URL's hostname without brackets), which needs no lookup. */
export function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

/** The address the URL's host resolves to, looked up once per run and origin (a failure is not kept). */
function resolveHost(ctx: HttpContext, url: URL, service: string): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIpAddress(host)) return Promise.resolve(host);
  let found = ctx.addresses.get(url.origin);
  if (found === undefined) {
    found = lookupOnce(ctx, url, host, service);
    ctx.addresses.set(url.origin, found);
    // A retry (DNS backoff) must ask the resolver again.
    found.catch(() => ctx.addresses.delete(url.origin));
  }
  return found;
}

async function lookupOnce(ctx: HttpContext, url: URL, host: string, service: string): Promise<string> {
  try {
    const addresses = await ctx.lookup(host);
    if (addresses[0] === undefined) throw Object.assign(new Error(`No address for ${host}`), { code: "ENODATA" });
    return addresses[0];
  } catch (error) {
    const code = errnoCode(error);
    const transient = code === "EAI_AGAIN";
    throw new OclawError(
      "E_DNS",
      `Cannot reach ${service} at ${url.origin}: DNS lookup of ${host} failed${code ? ` (${code})` : ""}`,
      {
        cause: error,
        url: url.origin,
        hint: transient
          ? "The resolver failed temporarily; on Ubuntu with systemd-resolved, see the README's DNS section"
          : `Check the host name in the base URL or OLLAMA_HOST`,
      },
    );
  }
}

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
async function reachability(
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
function watchConnection(
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
  const loopback = isLoopbackHost(url.hostname);
  if (code === "ETIMEDOUT") {
    return new OclawError(
      "E_UNREACHABLE",
      `Cannot reach ${service} at ${url.origin}: connection timed out after ${timeoutMs / 1000} s`,
      { cause: error, url: url.origin, hint: "A firewall may be dropping traffic to that port; check it on both hosts" },
    );
  }
  if (code === "ECONNREFUSED") {
    return new OclawError("E_UNREACHABLE", `Cannot reach ${service} at ${url.origin}: connection refused`, {
      cause: error,
      url: url.origin,
      hint: loopback
        ? "Start Ollama with 'ollama serve' (or 'systemctl start ollama')"
        : "Ollama listens on 127.0.0.1 only by default: on that host set OLLAMA_HOST=0.0.0.0, restart it, " +
          "and firewall port 11434",
    });
  }
  const detail = code ? `${error instanceof Error ? error.message : String(error)}` : String(error);
  return new OclawError("E_UNREACHABLE", `Cannot reach ${service} at ${url.origin}: ${detail}`, {
    cause: error,
    url: url.origin,
  });
}

/**
 * Sends one HTTP request and returns the response once its headers arrived.
 * @throws OclawError E_DNS, E_UNREACHABLE, E_TIMEOUT, E_ABORTED (or the signal's own reason), and for
 *   non-2xx answers the error {@link httpError} reads from the body.
 */
export async function request(ctx: HttpContext, url: string | URL, options: RequestOptions = {}): Promise<Response> {
  const target = new URL(url);
  const service = options.service ?? "Ollama";
  const method = options.method ?? (options.json === undefined ? "GET" : "POST");
  if (options.signal?.aborted) throw abortError(options.signal);
  const address = await resolveHost(ctx, target, service);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;

  const signals: AbortSignal[] = [];
  if (options.signal) signals.push(options.signal);
  if (options.headersTimeoutMs !== undefined) {
    const ms = options.headersTimeoutMs;
    signals.push(deadline(ms, () =>
      new OclawError("E_TIMEOUT", `${service} at ${target.origin} sent no answer within ${ms / 1000} s`, {
        url: target.origin,
        hint: "The model may still be loading; raise the timeout or check 'ollama ps'",
      })));
  }
  const watch = ctx.reachable.has(target.origin)
    ? undefined
    : watchConnection(ctx, target, address, connectTimeoutMs, service, options.signal);
  if (watch) signals.push(watch.signal);
  const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  const headers: Record<string, string> = { ...options.headers };
  if (options.json !== undefined) headers["content-type"] = "application/json";
  const started = ctx.now();
  ctx.log.debug(`${method} ${target.href}`);
  let response: Response;
  try {
    response = await ctx.fetch(target, {
      method,
      headers,
      ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
      ...(signal ? { signal } : {}),
      // Bun's fetch closes a connection idle for 5 minutes by default; oclaw keeps its own timers.
      timeout: false,
    } as RequestInit);
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    watch?.stop();
    // Why did it fail? A connect check of its own tells a port nobody listens on (or a dropped one) from a
    // server that took the connection and closed it (Deno's fetch says neither with an errno code).
    const failure = await reachability(ctx, target, address, connectTimeoutMs, connectTimeoutMs,
      options.signal ?? new AbortController().signal, service);
    if (failure !== undefined) throw failure;
    throw new OclawError("E_STREAM", `${service} at ${target.origin} closed the connection before answering`, {
      cause: error,
      url: target.origin,
    });
  } finally {
    watch?.stop();
  }
  ctx.reachable.add(target.origin);
  ctx.log.debug(`${method} ${target.pathname} → ${response.status} in ${(ctx.now() - started).toFixed(1)} ms`);
  if (!response.ok && !options.acceptAnyStatus) throw await httpError(response, target, service);
  return response;
}

/**
 * Reads a whole (small) response body as text.
 * @throws OclawError the abort's error when `signal` fired, else E_STREAM: the connection broke mid-body
 */
export async function readText(response: Response, url: URL, service: string, signal?: AbortSignal): Promise<string> {
  try {
    return await response.text();
  } catch (cause) {
    if (signal?.aborted) throw abortError(signal);
    throw new OclawError("E_STREAM", `${service} at ${url.origin}: the connection broke while reading ${url.pathname}`, {
      cause,
      url: url.origin,
    });
  }
}

/** The error message a server put in its body: Ollama's `{"error":"..."}` or OpenAI's `{"error":{"message"}}`. */
export function errorMessageFromBody(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
    const nested = (parsed.error as { message?: unknown } | undefined)?.message;
    if (typeof nested === "string") return nested;
  } catch {
    // Not JSON: fall through.
  }
  return undefined;
}

/**
 * Turns a non-2xx response into the matching OclawError: model not found, no tools, no thinking, the
 * Host check's 403, a different service on the port, or E_HTTP with the server's own message.
 */
export async function httpError(response: Response, url: URL, service = "Ollama"): Promise<OclawError> {
  const body = await response.text().catch(() => "");
  const message = errorMessageFromBody(body);
  const status = response.status;
  const base = { status, url: url.origin };
  const at = `${service} at ${url.origin}`;
  if (message !== undefined && /does not support tools/.test(message)) {
    return new OclawError("E_NO_TOOLS", `${at}: ${message}`, {
      ...base,
      hint: "Pick a model whose capabilities include tools ('oclaw models list'), or send no --tools",
    });
  }
  if (message !== undefined && /does not support thinking/.test(message)) {
    return new OclawError("E_NO_THINKING", `${at}: ${message}`, base);
  }
  if (status === 404 && message !== undefined && /not found/.test(message)) {
    return new OclawError("E_MODEL_NOT_FOUND", `${at}: ${message}`, {
      ...base,
      hint: "Pull it with 'ollama pull <model>' or 'oclaw models pull <model>', or check 'oclaw models list'",
    });
  }
  if (status === 403 && message === undefined) {
    return new OclawError("E_HTTP", `${at} refused the request with 403 Forbidden`, {
      ...base,
      hint: "Ollama bound to loopback rejects other Host headers: set OLLAMA_HOST=0.0.0.0 on the server, " +
        "or reach it through 127.0.0.1",
    });
  }
  if (message === undefined) {
    const snippet = body.trim().slice(0, 80).replace(/\s+/g, " ");
    return new OclawError("E_HTTP", `${at} answered ${status}${snippet ? `: ${snippet}` : ""}`, {
      ...base,
      hint: status === 404
        ? `That does not look like ${service === "Ollama" ? "Ollama's API" : "the API it should be"}; check the base URL and port`
        : undefined,
    });
  }
  return new OclawError("E_HTTP", `${at} answered ${status}: ${message}`, base);
}

/**
 * Wraps a response body so that a gap of more than `idleMs` between chunks fails the read with E_TIMEOUT
 * (a stalled stream), and a transport failure mid-body fails it with E_STREAM.
 */
export function withIdleTimeout(
  body: ReadableStream<Uint8Array>,
  idleMs: number | undefined,
  describe: () => string,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stall = new Promise<never>((_, reject) => {
        if (idleMs === undefined) return;
        timer = setTimeout(() => {
          reject(new OclawError("E_TIMEOUT", `${describe()}: no data for ${idleMs / 1000} s`, {
            hint: "The server stalled; check its load, or allow longer silences with --idle-timeout SECONDS",
          }));
        }, idleMs);
      });
      try {
        const next = await Promise.race([reader.read(), stall]);
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        void reader.cancel().catch(() => {});
        if (signal?.aborted) controller.error(abortError(signal));
        else if (error instanceof OclawError) controller.error(error);
        else {
          controller.error(new OclawError("E_STREAM", `${describe()}: the connection broke mid-stream`, { cause: error }));
        }
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
