/**
 * Where things are in JSON5 text: a tree of objects, arrays and scalars with the source range of every
 * member, for edits that splice the original text. It is not a validator — text is checked with the
 * `json5` package first — but it reads everything JSON5 allows, including reserved words as unquoted
 * keys (`default: true`), which @croct/json5-parser rejects.
 */
import JSON5 from "json5";

/** A value in the text: its kind, range and (for objects and arrays) members. */
export interface Json5Node {
  kind: "object" | "array" | "scalar";
  /** Offset of the first character (`{`, `[`, or the scalar's). */
  start: number;
  /** Offset after the last character. */
  end: number;
  members: Json5Member[];
}

/** An object property or an array element. */
export interface Json5Member {
  /** The property name (decoded); undefined for array elements. */
  key?: string;
  /** True when the key is written as a string literal. */
  keyQuoted?: boolean;
  /** Range of the whole member: key through value. */
  start: number;
  end: number;
  value: Json5Node;
}

/**
 * Reads the structure of JSON5 text. `source` gives the original text of a range when `text` is a view of it
 * (json5-doc.ts: line terminators as `\n`), so a quoted key is decoded from what the file holds.
 * @throws SyntaxError when the text is not shaped like JSON5 (callers parse it with `json5` first)
 */
export function parseJson5Tree(text: string, source?: (start: number, end: number) => string): Json5Node {
  const reader = new Reader(text, source ?? ((start, end) => text.slice(start, end)));
  const root = reader.value();
  reader.trivia();
  if (reader.pos < text.length) reader.fail("unexpected text after the value");
  return root;
}

const LINE_TERMINATORS = new Set(["\n", "\r", "\u2028", "\u2029"]);

/** Skips whitespace and comments from `pos`; returns the first offset that is neither. */
export function skipTrivia(text: string, pos: number, newlines = true): number {
  for (;;) {
    const c = text[pos];
    if (c === "\n" || c === "\u2028" || c === "\u2029") {
      if (!newlines) return pos;
      pos++;
    } else if (c === " " || c === "\t" || (c !== undefined && /[\r\v\f\u00a0\ufeff\p{Zs}]/u.test(c))) pos++;
    else if (text.startsWith("/*", pos)) {
      const close = text.indexOf("*/", pos + 2);
      pos = close === -1 ? text.length : close + 2;
    } else if (text.startsWith("//", pos)) {
      if (!newlines) return pos;
      // A line comment ends at any JSON5 line terminator (LF, CR, U+2028, U+2029).
      pos += 2;
      while (pos < text.length && !LINE_TERMINATORS.has(text[pos]!)) pos++;
    } else return pos;
  }
}

/** What ends a scalar value, and an unquoted key; whitespace ends both. */
const VALUE_END = new Set([",", "]", "}", ":", "/"]);
const KEY_END = new Set([":", "/"]);

function isDelimiter(c: string, ends: Set<string>): boolean {
  return ends.has(c) || c === " " || c === "\n" || c === "\t" || (c > "~" || c < " ") && /\s/.test(c);
}

/**
 * A key's name: plain identifiers and quoted keys without escapes as written (most keys, and fast on a big
 * file); anything else (escapes, `\u0061bc`) through the json5 package.
 */
function decodeKey(raw: string, quoted: boolean): string {
  if (quoted) return raw.includes("\\") ? JSON5.parse<string>(raw) : raw.slice(1, -1);
  if (/^[A-Za-z_$][\w$]*$/.test(raw)) return raw;
  return Object.keys(JSON5.parse<object>(`{${raw}:0}`))[0]!;
}

/** Deepest nesting the reader follows (above json5-text.ts's limit for configs, far below the stack's). */
const MAX_TREE_DEPTH = 256;

class Reader {
  pos = 0;
  depth = 0;
  constructor(private readonly text: string, private readonly source: (start: number, end: number) => string) {}

  fail(why: string): never {
    throw new SyntaxError(`${why} at offset ${this.pos}`);
  }

