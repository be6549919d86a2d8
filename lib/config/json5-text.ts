/**
 * Reading config text: JSON5 parsing with `file:line:col` errors, and reading files with errors that say
 * which file and why.
 */
import JSON5 from "json5";
import { OclawError } from "../errors.ts";
import { fsReason, isNotFound } from "../fs-errors.ts";
import { readTextFile } from "../read-now.ts";

/**
 * The deepest nesting of objects and arrays a config may have. OpenClaw's own configs nest about eight
 * levels; every later step (includes, `${VAR}` substitution, validation, the editor) walks the value, and a
 * limit keeps that walk off the call stack's end and its memory linear.
 */
export const MAX_CONFIG_DEPTH = 64;

/**
 * Checks that no object or array in JSON5 text nests deeper than {@link MAX_CONFIG_DEPTH}, in one pass
 * over the text (strings and comments skipped), before anything builds the value.
 * @throws OclawError E_CONFIG_PARSE naming `file:line:col` of the first bracket too deep
 */
export function checkNesting(text: string, file: string): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x27) {
      // A string: to its closing quote, escapes skipped.
      for (i++; i < text.length && text.charCodeAt(i) !== c; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x2f && text[i + 1] === "/") {
      while (i < text.length && !"\n\r\u2028\u2029".includes(text[i]!)) i++;
    } else if (c === 0x2f && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close === -1 ? text.length : close + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_CONFIG_DEPTH) {
        const before = text.slice(0, i);
        const line = before.split(/\r\n|[\n\r\u2028\u2029]/).length;
        const column = i - Math.max(before.lastIndexOf("\n"), before.lastIndexOf("\r"));
        throw new OclawError("E_CONFIG_PARSE", `Invalid config ${file}:${line}:${column}: nested deeper than ${MAX_CONFIG_DEPTH} levels`, {
          hint: "A config is a few levels of objects; this file was not written for oclaw or OpenClaw",
        });
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/**
 * Parses JSON5 config text; whitespace-only text is an empty object.
 * @throws OclawError E_CONFIG_PARSE naming `file:line:col`, also for nesting deeper than {@link MAX_CONFIG_DEPTH}
 */
export function parseJson5(text: string, file: string): unknown {
  if (text.trim() === "") return {};
  checkNesting(text, file);
  const source = text.replace(/^\uFEFF/, "");
  // Most configs are plain JSON (OpenClaw writes them so), which the runtime's parser reads many times
  // faster than json5's; JSON5 is a superset, so a text JSON accepts means the same to both.
  if (source.trimStart().startsWith("{")) {
    try {
      return JSON.parse(source);
    } catch {
      // JSON5 then: comments, unquoted keys, trailing commas; its errors name line and column.
    }
  }
  try {
    return JSON5.parse(source);
  } catch (cause) {
    const e = cause as { lineNumber?: unknown; columnNumber?: unknown; message?: unknown };
    const line = typeof e.lineNumber === "number" ? e.lineNumber : undefined;
    const column = typeof e.columnNumber === "number" ? e.columnNumber : undefined;
    const where = line === undefined ? file : `${file}:${line}:${column ?? 1}`;
    const why = String(e.message ?? cause).replace(/^JSON5:\s*/, "").replace(/\s+at \d+:\d+$/, "");
    throw new OclawError("E_CONFIG_PARSE", `Invalid JSON5 in ${where}: ${why}`, {
      hint: "Fix the syntax there (comments, unquoted keys and trailing commas are fine)",
      cause,
    });
  }
}


/**
 * Reads a text file, or undefined when it does not exist.
 * @throws OclawError E_CONFIG_INVALID when it exists but cannot be read
 */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readTextFile(file);
  } catch (cause) {
    if (isNotFound(cause)) return undefined;
    throw new OclawError("E_CONFIG_INVALID", `Cannot read config file ${file}: ${fsReason(cause)}`, { cause });
  }
}
