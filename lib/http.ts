/**
 * Every HTTP request oclaw makes goes through {@link request}: DNS and a TCP connect check of our own (so
 * failures are told apart by errno code in Bun and Deno alike, and a dead host fails within the connect
 * timeout while a slow model load is never cut off), then fetch, then non-2xx answers turned into errors.
 */
import net from "node:net";
import { OclawError } from "./errors.ts";
import type { Fetch, Io, Lookup } from "./io.ts";
import type { Logger } from "./log.ts";

/** Default time to open a TCP connection. A black-holed port fails after this. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** What {@link request} needs from the outside world; one per command run (it caches connect checks). */
export interface HttpContext {
  fetch: Fetch;
  lookup: Lookup;
  log: Logger;
  now: () => number;
  /** Origins already checked in this run: origin → the check's promise. */
  checked: Map<string, Promise<void>>;
}

/** Builds the HTTP context for a command run. */
export function httpContext(io: Io, log: Logger): HttpContext {
  return { fetch: io.fetch, lookup: io.lookup, log, now: () => io.now(), checked: new Map() };
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

async function resolveHost(ctx: HttpContext, url: URL, service: string): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host)) return host;
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

function connectCheck(address: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    const done = (error?: unknown) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => done(signal!.reason ?? new Error("aborted"));
    const timer = setTimeout(
      () => done(Object.assign(new Error(`connect timed out after ${timeoutMs} ms`), { code: "ETIMEDOUT" })),
      timeoutMs,
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => done());
    socket.once("error", (error) => done(error));
  });
}

/** True when this run's connect check of the URL's origin succeeded. */
async function connectedBefore(ctx: HttpContext, url: URL): Promise<boolean> {
  const check = ctx.checked.get(url.origin);
  return check !== undefined && await check.then(() => true, () => false);
}

/** Checks (once per run and origin) that the server's port accepts connections. */
async function ensureReachable(ctx: HttpContext, url: URL, options: RequestOptions, service: string): Promise<void> {
  let check = ctx.checked.get(url.origin);
  if (check === undefined) {
    check = (async () => {
      const address = await resolveHost(ctx, url, service);
      const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
      const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      const started = ctx.now();
      try {
        await connectCheck(address, port, timeoutMs, options.signal);
      } catch (error) {
        if (options.signal?.aborted) throw abortError(options.signal);
        throw unreachable(url, service, error, timeoutMs);
      }
      ctx.log.debug(`connected to ${url.host} (${address}) in ${(ctx.now() - started).toFixed(1)} ms`);
    })();
    ctx.checked.set(url.origin, check);
    // A failed check is not remembered: a retry (DNS backoff) must try again.
    check.catch(() => ctx.checked.delete(url.origin));
  }
  await check;
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
  await ensureReachable(ctx, target, options, service);

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
    const code = errnoCode(error);
    if (code === "ECONNREFUSED" || code === "ETIMEDOUT" || code === undefined && !(await connectedBefore(ctx, target))) {
      throw unreachable(target, service, error, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    }
    // The port accepted a connection in this run, so the server is there: it dropped the request
    // (Deno's fetch reports this without an errno code).
    throw new OclawError("E_STREAM", `${service} at ${target.origin} closed the connection before answering`, {
      cause: error,
      url: target.origin,
    });
  }
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
