/**
 * `$include`: an object's `"$include": "file"` or `["a", "b"]` is replaced by the included files' content
 * (paths relative to the including file, deep-merged in order), with the object's other keys merged on top.
 * Includes nest up to {@link MAX_INCLUDE_DEPTH} deep, cycles are rejected, and no include may leave the
 * directory of the top-level config file (also not through a symlink).
 */
import { realpath } from "node:fs/promises";
import path from "node:path";
import { OclawError } from "../errors.ts";
import { type KeySegment, formatKeyPath } from "./key-path.ts";
import { parseJson5, readTextIfExists } from "./json5-text.ts";
import { isJsonObject } from "../json-object.ts";

/** The key that includes other files. */
export const INCLUDE_KEY = "$include";

/** How deep includes may nest. */
export const MAX_INCLUDE_DEPTH = 10;

/** Reads a file's text, or undefined when it does not exist. */
export type ReadText = (file: string) => Promise<string | undefined>;

interface Frame {
  file: string;
  chain: string[];
  root: string;
  /** The root with its symlinks resolved, looked up once, only when there is an include to check. */
  rootReal: () => Promise<string>;
  readText: ReadText;
}

/** Merges `source` into `target`: objects key by key, arrays concatenated, anything else replaced. */
export function deepMerge(target: unknown, source: unknown): unknown {
  if (Array.isArray(target) && Array.isArray(source)) return [...target, ...source];
  if (isJsonObject(target) && isJsonObject(source)) {
    const out: Record<string, unknown> = { ...target };
    for (const [key, value] of Object.entries(source)) {
      if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
      out[key] = key in out ? deepMerge(out[key], value) : value;
    }
    return out;
  }
  return source;
}

/**
 * Replaces every `$include` in a parsed config (read from `file`) by the included content.
 * @throws OclawError E_CONFIG_INVALID for a cycle, too deep nesting, an escape, a missing or unreadable file;
 *   E_CONFIG_PARSE for an included file that is not valid JSON5
 */
export async function resolveIncludes(
  value: unknown,
  file: string,
  readText: ReadText = readTextIfExists,
): Promise<unknown> {
  const root = path.dirname(path.resolve(file));
  let real: Promise<string> | undefined;
  const rootReal = () => (real ??= realpath(root).catch(() => root));
  return await processValue(value, { file: path.resolve(file), chain: [path.resolve(file)], root, rootReal, readText }, []);
}

/** True when `value` holds a `$include` anywhere (one walk, nothing copied). */
function hasInclude(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) for (const item of current) stack.push(item);
    else if (isJsonObject(current)) {
      if (INCLUDE_KEY in current) return true;
      for (const item of Object.values(current)) stack.push(item);
    }
  }
  return false;
}

async function processValue(value: unknown, frame: Frame, at: KeySegment[]): Promise<unknown> {
  // Most of a config (all of most configs) has no $include: it is used as parsed, not copied.
  if (!hasInclude(value)) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const [i, item] of value.entries()) out.push(await processValue(item, frame, [...at, i]));
    return out;
  }
  if (!isJsonObject(value)) return value;
  const rest: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key !== INCLUDE_KEY) rest[key] = await processValue(item, frame, [...at, key]);
  }
  if (!(INCLUDE_KEY in value)) return rest;
  const included = await loadIncludes(value[INCLUDE_KEY], frame, [...at, INCLUDE_KEY]);
  if (Object.keys(rest).length === 0) return included;
  if (!isJsonObject(included)) {
    throw invalid(frame, at, "an included file must hold an object when the including object has other keys");
  }
  return deepMerge(included, rest);
}

async function loadIncludes(spec: unknown, frame: Frame, at: KeySegment[]): Promise<unknown> {
  if (typeof spec === "string") return await loadOne(spec, frame, at);
  if (Array.isArray(spec)) {
    let merged: unknown = {};
    for (const [i, item] of spec.entries()) {
      if (typeof item !== "string") throw invalid(frame, [...at, i], "expected a file path string");
      merged = deepMerge(merged, await loadOne(item, frame, [...at, i]));
    }
    return merged;
  }
  throw invalid(frame, at, "expected a file path or an array of file paths");
}

async function loadOne(includePath: string, frame: Frame, at: KeySegment[]): Promise<unknown> {
  const target = path.resolve(path.dirname(frame.file), includePath);
  if (!isInside(frame.root, target)) {
    throw invalid(frame, at, `'${includePath}' escapes the config directory ${frame.root}`, "Keep included files next to the config file or below it");
  }
  const real = await realpath(target).catch(() => undefined);
  if (real !== undefined && !isInside(await frame.rootReal(), real)) {
    throw invalid(frame, at, `'${includePath}' resolves outside the config directory ${frame.root} through a symlink`);
  }
  if (frame.chain.includes(target)) {
    const cycle = [...frame.chain, target].map((f) => path.relative(frame.root, f) || f).join(" -> ");
    throw invalid(frame, at, `include cycle ${cycle}`, "Remove one of the includes that form the cycle");
  }
  if (frame.chain.length > MAX_INCLUDE_DEPTH) {
    throw invalid(frame, at, `includes nest deeper than ${MAX_INCLUDE_DEPTH} files`);
  }
  const text = await frame.readText(target);
  if (text === undefined) throw invalid(frame, at, `included file ${target} does not exist`);
  const parsed = parseJson5(text, target);
  return await processValue(parsed, { ...frame, file: target, chain: [...frame.chain, target] }, []);
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

function invalid(frame: Frame, at: KeySegment[], why: string, hint?: string): OclawError {
  return new OclawError("E_CONFIG_INVALID", `Invalid $include at ${formatKeyPath(at)} in ${frame.file}: ${why}`, {
    hint,
  });
}
