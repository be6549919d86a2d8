/**
 * Decoded text split into lines a network read at a time, the step both stream parsers (NDJSON and SSE)
 * share. A partial line is kept as fragments with their running length: each read is split once, and a
 * long line is joined once (re-scanning the pending text on every read was quadratic).
 */
import type { OclawError } from "../errors.ts";

/** Splits text on `\n`, read by read, failing on a line over a cap. */
export class LineSplitter {
  #fragments: string[] = [];
  #pendingLength = 0;
  readonly #maxLength: number;
  readonly #tooLong: () => OclawError;
  /** A line over the cap: the lines before it were returned, this is to be thrown next. */
  problem: OclawError | undefined;

  /** `tooLong` words the error for a line longer than `maxLength` characters. */
  constructor(maxLength: number, tooLong: () => OclawError) {
    this.#maxLength = maxLength;
    this.#tooLong = tooLong;
  }

  /** The lines `text` completes (with `done`, the rest too); stops before a line over the cap. */
  split(text: string, done: boolean): string[] {
    // The native split beats a hand loop of indexOf + slice per line.
    const lines = text.split("\n");
    const tail = lines.pop()!;
    if (this.#fragments.length > 0 && lines.length > 0) lines[0] = this.#join(lines[0]!);
    // Only a line joined from fragments, or one of a read longer than the cap, can be over it.
    const over = text.length > this.#maxLength || (lines[0]?.length ?? 0) > this.#maxLength
      ? lines.findIndex((line) => line.length > this.#maxLength)
      : -1;
    if (over !== -1) {
      this.problem = this.#tooLong();
      return lines.slice(0, over);
    }
    if (tail.length > 0) {
      this.#fragments.push(tail);
      this.#pendingLength += tail.length;
      if (this.#pendingLength > this.#maxLength) this.problem = this.#tooLong();
    }
    if (done && this.#fragments.length > 0 && this.problem === undefined) lines.push(this.#join(""));
    return lines;
  }

  /** The pending fragments and `end` as one line. */
  #join(end: string): string {
    this.#fragments.push(end);
    const line = this.#fragments.join("");
    this.#fragments = [];
    this.#pendingLength = 0;
    return line;
  }
}
