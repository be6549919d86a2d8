/**
 * The hand check of the common OpenAI-compatible token chunk (the fast path before zod) against the schema
 * it stands in for: on every value the hand check accepts, the schema accepts it too and reads the same
 * text and reasoning.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type Chunk, openaiSchemas, plainChunk, simpleChunk } from "../lib/client/openai-chunks.ts";

/** A token chunk as servers send it. */
const tokenChunk = fc.record({
  id: fc.string(),
  object: fc.constant("chat.completion.chunk"),
  choices: fc.tuple(fc.record({
    index: fc.constant(0),
    delta: fc.record({ role: fc.constant("assistant"), content: fc.string(), reasoning: fc.string(), reasoning_content: fc.string() }, {
      requiredKeys: [],
    }),
    finish_reason: fc.constant(null),
  })),
});

const KEYS = [
  "choices", "usage", "error", "choice", "choice.delta", "choice.finish_reason", "delta.content", "delta.reasoning",
  "delta.reasoning_content", "delta.tool_calls",
];

/** A token chunk with one or two parts (top level, the choice, or the delta) set to anything at all. */
const perturbedChunk = fc.tuple(
  tokenChunk,
  fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.oneof(fc.anything(), fc.constant(null), fc.array(fc.anything()))), { minLength: 1, maxLength: 2 }),
).map(([chunk, changes]) => {
  const choice: Record<string, unknown> = { ...chunk.choices[0], delta: { ...chunk.choices[0].delta } };
  const out: Record<string, unknown> = { ...chunk, choices: [choice] };
  for (const [key, value] of changes) {
    const [where, name] = key.split(".") as [string, string | undefined];
    if (name === undefined && where === "choice") out.choices = [value];
    else if (name === undefined) out[where] = value;
    else if (where === "choice") choice[name] = value;
    else if (typeof choice.delta === "object" && choice.delta !== null) (choice.delta as Record<string, unknown>)[name] = value;
  }
  return out;
});

/** What the events are made of. */
function meaning(chunk: Chunk) {
  const choice = chunk.choices?.[0];
  return {
    content: choice?.delta?.content ?? undefined,
    reasoning: choice?.delta?.reasoning ?? undefined,
    reasoningContent: choice?.delta?.reasoning_content ?? undefined,
    toolCalls: choice?.delta?.tool_calls ?? undefined,
    finish: choice?.finish_reason ?? undefined,
    usage: chunk.usage ?? undefined,
  };
}

test("every chunk the hand check accepts, the schema accepts, with the same text and reasoning (property)", () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(tokenChunk, perturbedChunk, perturbedChunk, fc.anything()), (value) => {
      const wire: unknown = JSON.parse(JSON.stringify(value ?? null));
      const plain = plainChunk(wire);
      if (plain === undefined) return;
      accepted++;
      const parsed = openaiSchemas().chunk.safeParse(wire);
      assert.ok(parsed.success, `the schema rejects a chunk the hand check accepts: ${JSON.stringify(wire)}`);
      assert.deepEqual(meaning(plain), meaning(parsed.data));
    }),
    { numRuns: 5000 },
  );
  assert.ok(accepted > 100, `the generator reaches the fast path (${accepted} of 5000)`);
});

/** The last chunks of a stream: a finish_reason, then (with include_usage) the usage with no choices. */
const closingChunk = fc.oneof(
  fc.record({
    id: fc.string(),
    choices: fc.tuple(fc.record({ index: fc.constant(0), delta: fc.oneof(fc.constant({}), fc.constant(null), fc.record({ content: fc.string() })), finish_reason: fc.constantFrom("stop", "length", null) })),
  }),
  fc.record({
    id: fc.string(),
    choices: fc.constantFrom([], null),
    usage: fc.oneof(fc.constant(null), fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat(), total_tokens: fc.nat() }, { requiredKeys: [] })),
  }),
);

const perturbedClosing = fc.tuple(
  closingChunk,
  fc.constantFrom("choices", "usage", "error", "usage.prompt_tokens", "choice.finish_reason", "choice.delta", "delta.tool_calls", "delta.content"),
  fc.oneof(fc.anything(), fc.constant(null), fc.double()),
).map(([chunk, key, value]) => {
  const out: Record<string, unknown> = structuredClone(chunk);
  const [where, name] = key.split(".") as [string, string | undefined];
  const choice = Array.isArray(out.choices) && typeof out.choices[0] === "object" && out.choices[0] !== null ? out.choices[0] as Record<string, unknown> : undefined;
  if (name === undefined) out[where] = value;
  else if (where === "usage" && typeof out.usage === "object" && out.usage !== null) (out.usage as Record<string, unknown>)[name] = value;
  else if (where === "choice" && choice) choice[name] = value;
  else if (where === "delta" && choice && typeof choice.delta === "object" && choice.delta !== null) (choice.delta as Record<string, unknown>)[name] = value;
  return out;
});

test("every chunk simpleChunk accepts, the schema accepts and reads the same, finish_reason and usage included (property)", () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(closingChunk, perturbedClosing, perturbedClosing, tokenChunk, fc.anything()), (value) => {
      const wire: unknown = JSON.parse(JSON.stringify(value ?? null));
      const simple = simpleChunk(wire);
      if (simple === undefined) return;
      accepted++;
      const parsed = openaiSchemas().chunk.safeParse(wire);
      assert.ok(parsed.success, `the schema rejects a chunk simpleChunk accepts: ${JSON.stringify(wire)}`);
      assert.deepEqual(simple, parsed.data);
    }),
    { numRuns: 5000 },
  );
  assert.ok(accepted > 500, `the generator reaches the hand check (${accepted} of 5000)`);
});

test("simpleChunk leaves an object with an own __proto__ key to zod, whose copy would drop it", () => {
  for (const text of ['{"__proto__":0,"choices":[]}', '{"choices":[{"__proto__":0,"finish_reason":"stop"}]}', '{"choices":[{"delta":{"__proto__":0}}]}']) {
    assert.equal(simpleChunk(JSON.parse(text)), undefined, text);
  }
  assert.deepEqual(simpleChunk({ choices: [{ delta: {}, finish_reason: "stop" }] }), { choices: [{ delta: {}, finish_reason: "stop" }] });
});
