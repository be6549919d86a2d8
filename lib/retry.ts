/**
 * The one retry policy (ky's limit / delay / backoff / jitter / shouldRetry): every retry in oclaw — the DNS
 * retry before falling back, doctor's and health's server check, health's `--ping`/`--push` — is a
 * {@link RetryPolicy} with its own
 * settings, its waits computed by {@link retryDelay} and, for a plain async task, run by {@link retry}.
 */
import { OclawError } from "./errors.ts";
import { isTransientDns } from "./http/dns.ts";
import { sleep as abortableSleep } from "./http/abort.ts";

/** When and how often to try again. */
export interface RetryPolicy {
  /** Retries after the first try (0: none). */
  limit: number;
  /** Wait before the first retry, in ms. */
  delayMs: number;
  /** Each further wait is the previous one times this (2: 0.5 s, 1 s, 2 s). */
  backoff: number;
  /** Spread of each wait, as a fraction of it (0.2: ±20 %); 0 for exact waits. */
  jitter: number;
  /** Which failures are worth another try. */
  shouldRetry: (error: unknown) => boolean;
}

/** A resolver hiccup (EAI_AGAIN) passes by itself: the DNS retry's `shouldRetry`. */
export const retryTransientDns = (error: unknown): boolean => isTransientDns(error);

/** chat: a transient DNS failure is retried on the same model before falling back (0.5 s, 1 s, 2 s). */
export const CHAT_DNS_RETRY: RetryPolicy = { limit: 3, delayMs: 500, backoff: 2, jitter: 0, shouldRetry: retryTransientDns };

/** doctor: the server check retries a transient DNS failure as chat would, twice (0.5 s, 1 s). */
export const DOCTOR_DNS_RETRY: RetryPolicy = { ...CHAT_DNS_RETRY, limit: 2 };

/** health: one quick retry of a resolver hiccup (0.25 s), when the run's timeout leaves room for it. */
export const HEALTH_DNS_RETRY: RetryPolicy = { ...CHAT_DNS_RETRY, limit: 1, delayMs: 250 };

/**
 * A monitor notification's failures that may pass by themselves: refused or reset (a monitor restarting,
 * a proxy in front of it), a connection closed before the answer, a resolver hiccup, HTTP 408, 429 and 5xx.
 * Not a 4xx such as 404 (a wrong URL stays wrong), nor running out of time.
 */
export function retryNotification(error: unknown): boolean {
  if (!(error instanceof OclawError)) return false;
  if (error.code === "E_HTTP") return error.status === 408 || error.status === 429 || (error.status ?? 0) >= 500;
  return error.code === "E_UNREACHABLE" || error.code === "E_STREAM" || isTransientDns(error);
}

/**
 * health's `--ping`/`--push`: two more tries (0.5 s, 1 s) of a failure that may pass, as healthchecks.io
 * advises for its pings (`curl --retry`); lib/health/notify.ts bounds all the tries together.
 */
export const NOTIFY_RETRY: RetryPolicy = { limit: 2, delayMs: 500, backoff: 2, jitter: 0, shouldRetry: retryNotification };

/** A policy that never retries. */
export const NO_RETRY: RetryPolicy = { ...CHAT_DNS_RETRY, limit: 0 };

/**
 * The wait before retry number `retry` (0 for the first) after `error`, or undefined when the policy
 * says stop: the error is not worth retrying, or the limit is reached.
 */
export function retryDelay(policy: RetryPolicy, retry: number, error: unknown, random = Math.random): number | undefined {
  if (retry >= policy.limit || !policy.shouldRetry(error)) return undefined;
  const base = policy.delayMs * policy.backoff ** retry;
  return policy.jitter === 0 ? base : Math.max(0, Math.round(base * (1 + policy.jitter * (2 * random() - 1))));
}

/** How {@link retry} waits and reports. */
export interface RetryOptions {
  /** Ends the waits (and the loop, with the abort's error). */
  signal?: AbortSignal | undefined;
  /** The wait itself; tests inject one. */
  sleep?: (ms: number) => Promise<void>;
  /** Told before each wait. */
  onRetry?: (error: unknown, retry: number, ms: number) => void;
}

/**
 * Runs `task` until it succeeds or fails in a way the policy does not retry (or past its limit), waiting
 * between tries; resolves to its result.
 * @throws the last failure, or the abort's error when `signal` ended a wait
 */
export async function retry<T>(task: (retry: number) => Promise<T>, policy: RetryPolicy, options: RetryOptions = {}): Promise<T> {
  const wait = options.sleep ?? ((ms: number) => abortableSleep(ms, options.signal));
  for (let n = 0;; n++) {
    try {
      return await task(n);
    } catch (error) {
      const ms = options.signal?.aborted ? undefined : retryDelay(policy, n, error);
      if (ms === undefined) throw error;
      options.onRetry?.(error, n, ms);
      await wait(ms);
    }
  }
}
