/**
 * The fallback chain of `oclaw chat`: try each candidate model in order, move on when one fails before
 * any reply output, retry a transient DNS failure on the same model first (cli.md "Fallback").
 */
import type { ChatEvent, EventError, RunEvent } from "../client/events.ts";
import { isCloudRef } from "../client/ollama-errors.ts";
import { EXIT, exitCodeFor, OclawError } from "../errors.ts";
import { abortError, sleep } from "../http/abort.ts";
import { CHAT_DNS_RETRY, retryDelay } from "../retry.ts";
import type { Logger } from "../log.ts";

/** One model to try. */
export interface Candidate {
  /** `provider/id`, as the user wrote it (or as config lists it). */
  ref: string;
  /** Provider id and api for the `start` event, when known before the attempt (see {@link AttemptEvent}). */
  provider?: string;
  api?: string;
}

/**
 * What an attempt yields: the client's events, optionally preceded by `start` once it resolved which
 * provider and api it talks to (for candidates that do not carry them). A `start` yielded by the attempt
 * replaces the one {@link runWithFallback} would emit from the candidate.
 */
export type AttemptEvent = ChatEvent | { type: "start"; provider: string; api: string };

/** One attempt at a candidate: resolve the model, send the request, yield its events. */
export type Attempt = (candidate: Candidate, signal: AbortSignal) => AsyncIterable<AttemptEvent>;

/** The fallback event, as yielded. */
export type FallbackEvent = Extract<RunEvent, { type: "fallback" }>;

/** How {@link runWithFallback} behaves. */
export interface FallbackOptions {
  /** Ctrl-C, `--timeout`, stdout gone: stops everything, never falls back. */
  signal: AbortSignal;
  log: Logger;
  /** `--no-fallback`: only the first candidate is tried (a transient DNS failure is still retried). */
  noFallback?: boolean;
  /** Waits between DNS retries; abortable by `signal` through the caller. Injected by tests. */
  sleep?: (ms: number) => Promise<void>;
  /** How many times a transient DNS failure is retried on the same candidate (default lib/retry.ts's CHAT_DNS_RETRY: 3, 0.5 s, 1 s, 2 s). */
  dnsRetries?: number;
  /** Called for each fallback, besides the yielded event. */
  onFallback?: (event: FallbackEvent) => void;
}

const RETRYABLE_CODES = new Set([
  "E_UNREACHABLE",
  "E_DNS",
  "E_TIMEOUT",
  "E_MODEL_NOT_FOUND",
  // A ref whose provider is not configured: the next candidate may be fine (issue 15 §2).
  "E_NO_PROVIDER",
  "E_NO_TOOLS",
  "E_NO_IMAGES",
  "E_STREAM",
  // An api oclaw cannot speak, or a provider whose config cannot be used (an unset variable, a secret
  // that does not resolve): the next candidate may be fine.
  "E_UNSUPPORTED_API",
  "E_CONFIG_ENV",
  // A bigger model (or one with a larger context) may fit the prompt.
  "E_CONTEXT",
]);

/**
 * True when an error that happened BEFORE any reply output lets the chain move to the next candidate:
 * unreachable, DNS, timeout, model not found, no tool or image support, a prompt longer than the context,
 * HTTP 404/408/429/5xx (503 is Ollama's full queue, 500 its out-of-memory load), a stream that ended early,
 * and a cloud model's 401/403 (not signed in to ollama.com, cloud turned off: a local model may answer).
 * A user abort, `--timeout` and other 4xx stop the chain.
 * @param ref the candidate that failed (a `:cloud`/`-cloud` model's 401/403 moves on)
 */
export function canFallBack(error: unknown, ref = ""): boolean {
  if (!(error instanceof OclawError)) return false;
  if (RETRYABLE_CODES.has(error.code)) return true;
  if (error.code !== "E_HTTP" || error.status === undefined) return false;
  const s = error.status;
  if ((s === 401 || s === 403) && (error.signinUrl !== undefined || isCloudRef(ref))) return true;
  return s === 404 || s === 408 || s === 429 || s >= 500;
}

function isOutput(event: AttemptEvent): boolean {
  if (event.type === "tool_call") return true;
  return (event.type === "text" || event.type === "thinking") && event.text !== "";
}

function eventError(error: unknown): EventError {
  const e = error instanceof OclawError
    ? error
    : new OclawError("E_INTERNAL", `Unexpected error: ${String(error)}`, { cause: error });
  // The contract's fallback error is {code, message}; the hint belongs to the final error event.
  return { code: e.code, message: e.message };
}

