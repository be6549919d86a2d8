/**
 * Waits that end: any promise raced against an AbortSignal, so a read that the runtime cannot cancel (stdin
 * from a FIFO nobody writes to, a FIFO named by `$include`) still gives way to Ctrl-C, SIGTERM or `--timeout`.
 */
import { OclawError } from "./errors.ts";

/** The error an aborted wait rejects with: the signal's reason when it is an OclawError, else E_ABORTED. */
export function abortReason(signal: AbortSignal): OclawError {
  const reason: unknown = signal.reason;
  return reason instanceof OclawError ? reason : new OclawError("E_ABORTED", "Interrupted", { cause: reason });
}

/**
 * Resolves as `promise` does, or rejects as soon as `signal` aborts (the promise is left to settle unseen).
 * @throws OclawError the abort's reason (E_ABORTED, E_RUN_TIMEOUT ...)
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
