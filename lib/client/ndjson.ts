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
  const maxLength = options.maxLineLength ?? MAX_LINE_LENGTH;
  const tooLong = () =>
    new OclawError("E_STREAM", `${source} sent a line longer than ${formatSize(maxLength)}`, {
      hint: "The server does not look like it speaks NDJSON; check the base URL",
    });
  // JSON.parse takes the `\r` of a CRLF line as whitespace, and a blank line is skipped: only a line that
  // fails to parse is looked at twice (whitespace alone is a blank line, anything else a malformed one).
  const parseInto = (batch: unknown[], line: string): void => {
    if (line.length === 0) return;
    try {
      batch.push(JSON.parse(line));
    } catch (error) {
      if (line.trim() === "") return;
      throw new OclawError("E_STREAM", `${source} sent a malformed line: ${snippet(line)}`, { cause: error });
    }
  };
  // A partial line is kept as fragments with their running length: each read is split once, and a long
  // line is joined once (re-scanning the pending text on every read was quadratic).
  let fragments: string[] = [];
  let pendingLength = 0;
  for await (const read of decodedReads(body, () => source)) {
    // The native split beats a hand loop of indexOf + slice per line.
    const lines = read.text.split("\n");
    const batch: unknown[] = [];
    let problem: OclawError | undefined;
    try {
      const last = lines.length - 1;
      for (let i = 0; i < last; i++) {
        let line = lines[i]!;
        if (i === 0 && fragments.length > 0) {
          if (pendingLength + line.length > maxLength) throw tooLong();
          fragments.push(line);
          line = fragments.join("");
          fragments = [];
          pendingLength = 0;
        } else if (line.length > maxLength) throw tooLong();
        parseInto(batch, line);
      }
      const tail = lines[last]!;
      if (tail.length > 0) {
        fragments.push(tail);
        pendingLength += tail.length;
        if (pendingLength > maxLength) throw tooLong();
      }
      if (read.done && fragments.length > 0) {
        const rest = fragments.join("");
        fragments = [];
        pendingLength = 0;
        parseInto(batch, rest);
      }
    } catch (error) {
      problem = error as OclawError;
    }
    if (batch.length > 0) yield batch;
    if (problem !== undefined) throw problem;
  }
}
