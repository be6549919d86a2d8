/** Reading response bodies: a whole small body as text, and a streamed body watched for silences. */
import { OclawError } from "../errors.ts";
import { abortError } from "./abort.ts";

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
