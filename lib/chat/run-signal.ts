/**
 * The one AbortSignal a chat run obeys: Ctrl-C (E_ABORTED, exit 130), `--timeout` (E_RUN_TIMEOUT, exit 124)
 * and the reader of stdout going away (`| head -1`: a quiet stop, exit 0). Its reason says which.
 */
import { OclawError } from "../errors.ts";
import type { Io } from "../io.ts";

/** The reason a run stops when stdout is closed; the command turns it into a quiet exit 0. */
export const STDOUT_CLOSED = "stdout closed";

/** The run's signal and its cleanup. */
export interface RunSignal {
  signal: AbortSignal;
  /** True when the run stopped because nobody reads stdout any more. */
  readonly stdoutClosed: boolean;
  /** Removes the listeners and the timer. */
  dispose(): void;
}

/** Builds the run's signal from the Io's interrupt and closed stdout, plus an optional whole-run limit. */
export function runSignal(io: Io, timeoutMs?: number): RunSignal {
  const controller = new AbortController();
  const abort = (reason: OclawError) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onInterrupt = () => abort(new OclawError("E_ABORTED", "Interrupted", { cause: io.interrupt.reason }));
  const onClosed = () => abort(new OclawError("E_ABORTED", STDOUT_CLOSED));
  const sources: Array<[AbortSignal, () => void]> = [[io.interrupt, onInterrupt], [io.stdout.closed, onClosed]];
  for (const [source, listener] of sources) {
    if (source.aborted) listener();
    else source.addEventListener("abort", listener, { once: true });
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (timeoutMs !== undefined) {
    timer = setTimeout(() =>
      abort(new OclawError("E_RUN_TIMEOUT", `No complete answer within ${timeoutMs / 1000} s (--timeout)`, {
        hint: "Raise --timeout; a model loading on CPU can take minutes ('oclaw doctor' shows where it runs)",
      })), timeoutMs);
  }
  return {
    signal: controller.signal,
    get stdoutClosed() {
      const reason: unknown = controller.signal.reason;
      return reason instanceof OclawError && reason.message === STDOUT_CLOSED;
    },
    dispose() {
      clearTimeout(timer);
      for (const [source, listener] of sources) source.removeEventListener("abort", listener);
    },
  };
}
