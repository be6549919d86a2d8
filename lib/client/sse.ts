/**
 * Server-sent events from a response body, through eventsource-parser: decode UTF-8 as a stream (a
 * character split across chunks stays whole), parse events, fail on anything that is not SSE.
 */
import { EventSourceParserStream } from "eventsource-parser/stream";
import { errorMessageFromBody } from "../http.ts";
import { OclawError } from "../errors.ts";
import { snippet } from "./ndjson.ts";

/** One parsed SSE event. */
export interface SseMessage {
  event?: string | undefined;
  data: string;
}

/** Largest event oclaw buffers (a runaway server cannot eat the memory). */
export const MAX_SSE_EVENT_CHARS = 8 * 1024 * 1024;


/**
 * Yields the events of an SSE body. A line that is not SSE fails the stream with E_STREAM: Ollama writes
 * a mid-stream failure as a bare `{"error":{...}}` line, whose message becomes the error's.
 * @throws OclawError E_STREAM for non-SSE input or an event over {@link MAX_SSE_EVENT_CHARS}; the body's
 *   own errors (E_TIMEOUT, E_ABORTED ...) as they come.
 */
export async function* sseMessages(
  body: ReadableStream<Uint8Array>,
  describe: () => string,
): AsyncGenerator<SseMessage, void, undefined> {
  let problem: OclawError | undefined;
  const events = body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(
      new EventSourceParserStream({
        maxBufferSize: MAX_SSE_EVENT_CHARS,
        onError: (error) => {
          const line = (error as { line?: string }).line ?? "";
          const message = errorMessageFromBody(line);
          problem ??= message !== undefined
            ? new OclawError("E_STREAM", `${describe()} failed mid-stream: ${message}`, { cause: error })
            : new OclawError(
              "E_STREAM",
              `${describe()} sent a line that is not SSE: ${snippet(line || error.message)}`,
              {
                cause: error,
              },
            );
        },
      }),
    );
  try {
    for await (const message of events) {
      if (problem !== undefined) break;
      yield message;
    }
  } catch (error) {
    if (error instanceof OclawError) throw error;
    throw problem ??
      new OclawError("E_STREAM", `${describe()}: ${(error as Error)?.message ?? String(error)}`, {
        cause: error,
      });
  }
  if (problem !== undefined) throw problem;
}
