/**
 * NDJSON over a byte stream: streaming UTF-8 decode → line splitting → JSON.parse, as an async iterator of
 * parsed values. A protocol violation (malformed line, a line over the size cap) is an E_STREAM error, never
 * a line skipped with a warning.
 */
import { OclawError } from "../errors.ts";
import { decodedReads } from "./decoded-reads.ts";

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
  for await (const batch of ndjsonBatches(body, options)) yield* batch;
}

/**
 * Like {@link ndjsonValues}, but yields the values of the lines one network read completed together, as
 * one array: a consumer may treat them as one moment (a fast stream delivers hundreds of lines a read).
 * A problem is thrown after the values of the lines before it were yielded.
 */
export async function* ndjsonBatches(
  body: ReadableStream<Uint8Array>,
  options: NdjsonOptions = {},
): AsyncGenerator<unknown[], void, undefined> {
  const source = options.source ?? "The server";
  const lines = new NdjsonLines(source, options.maxLineLength ?? MAX_LINE_LENGTH);
  for await (const read of decodedReads(body, () => source)) {
    const batch: unknown[] = [];
    let problem: unknown;
    try {
      lines.parse(read.text, read.done, batch);
    } catch (error) {
      problem = error;
    }
    if (batch.length > 0) yield batch;
    if (problem !== undefined) throw problem;
  }
}

/**
 * Splits decoded text into lines and parses them, one read at a time, in one synchronous pass (the engine
 * optimises a plain method's loop sooner than one inside an async generator). A partial line is kept as
 * fragments with their running length: each read is split once, and a long line is joined once
 * (re-scanning the pending text on every read was quadratic).
 */
class NdjsonLines {
  #fragments: string[] = [];
  #pendingLength = 0;
  readonly #source: string;
  readonly #maxLength: number;

  constructor(source: string, maxLength: number) {
    this.#source = source;
    this.#maxLength = maxLength;
  }

  /**
   * Parses the lines `text` completes (with `done`, the rest too) into `values`.
   * @throws OclawError E_STREAM for a malformed line or a line over the cap, after the values before it
   */
  parse(text: string, done: boolean, values: unknown[]): void {
    // The native split beats a hand loop of indexOf + slice per line.
    const lines = text.split("\n");
    const last = lines.length - 1;
    for (let i = 0; i < last; i++) {
      let line = lines[i]!;
      if (i === 0 && this.#fragments.length > 0) line = this.#join(line);
      else if (line.length > this.#maxLength) throw this.#tooLong();
      this.#parseInto(values, line);
    }
    const tail = lines[last]!;
    if (tail.length > 0) {
      this.#fragments.push(tail);
      this.#pendingLength += tail.length;
      if (this.#pendingLength > this.#maxLength) throw this.#tooLong();
    }
    if (done && this.#fragments.length > 0) this.#parseInto(values, this.#join(""));
  }

  /** The pending fragments and `end` as one line. */
  #join(end: string): string {
    if (this.#pendingLength + end.length > this.#maxLength) throw this.#tooLong();
    this.#fragments.push(end);
    const line = this.#fragments.join("");
    this.#fragments = [];
    this.#pendingLength = 0;
    return line;
  }

  // JSON.parse takes the `\r` of a CRLF line as whitespace, and a blank line is skipped: only a line that
  // fails to parse is looked at twice (whitespace alone is a blank line, anything else a malformed one).
  #parseInto(values: unknown[], line: string): void {
    if (line.length === 0) return;
    try {
      values.push(JSON.parse(line));
    } catch (error) {
      if (line.trim() === "") return;
      throw new OclawError("E_STREAM", `${this.#source} sent a malformed line: ${snippet(line)}`, { cause: error });
    }
  }

  #tooLong(): OclawError {
    return new OclawError("E_STREAM", `${this.#source} sent a line longer than ${formatSize(this.#maxLength)}`, {
      hint: "The server does not look like it speaks NDJSON; check the base URL",
    });
  }
}
