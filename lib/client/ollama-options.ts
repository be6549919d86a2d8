/**
 * What Ollama accepts in a chat request besides the messages: the keys of `options` (a fixed set, read from
 * Ollama's api/types.go `Options` and `Runner`, v0.33) with their Go types, and the fields that belong at
 * the top level of the request (`format`, `keep_alive`, `truncate`, `shift`, `think`). A model's `params`
 * mix all of these with oclaw's own (`streaming`); {@link splitParams} sorts them and refuses a known key
 * with a wrong type before anything is sent (Ollama answers 500 for it, which looks like a server failure).
 */
import { type ErrorCode, OclawError } from "../errors.ts";

/** The JSON type Ollama's `Options.FromMap` demands of a key (api/types.go). */
export type OptionKind = "integer" | "number" | "boolean" | "strings";

/**
 * Ollama's `options` keys and their types (api/types.go v0.33: `Runner` then `Options`). Keys outside this
 * table only earn a "invalid option provided" line in the server log: the request goes on without them.
 */
export const OLLAMA_OPTIONS: Readonly<Record<string, OptionKind>> = {
  // Runner: fixed when the model is loaded; a different value reloads it.
  num_ctx: "integer",
  num_batch: "integer",
  num_gpu: "integer",
  main_gpu: "integer",
  use_mmap: "boolean",
  num_thread: "integer",
  draft_num_predict: "integer",
  // Options: per request.
  num_keep: "integer",
  seed: "integer",
  num_predict: "integer",
  top_k: "integer",
  top_p: "number",
  min_p: "number",
  typical_p: "number",
  repeat_last_n: "integer",
  temperature: "number",
  repeat_penalty: "number",
  presence_penalty: "number",
  frequency_penalty: "number",
  stop: "strings",
};

/** Request fields that Ollama reads at the top level of `/api/chat`, not inside `options` (api/types.go). */
export const TOP_LEVEL_KEYS = ["format", "keep_alive", "truncate", "shift", "think"] as const;

/** One of {@link TOP_LEVEL_KEYS}. */
export type TopLevelKey = typeof TOP_LEVEL_KEYS[number];

/** `params` keys that are oclaw's (or OpenClaw's) own and never sent as such. */
export const OWN_KEYS: ReadonlySet<string> = new Set(["streaming"]);

/** Other names for a key (`params.thinking` is OpenClaw's spelling of `think`). */
export const ALIASES: Readonly<Record<string, TopLevelKey>> = { thinking: "think" };

/** The top-level fields a model's params set, typed as sent. */
export interface TopLevel {
  format?: "json" | Record<string, unknown>;
  /** Seconds (negative: forever) or a Go duration ("10m"). */
  keep_alive?: number | string;
  truncate?: boolean;
  shift?: boolean;
  think?: boolean | "low" | "medium" | "high" | "max";
}

/** Params sorted into what goes where. */
export interface SplitParams {
  /** The body's `options`: known keys only. */
  options: Record<string, unknown>;
  /** The body's top-level fields. */
  topLevel: TopLevel;
  /** Keys Ollama does not know (not sent; worth a warning). */
  unknown: string[];
}

/** A Go `time.ParseDuration` string: "300ms", "-1.5h", "2h45m", or a bare "0". */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;

