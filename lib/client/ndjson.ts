/**
 * NDJSON over a byte stream: streaming UTF-8 decode → line splitting → JSON.parse, as an async iterator of
 * parsed values. A protocol violation (malformed line, a line over the size cap) is an E_STREAM error, never
 * a line skipped with a warning.
 */
import { OclawError } from "../errors.ts";

/** Longest line accepted, in characters (a runaway server must not eat the host's memory). */
export const MAX_LINE_LENGTH = 16 * 1024 * 1024;

/** Options for {@link ndjsonValues}. */
export interface NdjsonOptions {
  /** Longest line accepted (default {@link MAX_LINE_LENGTH}). */
  maxLineLength?: number;
  /** Who sent the stream, for messages: "Ollama at http://127.0.0.1:11434". */
  source?: string;
}

/** A short, single-line excerpt of a bad line for an error message (≤ 80 characters). */
export function snippet(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * Splits decoded text into lines (`\n` or `\r\n`), dropping blank ones; the last line may lack a newline.
 * @throws OclawError E_STREAM (through the stream) when a line grows past `maxLength`
 */
export class LineSplitStream extends TransformStream<string, string> {
  constructor(maxLength: number = MAX_LINE_LENGTH, source = "The server") {
    let pending = "";
    const tooLong = () =>
      new OclawError("E_STREAM", `${source} sent a line longer than ${formatSize(maxLength)}`, {
        hint: "The server does not look like it speaks NDJSON; check the base URL",
      });
    const emit = (line: string, controller: TransformStreamDefaultController<string>) => {
      const text = line.endsWith("\r") ? line.slice(0, -1) : line;
      if (text.trim() !== "") controller.enqueue(text);
    };
    super({
      transform(chunk, controller) {
        let start = 0;
        let newline = chunk.indexOf("\n");
        if (newline === -1) {
          pending += chunk;
          if (pending.length > maxLength) throw tooLong();
          return;
        }
        if (pending.length + newline > maxLength) throw tooLong();
        emit(pending + chunk.slice(0, newline), controller);
        pending = "";
        start = newline + 1;
        while ((newline = chunk.indexOf("\n", start)) !== -1) {
          if (newline - start > maxLength) throw tooLong();
          emit(chunk.slice(start, newline), controller);
          start = newline + 1;
        }
        pending = chunk.slice(start);
        if (pending.length > maxLength) throw tooLong();
      },
      flush(controller) {
        if (pending !== "") emit(pending, controller);
        pending = "";
      },
    });
  }
}

function formatSize(chars: number): string {
  return chars % (1024 * 1024) === 0 ? `${chars / 1024 / 1024} MiB` : `${chars} characters`;
}

/**
 * Reads a body as NDJSON and yields each line's parsed JSON value. Stopping the iteration early cancels
 * the body (which closes the connection, so the server stops generating).
 * @throws OclawError E_STREAM for a malformed line (quoting a snippet) or a line over the cap; errors of
 *   the body itself (E_TIMEOUT, E_STREAM, an abort) pass through as they are.
 */
export async function* ndjsonValues(
  body: ReadableStream<Uint8Array>,
  options: NdjsonOptions = {},
): AsyncGenerator<unknown, void, undefined> {
  const source = options.source ?? "The server";
  const lines = body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new LineSplitStream(options.maxLineLength, source));
  const reader = lines.getReader();
  let finished = false;
  try {
    while (true) {
      const next = await reader.read();
      if (next.done) {
        finished = true;
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(next.value);
      } catch (error) {
        throw new OclawError("E_STREAM", `${source} sent a malformed line: ${snippet(next.value)}`, {
          cause: error,
        });
      }
      yield value;
    }
  } finally {
    // An early stop (consumer break, error, abort) must release the connection.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
