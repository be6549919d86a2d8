/**
 * NDJSON over a byte stream: streaming UTF-8 decode → line splitting → JSON.parse, as an async iterator of
 * parsed values. A protocol violation (malformed line, a line over the size cap) is an E_STREAM error, never
 * a line skipped with a warning.
 */
import { OclawError } from "../errors.ts";
import { decodedReads } from "./decoded-reads.ts";
import { LineSplitter } from "./lines.ts";

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
  for await (const lines of ndjsonLines(body, options)) {
    const batch: unknown[] = [];
    let problem: unknown;
    try {
      for (const line of lines) {
        const value = parseNdjsonLine(line, source);
        if (value !== undefined) batch.push(value);
      }
    } catch (error) {
      problem = error;
    }
    if (batch.length > 0) yield batch;
    if (problem !== undefined) throw problem;
  }
}

/**
 * The text of one NDJSON line, parsed; undefined for a blank line. JSON.parse takes the `\r` of a CRLF line
 * as whitespace: only a line that fails to parse is looked at twice (whitespace alone is a blank line,
 * anything else a malformed one).
 * @throws OclawError E_STREAM for a malformed line, quoting a snippet
 */
export function parseNdjsonLine(line: string, source: string): unknown {
  if (line.length === 0) return undefined;
  try {
    return JSON.parse(line);
  } catch (error) {
    if (line.trim() === "") return undefined;
    throw new OclawError("E_STREAM", `${source} sent a malformed line: ${snippet(line)}`, { cause: error });
  }
}

/**
 * The lines of a body, unparsed: an array per network read, of the lines it completed (blank ones too,
 * a CRLF line with its `\r`); the last read's rest counts as a line. A consumer that parses each line and
 * drops it at once keeps no read's worth of parsed values alive (those would outlive a young-generation
 * collection and stay in memory until a full one).
 * @throws OclawError E_STREAM for a line over the cap, after the lines before it; the body's own errors
 */
export async function* ndjsonLines(
  body: ReadableStream<Uint8Array>,
  options: NdjsonOptions = {},
): AsyncGenerator<string[], void, undefined> {
  const source = options.source ?? "The server";
  const maxLength = options.maxLineLength ?? MAX_LINE_LENGTH;
  const splitter = new LineSplitter(maxLength, () =>
    new OclawError("E_STREAM", `${source} sent a line longer than ${formatSize(maxLength)}`, {
      hint: "The server does not look like it speaks NDJSON; check the base URL",
    }));
  for await (const read of decodedReads(body, () => source)) {
    const lines = splitter.split(read.text, read.done);
    if (lines.length > 0) yield lines;
    if (splitter.problem !== undefined) throw splitter.problem;
  }
}
