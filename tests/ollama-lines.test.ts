/**
 * The hand check of the common `/api/chat` token line (the fast path before zod) against the schema it
 * stands in for: on every value the hand check accepts, the schema accepts it too and reads the same text,
 * thinking and done flag (issue 11: nothing else ties the fast path to the schema).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { chatLineSchema, plainLine, simpleLine } from "../lib/client/ollama-lines.ts";

/** Values near a token line: each field missing, of the right type, or of a wrong one. */
const field = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof(good, fc.constant(undefined), fc.constant(null), fc.integer({ min: -5, max: 5 }), fc.string(), fc.boolean(), fc.array(fc.string()), fc.object());

const nearTokenLine = fc.record({
  model: field(fc.string()),
  created_at: field(fc.string()),
  message: fc.oneof(
    fc.record({
      role: field(fc.constant("assistant")),
      content: field(fc.string()),
      thinking: field(fc.string()),
      tool_calls: field(fc.array(fc.record({ function: fc.record({ name: fc.string(), arguments: fc.object() }) }))),
      images: field(fc.array(fc.string())),
    }, { requiredKeys: [] }),
    fc.array(fc.string()),
    fc.string(),
    fc.constant(null),
  ),
  done: field(fc.constant(false)),
  done_reason: field(fc.string()),
  total_duration: field(fc.nat()),
  load_duration: field(fc.nat()),
  prompt_eval_count: field(fc.nat()),
  prompt_eval_duration: field(fc.nat()),
  eval_count: field(fc.nat()),
  eval_duration: field(fc.nat()),
  error: field(fc.string()),
}, { requiredKeys: [] });

/** A token line as Ollama sends it. */
const tokenLine = fc.record({
  model: fc.string(),
  created_at: fc.string(),
  message: fc.record({ role: fc.constant("assistant"), content: fc.string(), thinking: fc.string() }, { requiredKeys: ["role"] }),
  done: fc.constant(false),
});

const KEYS = [
  "message", "done", "done_reason", "total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration",
  "eval_count", "eval_duration", "error", "message.content", "message.thinking", "message.tool_calls", "message.role",
];

/** A token line with one or two fields (top level or in the message) set to anything at all. */
const perturbedTokenLine = fc.tuple(
  tokenLine,
  fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.oneof(fc.anything(), fc.constant(undefined), fc.array(fc.anything()))), { minLength: 1, maxLength: 2 }),
).map(([line, changes]) => {
  const out: Record<string, unknown> = { ...line, message: { ...line.message } };
  for (const [key, value] of changes) {
    const [top, inner] = key.split(".") as [string, string | undefined];
    if (inner === undefined) out[top] = value;
    else if (typeof out.message === "object" && out.message !== null) (out.message as Record<string, unknown>)[inner] = value;
  }
  return out;
});

/** What the events are made of. */
function meaning(line: { message?: { content?: unknown; thinking?: unknown; tool_calls?: unknown } | undefined; done?: unknown }) {
  return {
    content: line.message?.content,
    thinking: line.message?.thinking,
    toolCalls: line.message?.tool_calls ?? undefined,
    done: line.done,
  };
}

test("every line the hand check accepts, the schema accepts, with the same text, thinking and done (property)", () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(tokenLine, perturbedTokenLine, perturbedTokenLine, nearTokenLine, fc.anything()), (value) => {
      // Through JSON, as the stream delivers it (undefined fields vanish, as on the wire).
      const wire: unknown = JSON.parse(JSON.stringify(value ?? null));
      const plain = plainLine(wire);
      if (plain === undefined) return;
      accepted++;
      const parsed = chatLineSchema().safeParse(wire);
      assert.ok(parsed.success, `the schema rejects a line the hand check accepts: ${JSON.stringify(wire)}`);
      assert.deepEqual(meaning(plain), meaning(parsed.data));
    }),
    { numRuns: 5000 },
  );
  assert.ok(accepted > 100, `the generator reaches the fast path (${accepted} of 5000)`);
});

