/**
 * Reading config text: JSON5 parsing with `file:line:col` errors, and reading files with errors that say
 * which file and why.
 */
import { readFile } from "node:fs/promises";
import JSON5 from "json5";
import { OclawError } from "../errors.ts";
import { fsReason, isNotFound } from "../fs-errors.ts";

/**
 * Parses JSON5 config text; whitespace-only text is an empty object.
 * @throws OclawError E_CONFIG_PARSE naming `file:line:col`
 */
export function parseJson5(text: string, file: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON5.parse(text.replace(/^\uFEFF/, ""));
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
    return await readFile(file, "utf8");
  } catch (cause) {
    if (isNotFound(cause)) return undefined;
    throw new OclawError("E_CONFIG_INVALID", `Cannot read config file ${file}: ${fsReason(cause)}`, { cause });
  }
}
