/**
 * Every HTTP request oclaw makes goes through {@link request}: a DNS lookup of our own (lib/http/dns.ts), then
 * fetch watched by a connect check when the answer is slow (lib/http/diagnose.ts), then the response, whatever
 * its status. What a non-2xx answer means is the API's business: lib/client/server-errors.ts's `apiRequest`
 * turns it into Ollama's and OpenAI's error codes.
 */
import { OclawError } from "../errors.ts";
import { abortError, deadline } from "./abort.ts";
import type { HttpContext } from "./context.ts";
import { DEFAULT_CONNECT_TIMEOUT_MS, reachability, watchConnection } from "./diagnose.ts";
import { resolveHost } from "./dns.ts";
import { transportInit } from "./runtime-transport.ts";
import { proxyFor, type Transport } from "./transport.ts";

/** Options for one request. */
export interface RequestOptions {
  method?: "GET" | "POST" | "HEAD" | "DELETE";
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as text/plain (UTF-8) when there is no `json`. */
  text?: string;
  headers?: Record<string, string>;
  /** Time to open the connection (default 5 s). */
  connectTimeoutMs?: number;
  /** Time from sending the request to the response headers; none by default (cold loads take minutes). */
  headersTimeoutMs?: number;
  /** The caller's abort: Ctrl-C, the run's `--timeout`. Its `reason`, when an OclawError, is thrown as is. */
  signal?: AbortSignal;
  /** What is being talked to, for messages ("Ollama", "vllm"). */
  service?: string;
  /** TLS settings and proxy of the provider (a proxy may also come from the environment). */
  transport?: Transport;
}

/**
 * What a TLS failure says: Bun's error code (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `CERT_HAS_EXPIRED`...); Deno
 * gives no code, only its message ("invalid peer certificate: UnknownIssuer"), read as a last resort.
 */
function tlsFailure(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /CERT|SIGNATURE|TLS|SSL|HANDSHAKE/.test(code)) return code;
    const message = e.message.match(/(invalid peer certificate[^\n]*|certificate[^\n]{0,60}|handshake[^\n]{0,60})/i);
    if (message !== null) return message[1]!.trim();
  }
  return undefined;
}

/** The proxy of a request, worded as a config error when its URL cannot be read. */
function proxyOf(ctx: HttpContext, target: URL, transport: Transport | undefined): URL | undefined {
  try {
    return proxyFor(target, transport?.proxy, ctx.env);
  } catch (cause) {
    throw new OclawError("E_CONFIG_INVALID", `Cannot read the proxy URL for ${target.origin}`, {
      cause,
      hint: "Check request.proxy.url, or HTTPS_PROXY / HTTP_PROXY in the environment",
    });
  }
}

/**
 * Sends one HTTP request and returns the response once its headers arrived, whatever its status.
 * @throws OclawError E_DNS, E_UNREACHABLE, E_TIMEOUT, E_STREAM (closed before answering), E_ABORTED (or the
 *   signal's own reason)
 */
export async function request(ctx: HttpContext, url: string | URL, options: RequestOptions = {}): Promise<Response> {
  return await send(ctx, new URL(url), options, 0);
}

/** Most same-origin redirects followed for one request. */
const MAX_REDIRECTS = 5;

