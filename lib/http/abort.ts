/**
 * Timers and aborts every wait in oclaw shares: what an abort throws, a deadline as an AbortSignal, and a
 * sleep that ends on abort.
 */
import { OclawError } from "../errors.ts";

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
