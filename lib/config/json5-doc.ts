/**
 * Config text as the editor sees it: JSON5 allows five line terminators (LF, CR, CRLF, U+2028, U+2029), the
 * editor's line logic knows one. The editor reads a normalised view where every terminator is `\n`, plans its
 * change as splices of that view, and the splices are applied to the original text through an offset map,
 * so every byte it does not change stays as it was. New lines it writes use the file's own line ending.
 */

/** One change: replace `[start, end)` of the view by `insert` (written with `\n` line breaks). */
export interface Splice {
  start: number;
  end: number;
  insert: string;
}

const TERMINATOR = /\r\n|\r|\u2028|\u2029/g;

/** The original text, its normalised view and the way back. */
export class Json5Doc {
  /** The text with every line terminator as `\n` (a CRLF shrinks to one character). */
  readonly view: string;
  /** The file's line ending: the first of LF, CR, CRLF it uses, else of U+2028, U+2029; else `\n`. */
  readonly eol: string;
  readonly source: string;
  /** View offsets of the `\n`s that stand for a CRLF, ascending. */
  readonly #crlf: number[] = [];

  constructor(source: string) {
    this.source = source;
    let shift = 0;
    this.view = source.replace(TERMINATOR, (match, offset: number) => {
      if (match === "\r\n") {
        this.#crlf.push(offset - shift);
        shift++;
      }
      return "\n";
    });
    // A file that mixes endings: the first one seen decides (U+2028/U+2029 only when it uses nothing else).
    this.eol = /\r\n|\r|\n/.exec(source)?.[0] ?? /[\u2028\u2029]/.exec(source)?.[0] ?? "\n";
  }

  /** The source offset of view offset `p`: before a CRLF when `p` is its `\n`, after it when past. */
  toSource(p: number): number {
    let lo = 0;
    let hi = this.#crlf.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#crlf[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    return p + lo;
  }

  /** The source text of view range `[start, end)`. */
  sourceSlice(start: number, end: number): string {
    return this.source.slice(this.toSource(start), this.toSource(end));
  }

  /** The source with the splices applied (ranges must not overlap); inserted line breaks use {@link eol}. */
  apply(splices: Splice[]): string {
    let out = this.source;
    for (const s of [...splices].sort((a, b) => b.start - a.start || b.end - a.end)) {
      const insert = this.eol === "\n" ? s.insert : s.insert.replace(/\n/g, this.eol);
      out = out.slice(0, this.toSource(s.start)) + insert + out.slice(this.toSource(s.end));
    }
    return out;
  }
}
