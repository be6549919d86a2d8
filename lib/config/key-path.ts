/**
 * Config key paths as users write them: dot-separated names, brackets for keys that contain dots or
 * slashes (`agents.defaults.models["ollama/x"].params.num_ctx`) and for array indexes (`models[0]`).
 */
import { usageError } from "../errors.ts";

/** One step of a key path: an object key or an array index. */
export type KeySegment = string | number;

const PLAIN = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Keys that name JavaScript's object machinery: reading the config drops them (include.ts), so a `set` of
 * one would report success and a `get` say "not set". Refused in every path.
 */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Parses a key path.
 * @throws OclawError E_USAGE for an empty path, an empty segment, an unclosed bracket, or a `__proto__`,
 *   `constructor` or `prototype` segment
 */
export function parseKeyPath(text: string): KeySegment[] {
  const segments: KeySegment[] = [];
  let i = 0;
  const fail = (why: string) =>
    usageError(
      `Invalid config path '${text}': ${why}`,
      `Write it like agents.defaults.model.primary or agents.defaults.models["ollama/x"].params.num_ctx`,
    );
  if (text.trim() === "") throw fail("empty path");
  while (i < text.length) {
    if (text[i] === "[") {
      const close = findClose(text, i);
      if (close === -1) throw fail("unclosed '['");
      const inner = text.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else if (/^(["']).*\1$/s.test(inner)) {
        const key = unquote(inner);
        if (key === "") throw fail("empty key in brackets");
        segments.push(key);
      } else if (inner !== "") segments.push(inner);
      else throw fail("empty brackets");
      i = close + 1;
      if (text[i] === ".") {
        i++;
        if (i >= text.length) throw fail("trailing '.'");
      }
      continue;
    }
    let end = i;
    while (end < text.length && text[end] !== "." && text[end] !== "[") end++;
    const name = text.slice(i, end);
    if (name === "") throw fail("empty key");
    segments.push(name);
    i = end;
    if (text[i] === ".") {
      i++;
      if (i >= text.length) throw fail("trailing '.'");
    }
  }
  const reserved = segments.find((s) => typeof s === "string" && RESERVED_KEYS.has(s));
  if (reserved !== undefined) {
    throw usageError(
      `Invalid config path '${text}': '${reserved}' cannot be a config key`,
      "__proto__, constructor and prototype are never read from a config file",
    );
  }
  return segments;
}

function findClose(text: string, open: number): number {
  const quote = text[open + 1];
  if (quote === '"' || quote === "'") {
    for (let j = open + 2; j < text.length; j++) {
      if (text[j] === "\\") j++;
      else if (text[j] === quote) return text[j + 1] === "]" ? j + 1 : -1;
    }
    return -1;
  }
  return text.indexOf("]", open);
}

function unquote(quoted: string): string {
  const body = quoted.slice(1, -1);
  return body.replace(/\\(.)/g, "$1");
}

/** Formats a key path the way {@link parseKeyPath} reads it (and the way error messages name keys). */
export function formatKeyPath(segments: readonly (string | number | symbol)[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "symbol") out += `[${String(segment)}]`;
    else if (PLAIN.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? "(root)" : out;
}
