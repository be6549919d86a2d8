/**
 * One line of Ollama's `/api/chat` stream, read two ways that must agree: the zod schema, and a hand check
 * of the common token line that skips zod on the hot path (tests/ollama-lines.test.ts proves the hand check
 * accepts only what the schema accepts, with the same meaning).
 */
import { lazySchema, z } from "../zod.ts";
import { isCopyableObject } from "../json-object.ts";

/** A tool call as a line carries it. */
export interface LineToolCall {
  id?: string | undefined;
  function: { index?: number | undefined; name: string; arguments?: Record<string, unknown> | string | undefined };
}

/** A parsed `/api/chat` line (unknown keys kept). */
export interface ChatLine {
  message?: { content?: string | undefined; thinking?: string | undefined; tool_calls?: LineToolCall[] | null | undefined } | undefined;
  done?: boolean | undefined;
  done_reason?: string | undefined;
  total_duration?: number | undefined;
  load_duration?: number | undefined;
  prompt_eval_count?: number | undefined;
  prompt_eval_duration?: number | undefined;
  eval_count?: number | undefined;
  eval_duration?: number | undefined;
  [key: string]: unknown;
}

/**
 * One line of an `/api/chat` stream (or the whole non-streamed answer), as zod reads it: built on first use,
 * which on a normal run is never (the hand checks below take every line Ollama sends without a tool call).
 */
export const chatLineSchema = lazySchema((): z.ZodType<ChatLine> => {
  const toolCall = z.looseObject({
    id: z.string().optional(),
    function: z.looseObject({
      index: z.number().optional(),
      name: z.string(),
      // Ollama sends an object; a string (seen from proxies) is parsed.
      arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
    }),
  });
  const count = z.number().nonnegative().optional();
  return z.looseObject({
    message: z.looseObject({
      content: z.string().optional(),
      thinking: z.string().optional(),
      tool_calls: z.array(toolCall).nullish(),
    }).optional(),
    done: z.boolean().optional(),
    done_reason: z.string().optional(),
    total_duration: count,
    load_duration: count,
    prompt_eval_count: count,
    prompt_eval_duration: count,
    eval_count: count,
    eval_duration: count,
  });
});

/** The done line's counters: absent, or a number zod's `nonnegative()` takes. */
const COUNTS = ["total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"];

/**
 * Any line without tool calls (the done line, a first line without `done`), checked by hand as the schema
 * would; undefined for anything else, which the schema then judges and words.
 */
export function simpleLine(value: unknown): ChatLine | undefined {
  if (!isCopyableObject(value)) return undefined;
  const line = value;
  if (line.done !== undefined && typeof line.done !== "boolean") return undefined;
  if (line.done_reason !== undefined && typeof line.done_reason !== "string") return undefined;
  for (const key of COUNTS) {
    const n = line[key];
    if (n !== undefined && !(typeof n === "number" && Number.isFinite(n) && n >= 0)) return undefined;
  }
  const message = line.message;
  return message === undefined || (isCopyableObject(message) && textOnly(message)) ? line as ChatLine : undefined;
}

/** A message with string content and thinking (each may be missing) and no tool calls. */
function textOnly(message: unknown): boolean {
  if (typeof message !== "object" || message === null || Array.isArray(message)) return false;
  const { content, thinking, tool_calls } = message as Record<string, unknown>;
  return tool_calls == null && (content === undefined || typeof content === "string") &&
    (thinking === undefined || typeof thinking === "string");
}

/**
 * A token line (done:false, string content/thinking, no tool calls) checked by hand: it is nearly every
 * line, and zod costs more per line than reading, splitting and JSON.parse together (and its first use
 * costs ~1 ms, on the first token). Every other line goes through {@link simpleLine}, then {@link chatLineSchema}.
 */
export function plainLine(value: unknown): ChatLine | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const line = value as Record<string, unknown>;
  if (line.done !== false || "error" in line) return undefined;
  // A token line has none of the done line's fields; a line that does is the schema's to judge.
  if (
    line.done_reason !== undefined || line.total_duration !== undefined || line.load_duration !== undefined ||
    line.prompt_eval_count !== undefined || line.prompt_eval_duration !== undefined ||
    line.eval_count !== undefined || line.eval_duration !== undefined
  ) return undefined;
  return textOnly(line.message) ? line as ChatLine : undefined;
}
