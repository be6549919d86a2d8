/**
 * How a config file is written, so that an edit writes like it: the indentation step and quote character
 * it uses, whether keys are quoted, and values rendered in that style — on one line, or spread over lines
 * when the line would grow past {@link LONG_LINE} or the surroundings are multi-line.
 */
import JSON5 from "json5";
import { usageError } from "../errors.ts";
import type { Json5Node } from "./json5-tree.ts";

/** The writing style of a file. */
export interface Style {
  /** One indentation step. */
  unit: string;
  quote: '"' | "'";
}

/** The style of `text`: its smallest indentation (a tab when it uses tabs) and its more frequent quote. */
export function detectStyle(text: string): Style {
  const indents = [...text.matchAll(/\n([ \t]+)\S/g)].map((m) => m[1]!);
  let unit = "  ";
  if (indents.some((i) => i.startsWith("\t"))) unit = "\t";
  else if (indents.length > 0) unit = " ".repeat(Math.min(8, Math.min(...indents.map((i) => i.length))));
  const singles = (text.match(/'/g) ?? []).length;
  const doubles = (text.match(/"/g) ?? []).length;
  return { unit, quote: singles > doubles ? "'" : '"' };
}

/** Leading whitespace of the line containing `index`. */
export function lineIndent(text: string, index: number): string {
  const lineStart = text.lastIndexOf("\n", index - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** Whether keys inside `node` are written quoted: as its first key is, else as the file mostly does. */
export function quoteKeys(node: Json5Node, text: string): boolean {
  const first = node.kind === "object" ? node.members[0] : node.members.find((m) => m.value.kind === "object" && m.value.members.length > 0)?.value.members[0];
  if (first) return first.keyQuoted === true;
  return !/^\s*[A-Za-z_$][\w$]*\s*:/m.test(text);
}

/** A key as the file writes it: bare when it may be and keys are not quoted there. */
export function renderKey(key: string, quoted: boolean, style: Style): string {
  if (!quoted && /^[A-Za-z_$][\w$]*$/.test(key)) return key;
  return style.quote === '"' ? JSON.stringify(key) : JSON5.stringify(key, { quote: "'" });
}

/** The longest line an edit writes a structured value into; past it the value goes multi-line. */
const LONG_LINE = 120;

/** The longest list of plain values written on one line inside a multi-line value. */
const SHORT_LIST_CHARS = 60;

/** Renders a value for insertion at a line indented by `indent`; `multiline` false keeps it on one line. */
export function renderValue(value: unknown, indent: string, style: Style, quotedKeys: boolean, multiline: boolean): string {
  const render = (v: unknown, pad: string): string => {
    if (v === null || typeof v === "boolean") return String(v);
    if (typeof v === "number") return JSON5.stringify(v);
    if (typeof v === "string") return style.quote === '"' ? JSON.stringify(v) : JSON5.stringify(v, { quote: "'" });
    const inner = pad + style.unit;
    const entries = Array.isArray(v)
      ? v.map((item) => render(item, inner))
      : Object.entries(v as Record<string, unknown>).map(([k, item]) => `${renderKey(k, quotedKeys, style)}: ${render(item, inner)}`);
    const [open, close] = Array.isArray(v) ? ["[", "]"] : ["{", "}"];
    if (entries.length === 0) return open + close;
    const oneLine = `${open}${entries.join(", ")}${close}`;
    // A short list of plain values reads best on one line (`input: ["text", "image"]`), as people write it.
    const short = Array.isArray(v) && v.every((item) => typeof item !== "object" || item === null) &&
      oneLine.length <= SHORT_LIST_CHARS;
    if (!multiline || short) return oneLine;
    return `${open}\n${entries.map((e) => inner + e).join(",\n")}\n${pad}${close}`;
  };
  if (value === undefined || typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
    throw usageError("Cannot store that value in a config file");
  }
  return render(value, indent);
}

/** True when the node spans more than one line. */
export function isMultiline(text: string, node: Json5Node): boolean {
  return text.slice(node.start, node.end).includes("\n");
}

/** True for an object or array value. */
export function isStructured(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}

/**
 * True when `inserted` at `index` would make its line longer than {@link LONG_LINE}: a structured value goes
 * multi-line then, even inside a one-line parent (a discovered model list in `ollama: { baseUrl, models }`).
 */
export function tooLong(text: string, index: number, inserted: string): boolean {
  const lineStart = text.lastIndexOf("\n", index - 1) + 1;
  const lineEnd = text.indexOf("\n", index);
  const rest = lineEnd === -1 ? text.length - index : lineEnd - index;
  return index - lineStart + inserted.length + rest > LONG_LINE;
}

/** True when the value at `index` sits inside a one-line structure (`{"a": {"b": 1}}`). */
export function lineIsCompact(text: string, index: number): boolean {
  const lineStart = text.lastIndexOf("\n", index - 1) + 1;
  const before = text.slice(lineStart, index);
  const opens = (before.match(/[{[]/g) ?? []).length;
  const closes = (before.match(/[}\]]/g) ?? []).length;
  return opens > closes;
}
