/**
 * Server-sent events from a response body: streaming UTF-8 decode, lines a network read at a time, and
 * {@link SseParser} reading them synchronously, one event at a time. Not eventsource-parser any more: on a
 * fast stream its per-event objects, the copy of each read it joins and the arrays oclaw then built from its
 * callbacks cost about a third of the /v1 path, and a read's worth of live events outlived young-generation
 * collections (issue 19's profile). Anything that is not SSE fails the stream.
 */
import { errorMessageFromBody } from "./server-errors.ts";
import { OclawError } from "../errors.ts";
import { decodedReads } from "./decoded-reads.ts";
import { LineSplitter } from "./lines.ts";
import { snippet } from "./ndjson.ts";

/** One parsed SSE event: its `event:` type (undefined for the default, "message") and its data. */
export interface SseMessage {
  event: string | undefined;
  data: string;
}

/** Largest event oclaw buffers (a runaway server cannot eat the memory). */
export const MAX_SSE_EVENT_CHARS = 8 * 1024 * 1024;

const tooLong = (describe: () => string) => () =>
  new OclawError("E_STREAM", `${describe()} sent an SSE event longer than ${MAX_SSE_EVENT_CHARS / 1024 / 1024} MiB`);

/**
 * The lines of an SSE body, an array per network read. Lines end with `\n`, `\r\n` or a lone `\r`; a byte
 * order mark at the start is dropped. After the last read comes a blank line, so that a last event
 * without its own (`data: [DONE]` at the very end) still counts.
 * @throws OclawError E_STREAM for a line over {@link MAX_SSE_EVENT_CHARS} (after the lines before it); the
 *   body's own errors (E_TIMEOUT, E_ABORTED ...) as they come
 */
export async function* sseLines(body: ReadableStream<Uint8Array>, describe: () => string): AsyncGenerator<string[], void, undefined> {
  const splitter = new LineSplitter(MAX_SSE_EVENT_CHARS, tooLong(describe));
  let start = true;
  // A `\r` that ended a read: a `\n` starting the next one belongs to it.
  let carriage = false;
  for await (const read of decodedReads(body, describe)) {
    let text = read.text;
    if (start && text !== "") {
      start = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (carriage) text = `\r${text}`;
    carriage = !read.done && text.endsWith("\r");
    if (carriage) text = text.slice(0, -1);
    if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
    const lines = splitter.split(text, read.done);
    if (splitter.problem === undefined && read.done) lines.push("");
    if (lines.length > 0) yield lines;
    if (splitter.problem !== undefined) throw splitter.problem;
  }
}

/** Reads SSE lines into events (the fields of the WHATWG event stream format; `id` and `retry` are read and not used). */
export class SseParser {
  readonly #describe: () => string;
  #event: string | undefined;
  #data: string | undefined;

  constructor(describe: () => string) {
    this.#describe = describe;
  }

  /**
   * Reads one line; returns the event a blank line completes.
   * @throws OclawError E_STREAM for a line that is not SSE (a bare `{"error":...}` line, as Ollama writes a
   *   mid-stream failure, names its message) or an event over {@link MAX_SSE_EVENT_CHARS}
   */
  line(line: string): SseMessage | undefined {
    if (line === "") return this.#dispatch();
    // Nearly every line is `data: {...}`.
    if (line.startsWith("data:")) {
      this.#addData(line.slice(line.charCodeAt(5) === 0x20 ? 6 : 5));
      return undefined;
    }
    if (line.charCodeAt(0) === 0x3a) return undefined; // A comment (`: ping`).
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + (line.charCodeAt(colon + 1) === 0x20 ? 2 : 1));
    switch (field) {
      case "data":
        this.#addData(value);
        return undefined;
      case "event":
        this.#event = value === "" ? undefined : value;
        return undefined;
      case "id":
        return undefined;
      case "retry":
        if (/^\d+$/.test(value)) return undefined;
        break;
    }
    throw this.#notSse(line);
  }

  #addData(value: string): void {
    this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
    if (this.#data.length > MAX_SSE_EVENT_CHARS) throw tooLong(this.#describe)();
  }

  #dispatch(): SseMessage | undefined {
    const data = this.#data;
    const event = this.#event;
    this.#data = undefined;
    this.#event = undefined;
    return data === undefined ? undefined : { event, data };
  }

  #notSse(line: string): OclawError {
    const message = errorMessageFromBody(line);
    if (message !== undefined) return new OclawError("E_STREAM", `${this.#describe()} failed mid-stream: ${message}`);
    return new OclawError("E_STREAM", `${this.#describe()} sent a line that is not SSE: ${snippet(line)}`);
  }
}
