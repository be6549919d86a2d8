/**
 * The text of a response body, one piece per network read: the read loop both stream parsers (NDJSON and
 * SSE) stand on. One reader and a streaming decoder, not pipeThrough(TextDecoderStream): stream hops per
 * piece cost more than parsing it, and their first use delays the first token.
 */
import { OclawError } from "../errors.ts";

/** One read's text; `done` marks the last piece (the decoder's flush, often empty). */
export interface DecodedRead {
  text: string;
  done: boolean;
}

/**
 * Yields the UTF-8 text of each read (a character split across reads comes out whole). Stopping the
 * iteration early cancels the body, which closes the connection, so the server stops generating.
 * @throws OclawError the body's own errors (E_TIMEOUT, E_STREAM, an abort) as they are; anything else
 *   as E_STREAM naming `describe()`
 */
export async function* decodedReads(
  body: ReadableStream<Uint8Array>,
  describe: () => string,
): AsyncGenerator<DecodedRead, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let finished = false;
  try {
    while (true) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        if (error instanceof OclawError) throw error;
        throw new OclawError("E_STREAM", `${describe()}: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      if (next.done) {
        finished = true;
        yield { text: decoder.decode(), done: true };
        return;
      }
      yield { text: decoder.decode(next.value, { stream: true }), done: false };
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
