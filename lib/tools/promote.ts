/**
 * Tool calls that small local models write as reply text instead of the `tool_calls` field, turned into
 * real calls — only when they name a declared tool; anything else stays text. The forms seen in the wild:
 * - `<tool_call>{"name":…,"arguments":…}</tool_call>`: Qwen/Hermes templates when the server's parser
 *   misses them (tinker-feedback#128, omlx#2565);
 * - `[TOOL_CALLS][{"name":…,"arguments":…}]`, and `[TOOL_CALLS]name[ARGS]{…}`: Mistral's tokens;
 * - a reply that is only `{"name":…,"arguments":…}` (or `"parameters"`, Llama 3.x), maybe in a ```json
 *   fence or an array: qwen2.5-coder, granite (google/adk-python#1648, ollama/ollama-vscode#20);
 * - `<function=name>{…}</function>`: Llama 3.1's custom-tool format; `<|python_tag|>{…}`: its built-in one.
 */
import { isJsonObject } from "../json-object.ts";

/** A call found in text. */
export interface TextCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** Markers after which the rest of a reply may be a call (held back until the reply ends). */
const MARKERS = ["<tool_call>", "[TOOL_CALLS]", "<function=", "<|python_tag|>"];

/** The JSON value starting at `start` (after spaces) and where it ends, or undefined. */
function readJson(text: string, start: number): { value: unknown; end: number } | undefined {
  let i = start;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  const open = text[i];
  if (open !== "{" && open !== "[") return undefined;
  let depth = 0;
  let inString = false;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (inString) {
      if (c === "\\") j++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      if (--depth === 0) {
        try {
          return { value: JSON.parse(text.slice(i, j + 1)), end: j + 1 };
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

/** `{name, arguments|parameters}` as a call (arguments may be a JSON string), or undefined. */
function callOf(value: unknown, name?: string): TextCall | undefined {
  if (!isJsonObject(value)) return undefined;
  let args: unknown = name === undefined ? value.arguments ?? value.parameters : value;
  const callName = name ?? value.name;
  if (typeof callName !== "string") return undefined;
  if (typeof args === "string") {
    try {
      args = JSON.parse(args);
    } catch {
      return undefined;
    }
  }
  if (args === undefined) args = {};
  if (!isJsonObject(args)) return undefined;
  if (name === undefined && Object.keys(value).some((k) => !["name", "arguments", "parameters", "id", "type"].includes(k))) {
    return undefined;
  }
  return { name: callName, arguments: args };
}

function callsOf(value: unknown): TextCall[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return undefined;
  const calls = list.map((v) => callOf(v));
  return calls.every((c): c is TextCall => c !== undefined) ? calls : undefined;
}

/** Calls in tagged text (`<tool_call>`, `[TOOL_CALLS]`, `<function=`, `<|python_tag|>`), with the text around. */
function taggedCalls(text: string): { calls: TextCall[]; rest: string } | undefined {
  const calls: TextCall[] = [];
  let rest = "";
  let i = 0;
  while (i < text.length) {
    const found = MARKERS.map((m) => ({ m, at: text.indexOf(m, i) })).filter((f) => f.at >= 0).sort((a, b) => a.at - b.at)[0];
    if (found === undefined) break;
    rest += text.slice(i, found.at);
    let at = found.at + found.m.length;
    if (found.m === "<function=") {
      const close = text.indexOf(">", at);
      if (close < 0) return undefined;
      const name = text.slice(at, close).trim();
      const json = readJson(text, close + 1);
      const call = json && callOf(json.value, name);
      if (!json || !call) return undefined;
      calls.push(call);
      at = json.end;
      const end = text.slice(at).match(/^\s*<\/function>/);
      if (end) at += end[0].length;
    } else if (found.m === "[TOOL_CALLS]" && /^\s*[A-Za-z_][\w.-]*\s*\[ARGS\]/.test(text.slice(at))) {
      // [TOOL_CALLS]name[ARGS]{…}, possibly several in a row.
      const head = text.slice(at).match(/^\s*([A-Za-z_][\w.-]*)\s*\[ARGS\]/)!;
      const json = readJson(text, at + head[0].length);
      const call = json && callOf(json.value, head[1]);
      if (!json || !call) return undefined;
      calls.push(call);
      at = json.end;
    } else {
      const json = readJson(text, at);
      const found = json && callsOf(json.value);
      if (!json || !found) return undefined;
      calls.push(...found);
      at = json.end;
      const end = text.slice(at).match(/^\s*<\/tool_call>/);
      if (end) at += end[0].length;
    }
    i = at;
  }
  if (calls.length === 0) return undefined;
  return { calls, rest: rest + text.slice(i) };
}

/**
 * The calls written in a reply's text, when every one names a declared tool; the text around them (kept
 * when it is more than spaces). Undefined when the text holds no call, or a call of an undeclared tool.
 */
export function promoteText(text: string, declared: ReadonlySet<string>): { calls: TextCall[]; rest: string } | undefined {
  let found = taggedCalls(text);
  if (found === undefined) {
    const bare = text.trim().replace(/^```(?:json)?\s*\n?([\s\S]*?)\n?```$/, "$1");
    const json = readJson(bare, 0);
    const calls = json && bare.slice(json.end).trim() === "" ? callsOf(json.value) : undefined;
    if (calls !== undefined) found = { calls, rest: "" };
  }
  if (found === undefined || !found.calls.every((c) => declared.has(c.name))) return undefined;
  return { calls: found.calls, rest: found.rest.trim() };
}

/**
 * Holds back the part of a streaming reply that may be a written call, so it is not printed before the
 * reply ends: everything from a marker on, and a whole reply that starts like JSON (`{`, `[`, ```).
 * Text that cannot be a call goes out as it arrives.
 */
export class TextCallFilter {
  #held = "";
  #holding = false;
  #emitted = false;

  /** Takes one text piece; returns what may be shown now. */
  push(text: string): string {
    if (this.#holding) {
      this.#held += text;
      return "";
    }
    const buf = this.#held + text;
    if (!this.#emitted) {
      const start = buf.trimStart();
      if (start === "") {
        this.#held = buf;
        return "";
      }
      if (/^(\{|\[|`)/.test(start) || MARKERS.some((m) => start.startsWith(m) || m.startsWith(start))) {
        this.#holding = MARKERS.some((m) => start.startsWith(m)) || /^(\{|\[|`)/.test(start);
        this.#held = buf;
        if (this.#holding) return "";
      }
    }
    // Hold from the first place a marker starts (whole) or may start (a prefix at the end).
    let cut = buf.length;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      if (c !== "<" && c !== "[") continue;
      const tail = buf.slice(i);
      if (MARKERS.some((m) => tail.startsWith(m))) {
        cut = i;
        this.#holding = true;
        break;
      }
      if (MARKERS.some((m) => m.startsWith(tail))) {
        cut = i;
        break;
      }
    }
    this.#held = buf.slice(cut);
    const out = buf.slice(0, cut);
    if (out !== "") this.#emitted = true;
    return out;
  }

  /** The held text, at the reply's end (to be promoted or shown). */
  end(): string {
    const held = this.#held;
    this.#held = "";
    this.#holding = false;
    return held;
  }
}