test("the hand check takes the common token lines Ollama sends", () => {
  const lines = [
    { model: "qwen3:8b", created_at: "2025-01-01T00:00:00Z", message: { role: "assistant", content: "Hel" }, done: false },
    { model: "qwen3:8b", created_at: "2025-01-01T00:00:00Z", message: { role: "assistant", content: "", thinking: "hmm" }, done: false },
  ];
  for (const line of lines) assert.equal(plainLine(line), line);
  assert.equal(plainLine({ ...lines[0], done: true }), undefined, "the done line goes through the schema");
});

/** A done line as Ollama sends it, each field present or not, and the same with a field of a wrong type. */
const doneLine = fc.record({
  model: fc.string(),
  created_at: fc.string(),
  message: fc.record({ role: fc.constant("assistant"), content: fc.string(), thinking: fc.string() }, { requiredKeys: ["role"] }),
  done: fc.constant(true),
  done_reason: fc.constantFrom("stop", "length", "load", "unload"),
  total_duration: fc.nat(),
  load_duration: fc.nat(),
  prompt_eval_count: fc.nat(),
  prompt_eval_duration: fc.nat(),
  eval_count: fc.nat(),
  eval_duration: fc.nat(),
}, { requiredKeys: ["done"] });

const perturbedDoneLine = fc.tuple(
  doneLine,
  fc.constantFrom("done", "done_reason", "total_duration", "eval_count", "message", "message.content", "message.tool_calls"),
  fc.oneof(fc.anything(), fc.double(), fc.integer({ min: -5, max: -1 }), fc.constant(null)),
).map(([line, key, value]) => {
  const out: Record<string, unknown> = { ...line, message: { ...line.message } };
  const [top, inner] = key.split(".") as [string, string | undefined];
  if (inner === undefined) out[top] = value;
  else (out.message as Record<string, unknown>)[inner] = value;
  return out;
});

/** Everything the client reads off a line that is not a token line. */
function fullMeaning(line: Record<string, unknown> & { message?: Record<string, unknown> | undefined }) {
  const { message, ...rest } = line;
  return { ...meaning(line as Parameters<typeof meaning>[0]), rest, message };
}

test("every line simpleLine accepts, the schema accepts and reads the same, done line and counters included (property)", () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(doneLine, perturbedDoneLine, perturbedDoneLine, tokenLine, nearTokenLine, fc.anything()), (value) => {
      const wire: unknown = JSON.parse(JSON.stringify(value ?? null));
      const simple = simpleLine(wire);
      if (simple === undefined) return;
      accepted++;
      const parsed = chatLineSchema().safeParse(wire);
      assert.ok(parsed.success, `the schema rejects a line simpleLine accepts: ${JSON.stringify(wire)}`);
      assert.deepEqual(fullMeaning(simple), fullMeaning(parsed.data));
    }),
    { numRuns: 5000 },
  );
  assert.ok(accepted > 500, `the generator reaches the hand check (${accepted} of 5000)`);
});

test("simpleLine takes the done line Ollama sends and leaves tool calls and wrong types to the schema", () => {
  const done = {
    model: "qwen3:8b", created_at: "2025-01-01T00:00:00Z", message: { role: "assistant", content: "" }, done: true,
    done_reason: "stop", total_duration: 5_000_000_000, load_duration: 1_000_000, prompt_eval_count: 26,
    prompt_eval_duration: 200_000_000, eval_count: 290, eval_duration: 4_700_000_000,
  };
  assert.equal(simpleLine(done), done);
  assert.equal(simpleLine({ ...done, message: { role: "assistant", content: "", tool_calls: [{ function: { name: "f", arguments: {} } }] } }), undefined);
  assert.equal(simpleLine({ ...done, eval_count: -1 }), undefined);
  assert.equal(simpleLine({ ...done, done: "true" }), undefined);
  // An own `__proto__` key (JSON.parse makes one) would be lost in zod's copy: such a line goes to zod.
  assert.equal(simpleLine(JSON.parse('{"__proto__":0,"done":true}')), undefined);
  assert.equal(simpleLine(JSON.parse('{"done":true,"message":{"__proto__":0,"content":""}}')), undefined);
});