/**
 * The error thrown when every candidate failed. Exit codes come from lib/errors.ts through the error's
 * code: when all failures share one exit code (all unreachable → 4, all missing → 5, all exit-1 errors)
 * the last error is rethrown as is; when they are mixed, the last exit-1 error (an E_HTTP, E_STREAM,
 * E_TIMEOUT...) is rethrown, or, for a mix of unreachable and missing only, an E_HTTP error naming
 * every candidate (some server answered, so it is neither 4 nor 5).
 */
export function allFailedError(failures: Array<{ ref: string; error: OclawError }>): OclawError {
  const last = failures[failures.length - 1];
  if (last === undefined) return new OclawError("E_NO_MODEL", "No model to try");
  const exits = new Set(failures.map((f) => exitCodeFor(f.error)));
  if (exits.size === 1) return last.error;
  const failure = failures.findLast((f) => exitCodeFor(f.error) === EXIT.failure);
  if (failure !== undefined) return failure.error;
  const detail = failures.map((f) => `${f.ref}: ${f.error.message}`).join("; ");
  return new OclawError("E_HTTP", `No model could answer (${detail})`, {
    cause: last.error,
    hint: last.error.hint,
  });
}

/**
 * Runs the candidates in order through `attempt` and yields one run's events: `start` per attempted
 * candidate, every client event, a `fallback` event ({from, to, error}) per move to the next candidate,
 * and `done` with `model` = the ref that answered. The caller renders `fallback` events (stderr line in
 * text mode, a JSON line with `--json`); this function does not print them (`-v` logs only its DNS retries).
 *
 * Rules: a candidate is left for the next only when it failed before any reply output (text, thinking,
 * tool call) and {@link canFallBack} says so. A transient DNS failure (EAI_AGAIN) is first retried on
 * the same candidate with backoff (0.5 s, 1 s, 2 s). Each attempt gets its own signal, aborted when the
 * attempt is left, so a half-open request never lingers.
 * @throws OclawError the error that stopped the chain: an abort (E_ABORTED / E_RUN_TIMEOUT), a failure
 *   after output, a non-fallback error, or {@link allFailedError} when every candidate failed.
 */
export async function* runWithFallback(
  candidates: Candidate[],
  attempt: Attempt,
  options: FallbackOptions,
): AsyncGenerator<RunEvent, void, undefined> {
  const { signal, log } = options;
  const wait = options.sleep ?? ((ms: number) => sleep(ms, signal));
  const dnsRetry = options.dnsRetries === undefined ? CHAT_DNS_RETRY : { ...CHAT_DNS_RETRY, limit: options.dnsRetries };
  const chain = options.noFallback ? candidates.slice(0, 1) : candidates;
  const failures: Array<{ ref: string; error: OclawError }> = [];

  for (const [index, candidate] of chain.entries()) {
    let started = false;
    const startEvent = (provider: string, api: string): RunEvent => {
      started = true;
      return { type: "start", model: candidate.ref, provider, api };
    };
    if (candidate.provider !== undefined && candidate.api !== undefined) {
      yield startEvent(candidate.provider, candidate.api);
    }
    let failure: OclawError | undefined;
    for (let retry = 0;; retry++) {
      if (signal.aborted) throw abortError(signal);
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      let output = false;
      try {
        for await (const event of attempt(candidate, controller.signal)) {
          if (event.type === "start") {
            if (!started) yield startEvent(event.provider, event.api);
            continue;
          }
          if (event.type === "done") {
            yield { ...event, model: candidate.ref };
            return;
          }
          if (isOutput(event)) output = true;
          yield event;
        }
        throw new OclawError("E_STREAM", `The reply from ${candidate.ref} ended without a final message`);
      } catch (error) {
        if (signal.aborted) throw abortError(signal);
        if (output || !canFallBack(error, candidate.ref)) throw error;
        const e = error as OclawError;
        // The policy's waits, in this loop rather than retry()'s: an attempt is a stream, retried only
        // while it has written nothing.
        const ms = retryDelay(dnsRetry, retry, e);
        if (ms !== undefined) {
          log.debug(
            `${candidate.ref}: ${e.message}; retrying in ${ms / 1000} s (${retry + 1}/${dnsRetry.limit})`,
          );
          await wait(ms);
          continue;
        }
        failure = e;
      } finally {
        signal.removeEventListener("abort", onAbort);
        controller.abort(new OclawError("E_ABORTED", `Attempt at ${candidate.ref} left`));
      }
      break;
    }
    failures.push({ ref: candidate.ref, error: failure });
    const next = chain[index + 1];
    if (next === undefined) break;
    const event: FallbackEvent = {
      type: "fallback",
      from: candidate.ref,
      to: next.ref,
      error: eventError(failure),
    };
    options.onFallback?.(event);
    yield event;
  }
  throw allFailedError(failures);
}
