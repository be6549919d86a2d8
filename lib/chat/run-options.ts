/**
 * `-o/--option KEY=VALUE`: Ollama options (`num_ctx`, `temperature`, `stop` …) and the request's top-level
 * fields (`keep_alive`, `think`, `format`, `truncate`, `shift`) for one run, over the model's `params`.
 * Keys and types come from lib/client/ollama-options.ts (Ollama's api/types.go); a value is read as JSON5,
 * else as Ollama's own spellings (`10m`, `on`, a bare stop word).
 */
import JSON5 from "json5";
import { ALIASES, checkParam, OLLAMA_OPTIONS, parseOptionText, TOP_LEVEL_KEYS } from "../client/ollama-options.ts";
import { suggestKey } from "../config/suggest.ts";
import { OclawError, usageError } from "../errors.ts";

const KEYS = [...Object.keys(OLLAMA_OPTIONS), ...TOP_LEVEL_KEYS];

/** One `-o` value: JSON5 when it parses to a fitting value, else Ollama's text forms. */
function optionValue(key: string, text: string): unknown {
  const kind = OLLAMA_OPTIONS[key];
  let parsed: unknown;
  let json = true;
  try {
    parsed = JSON5.parse(text);
  } catch {
    json = false;
  }
  if (json) {
    // One stop word written as a JSON string is a list of one.
    if (kind === "strings" && typeof parsed === "string") parsed = [parsed];
    if (typeof parsed !== "string") {
      checkParam(key, parsed, `-o ${key}`, "E_USAGE");
      return parsed;
    }
  } else if (kind === "integer" || kind === "number") {
    throw usageError(`-o ${key} must be ${kind === "integer" ? "an integer" : "a number"}, not '${text}'`);
  }
  return parseOptionText(key, typeof parsed === "string" ? parsed : text);
}

/**
 * Reads the `-o` flags, in order (a later one wins).
 * @throws OclawError E_USAGE for a flag without `=`, an unknown key ("did you mean"), or a wrongly typed value
 */
export function parseRunOptions(entries: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq <= 0) throw usageError(`-o takes KEY=VALUE, not '${entry}'`, "For example: -o num_ctx=16384 -o temperature=0.2");
    const written = entry.slice(0, eq).trim();
    const key = ALIASES[written] ?? written;
    if (!KEYS.includes(key)) {
      const near = suggestKey(written, KEYS);
      throw usageError(
        `Unknown option '${written}' for -o`,
        near === undefined ? `Known: ${KEYS.join(", ")}` : `Did you mean ${near}?`,
      );
    }
    try {
      params[key] = optionValue(key, entry.slice(eq + 1));
    } catch (error) {
      if (error instanceof OclawError && error.code !== "E_USAGE") throw usageError(error.message, error.hint);
      throw error;
    }
  }
  return params;
}

/** `params` keys a `/v1` request carries (lib/client/openai-body.ts); others in `-o` do not reach such servers. */
export const OPENAI_PARAM_KEYS: ReadonlySet<string> = new Set([
  "temperature",
  "top_p",
  "seed",
  "stop",
  "presence_penalty",
  "frequency_penalty",
  "num_predict",
  "think",
]);
