/**
 * Asking a provider's server who it is: `GET /api/version` for Ollama (it must answer JSON with a version;
 * anything else on the port — an nginx 404 page — is not Ollama), `GET /models` for OpenAI-compatible
 * servers. Every failure comes back as an OclawError classified by lib/http/ (the request) and lib/client/server-errors.ts (the answer).
 */
import { providerHeaders, providerTransport } from "../catalog/provider-headers.ts";
import type { Provider } from "../catalog/types.ts";
import { clip, MAX_NAME_CHARS, MAX_VERSION_CHARS } from "../clip.ts";
import { OclawError, toOclawError } from "../errors.ts";
import { httpError } from "../client/server-errors.ts";
import { deadline, sleep } from "../http/abort.ts";
import { readText } from "../http/body.ts";
import type { HttpContext } from "../http/context.ts";
import { NO_RETRY, retry, type RetryPolicy } from "../retry.ts";
import { request } from "../http/request.ts";

/** What asking the server gave. */
export type ServerProbe = (
  | { ok: true; url: string; version?: string; modelIds?: string[]; ms: number }
  | { ok: false; url: string; error: OclawError; ms: number; notOllama?: boolean }
) & {
  /** Transient DNS failures (EAI_AGAIN) met before this outcome: a flaky resolver even when it recovered. */
  dnsRetries?: number;
};

/** Time limits for the probe. */
export interface ProbeLimits {
  /** Time to open the connection. */
  connectTimeoutMs?: number;
  /** Time for the whole answer once connected. */
  answerTimeoutMs: number;
  /** The run's own deadline (health `--timeout`, Ctrl-C). */
  signal?: AbortSignal;
  /** When to retry a transient DNS failure (EAI_AGAIN, lib/retry.ts); none by default. */
  dnsRetry?: RetryPolicy;
}

function snippet(text: string): string {
  const flat = text.trim().replace(/\s+/g, " ");
  if (flat === "") return "an empty body";
  return JSON.stringify(flat.length > 60 ? `${flat.slice(0, 60)}...` : flat);
}

function notTheServer(provider: Provider, url: URL, what: string, status: number): OclawError {
  const service = provider.api === "ollama" ? "Ollama" : "an OpenAI-compatible server";
  return new OclawError("E_HTTP", `${url.origin} is not ${service}: GET ${url.pathname} answered ${what}`, {
    status,
    url: url.origin,
  });
}

/**
 * Reads the identity answer: JSON with a string `version` (Ollama), or a model list (OpenAI-compatible:
 * its ids, `data: null` when empty).
 */
function readIdentity(provider: Provider, url: URL, status: number, text: string): string | string[] | OclawError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return notTheServer(provider, url, `${status} with ${snippet(text)}, not JSON`, status);
  }
  if (provider.api === "ollama") {
    const version = (body as { version?: unknown } | null)?.version;
    if (typeof version === "string" && version !== "") return clip(version, MAX_VERSION_CHARS);
    return notTheServer(provider, url, `${status} with ${snippet(text)}, which has no version`, status);
  }
  const data = (body as { data?: unknown } | null)?.data;
  if (data === null) return [];
  if (Array.isArray(data)) {
    return data.map((m) => (m as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === "string")
      .map((id) => clip(id, MAX_NAME_CHARS));
  }
  return notTheServer(provider, url, `${status} with ${snippet(text)}, which is no model list`, status);
}

/**
 * Asks the provider's server for its identity, retrying a transient DNS failure as `dnsRetry` says
 * (lib/retry.ts); never throws.
 */
export async function probeServer(http: HttpContext, provider: Provider, limits: ProbeLimits): Promise<ServerProbe> {
  const policy = limits.dnsRetry ?? NO_RETRY;
  let retries = 0;
  // The retry loop sees a failed probe as a thrown one; the last probe is returned either way.
  const probe = await retry(async (n) => {
    retries = n;
    const probe = await probeOnce(http, provider, limits);
    if (!probe.ok) throw new FailedProbe(probe);
    return probe;
  }, { ...policy, shouldRetry: (e) => e instanceof FailedProbe && policy.shouldRetry(e.probe.error) }, {
    signal: limits.signal,
    // An abort ends the wait early; the loop then returns what it has (this never throws).
    sleep: (ms) => sleep(ms, limits.signal).catch(() => {}),
    onRetry: (e, _n, ms) => http.log.debug(`${(e as FailedProbe).probe.error.message}; retrying in ${ms} ms`),
  }).catch((e: FailedProbe) => e.probe);
  return retries === 0 ? probe : { ...probe, dnsRetries: retries };
}

/** A failed probe, thrown inside the retry loop only. */
class FailedProbe {
  constructor(readonly probe: Extract<ServerProbe, { ok: false }>) {}
}

async function probeOnce(http: HttpContext, provider: Provider, limits: ProbeLimits): Promise<ServerProbe> {
  const url = new URL(provider.api === "ollama" ? `${provider.baseUrl}/api/version` : `${provider.baseUrl}/models`);
  const origin = provider.baseUrl;
  const started = http.now();
  const service = provider.api === "ollama" ? "Ollama" : provider.id;
  let answered = false;
  const limit = deadline(limits.answerTimeoutMs, () =>
    answered
      ? new OclawError("E_TIMEOUT", `${service} at ${url.origin} timed out sending its answer to ` +
        `GET ${url.pathname} (${limits.answerTimeoutMs / 1000} s)`, { url: url.origin })
      : new OclawError("E_TIMEOUT", `${service} at ${url.origin} accepted the connection but timed out waiting for ` +
        `the answer to GET ${url.pathname} (${limits.answerTimeoutMs / 1000} s)`, { url: url.origin, noAnswer: true }));
  const signal = limits.signal ? AbortSignal.any([limits.signal, limit]) : limit;
  const elapsed = () => http.now() - started;
  try {
    const response = await request(http, url, {
      headers: providerHeaders(provider),
      transport: providerTransport(provider),
      signal,
      service,
      ...(limits.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: limits.connectTimeoutMs }),
    });
    answered = true;
    if (!response.ok) {
      const error = await httpError(response, url, service);
      // Ollama answers every error with {"error": ...}; a bare 404 page means another program owns the port.
      const notOllama = response.status === 404 && error.code === "E_HTTP";
      return {
        ok: false,
        url: origin,
        error: notOllama ? notTheServer(provider, url, error.message.replace(/^.* answered /, ""), 404) : error,
        ms: elapsed(),
        ...(notOllama ? { notOllama } : {}),
      };
    }
    const text = await readText(response, url, service, signal);
    const identity = readIdentity(provider, url, response.status, text);
    if (identity instanceof OclawError) return { ok: false, url: origin, error: identity, ms: elapsed(), notOllama: true };
    return typeof identity === "string"
      ? { ok: true, url: origin, version: identity, ms: elapsed() }
      : { ok: true, url: origin, modelIds: identity, ms: elapsed() };
  } catch (error) {
    return { ok: false, url: origin, error: toOclawError(error), ms: elapsed() };
  }
}
