/**
 * The OpenAI-compatible wire shapes: a streamed chunk and a whole completion as zod schemas, and a hand
 * check of the common token chunk that skips zod on the hot path (tests/openai-chunks.test.ts proves the
 * hand check accepts only what the schema accepts, with the same meaning).
 */
import { lazySchema, z } from "../zod.ts";
import { isCopyableObject } from "../json-object.ts";

/**
 * The schemas, built on first use (the native path and most runs never parse an OpenAI chunk with zod).
 * Reasoning: Ollama (since 0.11.1) and OpenRouter send `reasoning`, vLLM and llama.cpp `reasoning_content`.
 */
export const openaiSchemas = lazySchema(() => {
  const ToolCallSchema = z.looseObject({
    index: z.number().nullish(),
    id: z.string().nullish(),
    function: z.looseObject({ name: z.string().nullish(), arguments: z.unknown() }).nullish(),
  });
  const UsageSchema = z.looseObject({
    prompt_tokens: z.number().nullish(),
    completion_tokens: z.number().nullish(),
  });
  const MessageFields = {
    content: z.string().nullish(),
    reasoning: z.string().nullish(),
    reasoning_content: z.string().nullish(),
    tool_calls: z.array(ToolCallSchema).nullish(),
  };
  return {
    usage: UsageSchema,
    /** One chunk of a streamed chat completion (an SSE `data:` line). */
    chunk: z.looseObject({
      choices: z.array(z.looseObject({
        delta: z.looseObject(MessageFields).nullish(),
        finish_reason: z.string().nullish(),
      })).nullish(),
      usage: UsageSchema.nullish(),
      error: z.unknown().optional(),
    }),
    /** A whole (non-streamed) chat completion. */
    completion: z.looseObject({
      choices: z.array(z.looseObject({
        message: z.looseObject(MessageFields).nullish(),
        finish_reason: z.string().nullish(),
      })).nullish(),
      usage: UsageSchema.nullish(),
      error: z.unknown().optional(),
    }),
  };
});

type Schemas = ReturnType<typeof openaiSchemas>;

/** Usage as the server reports it. */
export type WireUsage = z.infer<Schemas["usage"]>;

/** A parsed chunk. */
export type Chunk = z.infer<Schemas["chunk"]>;

/**
 * A token chunk (one choice whose delta holds only string content/reasoning, no finish_reason, usage or
 * error) checked by hand: it is nearly every chunk, and zod costs more per chunk than the rest of the
 * path (and ~1 ms to compile on first use, on the first token). Every other chunk goes through zod.
 */
export function plainChunk(json: unknown): Chunk | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const chunk = json as Record<string, unknown>;
  if (chunk.usage != null || "error" in chunk) return undefined;
  const choices = chunk.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const choice = choices[0] as Record<string, unknown> | null;
  if (typeof choice !== "object" || choice === null || Array.isArray(choice) || choice.finish_reason != null) {
    return undefined;
  }
  const delta = choice.delta as Record<string, unknown> | null | undefined;
  if (typeof delta !== "object" || delta === null || Array.isArray(delta) || delta.tool_calls != null) return undefined;
  for (const key of ["content", "reasoning", "reasoning_content"] as const) {
    const value = delta[key];
    if (value != null && typeof value !== "string") return undefined;
  }
  return chunk as Chunk;
}

const isNullish = (value: unknown) => value === null || value === undefined;
const nullishString = (value: unknown) => isNullish(value) || typeof value === "string";
const nullishNumber = (value: unknown) => isNullish(value) || (typeof value === "number" && Number.isFinite(value));

/**
 * Any chunk without tool calls or an error (the one with `finish_reason`, the usage chunk), checked by hand
 * as the schema would; undefined for anything else, which zod then judges and words.
 */
export function simpleChunk(json: unknown): Chunk | undefined {
  if (!isCopyableObject(json) || "error" in json) return undefined;
  const { choices, usage } = json;
  if (!isNullish(usage)) {
    if (!isCopyableObject(usage) || !nullishNumber(usage.prompt_tokens) || !nullishNumber(usage.completion_tokens)) return undefined;
  }
  if (isNullish(choices)) return json as Chunk;
  if (!Array.isArray(choices)) return undefined;
  for (const choice of choices) {
    if (!isCopyableObject(choice) || !nullishString(choice.finish_reason)) return undefined;
    const delta = choice.delta;
    if (isNullish(delta)) continue;
    if (!isCopyableObject(delta) || !isNullish(delta.tool_calls)) return undefined;
    if (!nullishString(delta.content) || !nullishString(delta.reasoning) || !nullishString(delta.reasoning_content)) return undefined;
  }
  return json as Chunk;
}