const THINK_LEVELS = new Set(["low", "medium", "high", "max"]);

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value === "object" ? "an object" : `the ${typeof value}`} ${typeof value === "object" ? "" : String(value)}`.trim();
}

/** What a known key must be, in words; undefined when the value fits. */
function typeProblem(key: string, value: unknown): string | undefined {
  const kind = OLLAMA_OPTIONS[key];
  switch (kind) {
    case "integer":
      return Number.isInteger(value) ? undefined : "an integer";
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? undefined : "a number";
    case "boolean":
      return typeof value === "boolean" ? undefined : "true or false";
    case "strings":
      return Array.isArray(value) && value.every((s) => typeof s === "string") ? undefined : "an array of strings";
  }
  switch (key as TopLevelKey) {
    case "format":
      return value === "json" || (typeof value === "object" && value !== null && !Array.isArray(value))
        ? undefined
        : '"json" or a JSON schema object';
    case "keep_alive":
      return (typeof value === "number" && Number.isFinite(value)) || (typeof value === "string" && GO_DURATION.test(value))
        ? undefined
        : 'a number of seconds or a duration such as "10m" (negative: keep loaded)';
    case "truncate":
    case "shift":
      return typeof value === "boolean" ? undefined : "true or false";
    case "think":
      return typeof value === "boolean" || (typeof value === "string" && THINK_LEVELS.has(value))
        ? undefined
        : 'true, false, "low", "medium", "high" or "max"';
  }
  return undefined;
}

/** True for a key that Ollama reads (in `options` or at the top level), an alias of one, or oclaw's own. */
export function isKnownKey(key: string): boolean {
  return key in OLLAMA_OPTIONS || (TOP_LEVEL_KEYS as readonly string[]).includes(key) || key in ALIASES ||
    OWN_KEYS.has(key);
}

/**
 * Checks one known key's value against the type Ollama demands.
 * @param where how to name the key in the message (`params.temperature of ollama/qwen3`)
 * @throws OclawError `code` (E_CONFIG_INVALID by default) naming the key, what it holds and what it must be
 */
export function checkParam(key: string, value: unknown, where = key, code: ErrorCode = "E_CONFIG_INVALID"): void {
  const name = ALIASES[key] ?? key;
  const want = typeProblem(name, value);
  if (want === undefined) return;
  throw new OclawError(code, `${where} must be ${want}, not ${describe(value)}`, {
    hint: `Ollama refuses a wrongly typed ${name}; fix or remove ${where}`,
  });
}

/**
 * Sorts a model's params into Ollama `options`, top-level fields and unknown keys, checking every known
 * key's type. `params.thinking` counts as `think` (an explicit `think` wins); `null` values are left out,
 * as Ollama skips them.
 * @param where names the params in messages, e.g. `params of ollama/qwen3` → `params.top_k of ollama/qwen3`
 * @throws OclawError E_CONFIG_INVALID for a known key with a wrong type
 */
export function splitParams(params: Record<string, unknown>, where = "params"): SplitParams {
  const split: SplitParams = { options: {}, topLevel: {}, unknown: [] };
  const [head, ...rest] = where.split(" ");
  const named = (key: string) => [`${head}.${key}`, ...rest].join(" ");
  const top = split.topLevel as Record<string, unknown>;
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || OWN_KEYS.has(key)) continue;
    if (key in OLLAMA_OPTIONS) {
      checkParam(key, value, named(key));
      split.options[key] = value;
    } else if ((TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
      checkParam(key, value, named(key));
      top[key] = value;
    } else if (key in ALIASES) {
      checkParam(key, value, named(key));
      const target = ALIASES[key]!;
      if (!(target in params) || params[target] === undefined || params[target] === null) top[target] = value;
    } else {
      split.unknown.push(key);
    }
  }
  return split;
}

/**
 * Reads a per-run option written as text (`-o KEY=VALUE`): numbers for numeric keys, `true`/`false` (or
 * `on`/`off`) for switches, a JSON array or one string for `stop`, a JSON object or `json` for `format`,
 * seconds or a Go duration for `keep_alive`, a level or on/off for `think`.
 * @throws OclawError E_USAGE for an unknown key (with the known ones) or a value of the wrong type
 */
export function parseOptionText(key: string, text: string): unknown {
  const name = ALIASES[key] ?? key;
  if (!(name in OLLAMA_OPTIONS) && !(TOP_LEVEL_KEYS as readonly string[]).includes(name)) {
    throw new OclawError("E_USAGE", `Unknown option '${key}'`, {
      hint: `Known: ${[...Object.keys(OLLAMA_OPTIONS), ...TOP_LEVEL_KEYS].join(", ")}`,
    });
  }
  const kind = OLLAMA_OPTIONS[name];
  const trimmed = text.trim();
  const bool = (t: string) => ({ true: true, on: true, false: false, off: false } as Record<string, boolean>)[t.toLowerCase()];
  let value: unknown = text;
  if (kind === "integer" || kind === "number" || (name === "keep_alive" && /^[-+]?\d+(\.\d+)?$/.test(trimmed))) {
    value = trimmed === "" ? NaN : Number(trimmed);
  } else if (kind === "boolean" || name === "truncate" || name === "shift") {
    value = bool(trimmed) ?? text;
  } else if (kind === "strings") {
    value = trimmed.startsWith("[") ? parseJson(trimmed, key) : [text];
  } else if (name === "format") {
    value = trimmed === "json" ? "json" : parseJson(trimmed, key);
  } else if (name === "think") {
    value = bool(trimmed) ?? trimmed.toLowerCase();
  }
  checkParam(name, value, `-o ${key}`, "E_USAGE");
  return value;
}

function parseJson(text: string, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new OclawError("E_USAGE", `-o ${key}: not valid JSON: ${(error as Error).message}`);
  }
}