  trivia(): void {
    this.pos = skipTrivia(this.text, this.pos);
  }

  value(): Json5Node {
    this.trivia();
    const c = this.text[this.pos];
    if (c === "{" || c === "[") {
      const [kind, close] = c === "{" ? ["object", "}"] as const : ["array", "]"] as const;
      // Inside a structure, a nested one is only skipped; its members are read when asked for. An edit
      // follows one path, so a big file costs a scan, not a tree of every value in it.
      return this.depth === 0 ? this.structure(kind, close) : this.lazy(kind, close);
    }
    const start = this.pos;
    if (c === '"' || c === "'") this.string();
    else {
      // Numbers, true/false/null, Infinity, NaN, with signs: everything up to a delimiter.
      while (this.pos < this.text.length && !isDelimiter(this.text[this.pos]!, VALUE_END)) this.pos++;
      if (this.pos === start) this.fail("expected a value");
    }
    return { kind: "scalar", start, end: this.pos, members: [] };
  }

  string(): void {
    const quote = this.text[this.pos];
    this.pos++;
    while (this.pos < this.text.length && this.text[this.pos] !== quote) {
      this.pos += this.text[this.pos] === "\\" ? 2 : 1;
    }
    if (this.pos >= this.text.length) this.fail("unterminated string");
    this.pos++;
  }

  /** Skips the structure at `pos`; the node reads its members on first use. */
  lazy(kind: "object" | "array", close: "}" | "]"): Json5Node {
    const start = this.pos;
    let depth = 0;
    do {
      const c = this.text[this.pos];
      const next = this.text[this.pos + 1];
      if (c === '"' || c === "'") {
        this.string();
        continue;
      }
      if (c === "/" && (next === "/" || next === "*")) {
        this.trivia();
        continue;
      }
      if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") depth--;
      this.pos++;
    } while (depth > 0 && this.pos < this.text.length);
    if (depth > 0) this.fail(`unterminated ${kind}`);
    const end = this.pos;
    const { text, source } = this;
    let members: Json5Member[] | undefined;
    return {
      kind,
      start,
      end,
      get members() {
        if (members === undefined) {
          const reader = new Reader(text, source);
          reader.pos = start;
          members = reader.structure(kind, close).members;
        }
        return members;
      },
    };
  }

  structure(kind: "object" | "array", close: "}" | "]"): Json5Node {
    const start = this.pos;
    // The callers check nesting first (json5-text.ts); this keeps the recursion bounded whatever they do.
    if (++this.depth > MAX_TREE_DEPTH) this.fail(`nested deeper than ${MAX_TREE_DEPTH} levels`);
    this.pos++;
    const members: Json5Member[] = [];
    for (;;) {
      this.trivia();
      if (this.text[this.pos] === close) break;
      const memberStart = this.pos;
      let key: string | undefined;
      let keyQuoted: boolean | undefined;
      if (kind === "object") {
        keyQuoted = this.text[this.pos] === '"' || this.text[this.pos] === "'";
        if (keyQuoted) this.string();
        else while (this.pos < this.text.length && !isDelimiter(this.text[this.pos]!, KEY_END)) this.pos++;
        const raw = this.source(memberStart, this.pos);
        if (raw === "") this.fail("expected a key");
        key = decodeKey(raw, keyQuoted);
        this.trivia();
        if (this.text[this.pos] !== ":") this.fail("expected ':'");
        this.pos++;
      }
      const value = this.value();
      const member: Json5Member = { start: memberStart, end: value.end, value };
      if (key !== undefined) {
        member.key = key;
        member.keyQuoted = keyQuoted!;
      }
      members.push(member);
      this.trivia();
      if (this.text[this.pos] === ",") this.pos++;
      else if (this.text[this.pos] !== close) this.fail(`expected ',' or '${close}'`);
    }
    this.pos++;
    this.depth--;
    return { kind, start, end: this.pos, members };
  }
}
