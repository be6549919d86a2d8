/**
 * Server-sent events from a response body, through eventsource-parser: decode UTF-8 as a stream (a
 * character split across chunks stays whole), parse events, fail on anything that is not SSE.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { errorMessageFromBody } from "./server-errors.ts";
import { OclawError } from "../errors.ts";
import { decodedReads } from "./decoded-reads.ts";
import { snippet } from "./ndjson.ts";

/** One parsed SSE event. */
export type SseMessage = EventSourceMessage;

/** Largest event oclaw buffers (a runaway server cannot eat the memory). */
export const MAX_SSE_EVENT_CHARS = 8 * 1024 * 1024;

/** A parse problem, kept in order with the events before it (those still reach the caller). */
type Item = { message: SseMessage } | { problem: OclawError };

function parseProblem(error: Error, describe: () => string): OclawError {
  const line = (error as { line?: string }).line ?? "";
  const message = errorMessageFromBody(line);
  if (message !== undefined) {
    return new OclawError("E_STREAM", `${describe()} failed mid-stream: ${message}`, { cause: error });
  }
  return new OclawError("E_STREAM", `${describe()} sent a line that is not SSE: ${snippet(line || error.message)}`, {
    cause: error,
  });
}

/**
 * Yields the events of an SSE body, an array per network read. A line that is not SSE fails the stream
 * with E_STREAM after the events before it: Ollama writes a mid-stream failure as a bare `{"error":{...}}` line, whose message
 * becomes the error's.
 * @throws OclawError E_STREAM for non-SSE input or an event over {@link MAX_SSE_EVENT_CHARS}; the body's
 *   own errors (E_TIMEOUT, E_ABORTED ...) as they come.
 */
export async function* sseBatches(
  body: ReadableStream<Uint8Array>,
  describe: () => string,
): AsyncGenerator<SseMessage[], void, undefined> {
  // The events of one read are yielded together, in order, a problem after the events before it.
  let items: Item[] = [];
  let failed = false;
  const parser = createParser({
    onEvent: (message) => items.push({ message }),
    onError: (error) => {
      failed = true;
      items.push({ problem: parseProblem(error, describe) });
    },
    maxBufferSize: MAX_SSE_EVENT_CHARS,
  });
  for await (const read of decodedReads(body, describe)) {
    // A last event without its blank line (`data: [DONE]` at the very end) still counts.
    if (!failed) parser.feed(read.done ? read.text + "\n\n" : read.text);
    const batch: SseMessage[] = [];
    let problem: OclawError | undefined;
    for (const item of items) {
      if ("problem" in item) {
        problem = item.problem;
        break;
      }
      batch.push(item.message);
    }
    items = [];
    if (batch.length > 0) yield batch;
    if (problem !== undefined) throw problem;
  }
}
