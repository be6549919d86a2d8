/**
 * Reading response bodies, each with a bound: a whole JSON answer as text under a size cap, an error answer
 * under a smaller cap and a short deadline (ky's way: a server that trickles its error must not hang
 * anything), and a streamed body watched for silences. Sizes count the bytes fetch yields, which are the
 * decompressed ones (Bun and Deno inflate gzip/deflate/br inside fetch): a gzip bomb hits the cap after
 * the cap's worth of inflated bytes, never more.
 */
import { OclawError } from "../errors.ts";
import { abortError } from "./abort.ts";

/** Largest JSON answer read (/api/tags, /api/show, /api/ps, /api/version, /models): far above real ones. */
export const MAX_JSON_BODY_BYTES = 8 * 1024 * 1024;

/** Most of an error answer read; the rest is cancelled unread. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Longest an error answer is read for; what arrived by then is the message. */
export const ERROR_BODY_TIMEOUT_MS = 3_000;

/** What {@link readAtMost} got. */
export interface BoundedRead {
  text: string;
  /** The body went on past the cap (its rest was cancelled unread). */
  over: boolean;
}

/**
 * Reads a body's UTF-8 text up to `maxBytes`, then cancels the rest. `stop` ends the read early with what
 * arrived; `signal` ends it with the abort's error.
 * @throws the body's own error, or the abort's error when `signal` fired
 */
export async function readAtMost(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  signal?: AbortSignal,
  stop?: AbortSignal,
): Promise<BoundedRead> {
  const reader = body.getReader();
  // The bytes go into one buffer grown by doubling and are decoded once at the end: thousands of small
  // reads (Deno yields 4 KiB) decoded one by one cost more memory than the body itself.
  let buffer = new Uint8Array(Math.min(maxBytes, 64 * 1024));
  let bytes = 0;
  let finished = false;
  const text = () => new TextDecoder().decode(buffer.subarray(0, bytes));
  // Cancelling ends the read in flight (it resolves as done), even one that would never settle (a trickle).
  // No Promise.race against a long-lived promise here: each race would keep its chunk alive until the end.
  const onEnd = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", onEnd, { once: true });
  stop?.addEventListener("abort", onEnd, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      if (stop?.aborted) return { text: text(), over: false };
      const next = await reader.read();
      if (signal?.aborted) throw abortError(signal);
      if (next.done) {
        finished = !stop?.aborted;
        return { text: text(), over: false };
      }
      const chunk = next.value;
      const over = chunk.byteLength > maxBytes - bytes;
      const take = over ? maxBytes - bytes : chunk.byteLength;
      if (bytes + take > buffer.byteLength) {
        const grown = new Uint8Array(Math.min(maxBytes, Math.max(buffer.byteLength * 2, bytes + take)));
        grown.set(buffer.subarray(0, bytes));
        buffer = grown;
      }
      buffer.set(over ? chunk.subarray(0, take) : chunk, bytes);
      bytes += take;
      if (over) return { text: text(), over: true };
    }
  } finally {
    signal?.removeEventListener("abort", onEnd);
    stop?.removeEventListener("abort", onEnd);
    if (!finished) void reader.cancel().catch(() => {});
  }
}

function sizeOf(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
}

/**
 * Reads a whole JSON answer's text, at most `maxBytes` of it (decompressed).
 * @throws OclawError the abort's error when `signal` fired, E_HTTP for a body over the cap, else E_STREAM:
 *   the connection broke mid-body
 */
export async function readText(
  response: Response,
  url: URL,
  service: string,
  signal?: AbortSignal,
  maxBytes = MAX_JSON_BODY_BYTES,
): Promise<string> {
  if (response.body === null) return "";
  let read: BoundedRead;
  try {
    read = await readAtMost(response.body, maxBytes, signal);
  } catch (cause) {
    if (signal?.aborted) throw abortError(signal);
    throw new OclawError("E_STREAM", `${service} at ${url.origin}: the connection broke while reading ${url.pathname}`, {
      cause,
      url: url.origin,
    });
  }
  if (read.over) {
    throw new OclawError("E_HTTP", `${service} at ${url.origin} answered ${url.pathname} with more than ${sizeOf(maxBytes)}`, {
      url: url.origin,
      hint: "No real answer is that large: check that the base URL points at the right server",
    });
  }
  return read.text;
}

/**
 * Reads what a server said with a non-2xx status: at most {@link MAX_ERROR_BODY_BYTES}, for at most
 * {@link ERROR_BODY_TIMEOUT_MS}, then the body is cancelled. Never throws: a broken body is what arrived.
 */
export async function readErrorBody(response: Response, signal?: AbortSignal): Promise<string> {
  if (response.body === null) return "";
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), ERROR_BODY_TIMEOUT_MS);
  try {
    return (await readAtMost(response.body, MAX_ERROR_BODY_BYTES, signal, stop.signal)).text;
  } catch {
    return "";
  } finally {
    clearTimeout(timer);
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