async function send(ctx: HttpContext, target: URL, options: RequestOptions, hops: number): Promise<Response> {
  const service = options.service ?? "Ollama";
  const method = options.method ?? (options.json === undefined && options.text === undefined ? "GET" : "POST");
  if (options.signal?.aborted) throw abortError(options.signal);
  // Through a proxy, only the proxy is looked up and connected to: the target may not resolve here at all.
  const proxy = proxyOf(ctx, target, options.transport);
  const dialed = proxy ?? target;
  const dialedService = proxy === undefined ? service : `the proxy for ${service}`;
  const runtimeInit = transportInit(
    target.protocol === "https:" ? options.transport?.tls : undefined,
    proxy,
  );
  const address = await resolveHost(ctx, dialed, dialedService);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;

  const signals: AbortSignal[] = [];
  if (options.signal) signals.push(options.signal);
  if (options.headersTimeoutMs !== undefined) {
    const ms = options.headersTimeoutMs;
    signals.push(deadline(ms, () =>
      new OclawError("E_TIMEOUT", `${service} at ${target.origin} timed out waiting for the answer (${ms / 1000} s)`, {
        url: target.origin,
        noAnswer: true,
        hint: "The model may still be loading: check 'ollama ps', or raise the provider's timeoutSeconds",
      })));
  }
  const watch = ctx.reachable.has(dialed.origin)
    ? undefined
    : watchConnection(ctx, dialed, address, connectTimeoutMs, dialedService, options.signal);
  if (watch) signals.push(watch.signal);
  const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  const headers: Record<string, string> = { ...options.headers };
  if (options.json !== undefined) headers["content-type"] = "application/json";
  else if (options.text !== undefined) headers["content-type"] = "text/plain; charset=utf-8";
  const started = ctx.now();
  ctx.log.debug(`${method} ${target.href}`);
  let response: Response;
  try {
    response = await ctx.fetch(target, {
      method,
      headers,
      ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : options.text !== undefined ? { body: options.text } : {}),
      ...(signal ? { signal } : {}),
      // Bun's fetch closes a connection idle for 5 minutes by default; oclaw keeps its own timers.
      timeout: false,
      // Redirects are oclaw's to judge (see followRedirect): the configured headers must not reach another origin.
      redirect: "manual",
      ...runtimeInit,
    } as RequestInit);
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    watch?.stop();
    // Why did it fail? A connect check of its own tells a port nobody listens on (or a dropped one) from a
    // server that took the connection and closed it (Deno's fetch says neither with an errno code).
    const failure = await reachability(ctx, dialed, address, connectTimeoutMs, connectTimeoutMs,
      options.signal ?? new AbortController().signal, dialedService);
    if (failure !== undefined) throw failure;
    const tls = target.protocol === "https:" ? tlsFailure(error) : undefined;
    if (tls !== undefined) {
      throw new OclawError("E_UNREACHABLE", `Cannot reach ${service} at ${target.origin}: TLS handshake failed (${tls})`, {
        cause: error,
        url: target.origin,
        hint: "For a private CA set request.tls.ca (PEM); a server that wants a client certificate needs request.tls.cert and key",
      });
    }
    if (malformedAnswer(error)) {
      throw new OclawError("E_STREAM", `${service} at ${target.origin} sent an answer that is not valid HTTP (endless or malformed headers)`, {
        cause: error,
        url: target.origin,
        hint: "Check that the URL points at the right server and port, and no proxy in between is broken",
      });
    }
    throw new OclawError("E_STREAM", `${service} at ${target.origin} closed the connection before answering`, {
      cause: error,
      url: target.origin,
    });
  } finally {
    watch?.stop();
  }
  ctx.reachable.add(dialed.origin);
  ctx.log.debug(`${method} ${target.pathname} → ${response.status} in ${(ctx.now() - started).toFixed(1)} ms`);
  if (REDIRECTS.has(response.status) && response.headers.has("location")) {
    return await followRedirect(ctx, target, response, options, service, method, hops);
  }
  return response;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * A redirect is followed only to the same origin (scheme, host and port), where the configured headers and
 * credentials were going anyway: for GET and HEAD on any redirect status, for other methods on 307 and 308
 * (which keep method and body), at most {@link MAX_REDIRECTS} times. A redirect to another origin — the
 * usual sign of a misconfigured reverse proxy — is an error naming both, never followed: provider headers
 * such as X-Api-Key would go with it.
 * @throws OclawError E_HTTP for a redirect oclaw does not follow
 */
async function followRedirect(
  ctx: HttpContext,
  target: URL,
  response: Response,
  options: RequestOptions,
  service: string,
  method: string,
  hops: number,
): Promise<Response> {
  const status = response.status;
  await response.body?.cancel().catch(() => {});
  const base = { status, url: target.origin };
  const at = `${service} at ${target.origin}`;
  let next: URL;
  try {
    next = new URL(response.headers.get("location")!, target);
  } catch (cause) {
    throw new OclawError("E_HTTP", `${at} answered ${target.pathname} with a ${status} redirect to an address that cannot be read`, {
      ...base,
      cause,
    });
  }
  if (next.origin !== target.origin) {
    throw new OclawError(
      "E_HTTP",
      `${at} redirected ${target.pathname} to ${next.origin}${next.pathname} (${status}); oclaw does not follow a redirect to another origin`,
      {
        ...base,
        hint: "A reverse proxy in front of the server usually causes this (http to https, another host or port): " +
          "put the address it redirects to in the base URL, or fix the proxy",
      },
    );
  }
  if (status !== 307 && status !== 308 && method !== "GET" && method !== "HEAD") {
    throw new OclawError("E_HTTP", `${at} redirected ${method} ${target.pathname} to ${next.pathname} with ${status}, which would drop the request body`, {
      ...base,
      hint: "Put the address it redirects to in the base URL",
    });
  }
  if (hops >= MAX_REDIRECTS) {
    throw new OclawError("E_HTTP", `${at} redirected ${target.pathname} more than ${MAX_REDIRECTS} times`, base);
  }
  ctx.log.debug(`${status} redirect to ${next.pathname}: same origin, followed`);
  return await send(ctx, next, options, hops + 1);
}

/**
 * True when fetch failed because the answer's head was not HTTP: Bun says `Malformed_HTTP_Response`, Deno
 * (hyper) "message head is too large", "invalid HTTP ..." or "received unexpected message" (bytes before the
 * request) in the cause; e.g. header lines sent forever.
 */
function malformedAnswer(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === "Malformed_HTTP_Response") return true;
    if (/message head is too large|invalid HTTP|Malformed_HTTP_Response|received unexpected message from connection/i.test(e.message)) return true;
  }
  return false;
}
