/**
 * One line of Ollama's `/api/chat` stream, read two ways that must agree: the zod schema, and a hand check
 * of the common token line that skips zod on the hot path (tests/ollama-lines.test.ts proves the hand check
 * accepts only what the schema accepts, with the same meaning).
 */
import { z } from "../zod.ts";

const ToolCallSchema = z.looseObject({
  id: z.string().optional(),
  function: z.looseObject({
    index: z.number().optional(),
    name: z.string(),
    // Ollama sends an object; a string (seen from proxies) is parsed.
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
  }),
});

const count = z.number().nonnegative().optional();

/** One line of an `/api/chat` stream (or the whole non-streamed answer). */
export const ChatLineSchema = z.looseObject({
  message: z.looseObject({
    content: z.string().optional(),
    thinking: z.string().optional(),
    tool_calls: z.array(ToolCallSchema).nullish(),
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

/** A parsed `/api/chat` line. */
export type ChatLine = z.infer<typeof ChatLineSchema>;

/**
 * A token line (done:false, string content/thinking, no tool calls) checked by hand: it is nearly every
 * line, and zod costs more per line than reading, splitting and JSON.parse together (and its first use
 * costs ~1 ms, on the first token). Every other line goes through {@link ChatLineSchema}.
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
  const message = line.message;
  if (typeof message !== "object" || message === null || Array.isArray(message)) return undefined;
  const { content, thinking, tool_calls } = message as Record<string, unknown>;
  if (tool_calls != null) return undefined;
  if (content !== undefined && typeof content !== "string") return undefined;
  if (thinking !== undefined && typeof thinking !== "string") return undefined;
  return line as ChatLine;
}
