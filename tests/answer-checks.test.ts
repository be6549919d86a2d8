/**
 * The hand checks of the catalog's answers (lib/catalog/answer-checks.ts) against the zod schemas they stand
 * in for on the normal path: on every JSON value a hand check accepts, the schema accepts it too and gives
 * the same value; on one it declines, what it completed in place reads the same to zod; and the answers
 * Ollama really sends take the hand path.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { acceptCacheFile, acceptPs, acceptShow, acceptTags, acceptVersion } from "../lib/catalog/answer-checks.ts";
import { ollamaApi } from "../lib/catalog/ollama-api.ts";
import { MAX_NAME_CHARS } from "../lib/clip.ts";
import { z } from "../lib/zod.ts";

/** A field of the right type, missing, null, or of another JSON type. */
const field = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 4, arbitrary: good },
    fc.constant(undefined),
    fc.constant(null),
    fc.double(),
    fc.string(),
    fc.boolean(),
    fc.array(fc.string()),
    fc.dictionary(fc.string(), fc.string()),
  );

const hex = fc.string({ unit: fc.constantFrom(..."0123456789abcdef") });
const name = fc.oneof({ weight: 5, arbitrary: fc.string() }, fc.string({ minLength: MAX_NAME_CHARS + 1, maxLength: MAX_NAME_CHARS + 40 }));
const details = fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string())));
const extras = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 2 });

const tag = fc.tuple(
  fc.record({
    name: field(name),
    model: field(fc.string()),
    modified_at: field(fc.string()),
    size: field(fc.nat()),
    digest: field(hex),
    details: field(details),
    capabilities: field(fc.array(fc.constantFrom("completion", "tools", "vision", "thinking"))),
  }),
  extras,
).map(([known, more]) => ({ ...more, ...known }));

const psEntry = fc.record({
  name: field(name),
  model: field(fc.string()),
  size: field(fc.nat()),
  size_vram: field(fc.nat()),
  context_length: field(fc.nat()),
  expires_at: field(fc.string()),
});

const list = <T>(entry: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ models: fc.array(entry, { maxLength: 4 }) }) },
    fc.record({ models: field(fc.array(entry, { maxLength: 2 })) }),
    fc.jsonValue(),
  );

/** An `/api/show` answer of the right shape, its fields each present or not. */
const goodShow = fc.record({
  parameters: fc.string(),
  details,
  model_info: fc.dictionary(fc.string(), fc.jsonValue()),
  capabilities: fc.array(fc.string()),
}, { requiredKeys: [] });

const show = fc.record({
  parameters: field(fc.string()),
  details: field(details),
  model_info: field(fc.dictionary(fc.string(), fc.jsonValue())),
  capabilities: field(fc.array(fc.string())),
});

/** A value as it comes out of JSON.parse: undefined fields gone, and numbers past double range as Infinity. */
function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null).replace(/1\.7976931348623157e\+308/g, "1e400"));
}

/** Checks `accept` against `schema` on `values`; returns how many took the hand path. */
function holds(accept: (value: unknown) => unknown, schema: z.ZodType, values: fc.Arbitrary<unknown>): number {
  let accepted = 0;
  fc.assert(
    fc.property(values, (value) => {
      const input = wire(value);
      const taken = structuredClone(input);
      const fast = accept(taken);
      if (fast === undefined) {
        // Declined part-way, after completing some entries in place: zod must read it as it reads the original.
        const before = schema.safeParse(structuredClone(input));
        const after = schema.safeParse(taken);
        assert.equal(after.success, before.success);
        if (before.success && after.success) assert.deepEqual(after.data, before.data);
        return;
      }
      accepted++;
      const parsed = schema.safeParse(structuredClone(input));
      assert.ok(parsed.success, `the schema rejects what the hand check accepts: ${JSON.stringify(input)}`);
      assert.deepEqual(fast, parsed.data);
    }),
    { numRuns: 3000 },
  );
  return accepted;
}

test("acceptTags, acceptPs, acceptShow and acceptVersion give what their schemas give, whenever they accept (property)", () => {
  const api = ollamaApi();
  assert.ok(holds(acceptTags, api.tags, list(tag)) > 300);
  assert.ok(holds(acceptPs, api.ps, list(psEntry)) > 300);
  assert.ok(holds(acceptShow, api.show, fc.oneof(show, fc.jsonValue())) > 300);
  const version = z.looseObject({ version: z.string() });
  assert.ok(holds(acceptVersion, version, fc.oneof(fc.record({ version: field(fc.string()) }), fc.jsonValue())) > 300);
});

test("acceptCacheFile gives what the cache file's schema gives, dropping unknown keys as it does (property)", () => {
  const schema = z.object({
    format: z.literal(2),
    baseUrl: z.string(),
    models: z.record(z.string(), z.object({ digest: z.string(), show: ollamaApi().show })),
  });
  const file = fc.tuple(
    fc.record({
      format: fc.oneof({ weight: 4, arbitrary: fc.constant(2) }, fc.constant(1), fc.string()),
      baseUrl: field(fc.string()),
      models: fc.dictionary(fc.string(), fc.tuple(fc.record({ digest: field(hex), show: fc.oneof({ weight: 4, arbitrary: goodShow }, show) }), extras).map(([e, more]) => ({ ...more, ...e })), { maxKeys: 3 }),
    }),
    extras,
  ).map(([known, more]) => ({ ...more, ...known }));
  assert.ok(holds((value) => acceptCacheFile(value, 2), schema, fc.oneof(file, fc.jsonValue())) > 100);
});

test("the answers Ollama sends take the hand path; what it never sends goes to zod", () => {
  const tags = {
    models: [{
      name: "qwen3:8b",
      model: "qwen3:8b",
      modified_at: "2025-05-01T10:00:00.000Z",
      size: 5225376047,
      digest: "500a1f067a9f782620b40bee6f7b0c89e17ae61f686b92c24933e4ca4b2b8b41",
      details: { parent_model: "", format: "gguf", family: "qwen3", families: ["qwen3"], parameter_size: "8.2B", quantization_level: "Q4_K_M" },
    }],
  };
  assert.deepEqual(acceptTags(tags), tags);
  assert.deepEqual(acceptTags({ models: null }), { models: [] });
  assert.deepEqual(acceptPs({ models: [{ name: "qwen3:8b", size: 1, size_vram: 1, context_length: 4096, expires_at: "2025-05-01T10:05:00Z" }] })?.models.length, 1);
  assert.equal(acceptShow({ capabilities: ["completion", "tools"], model_info: { "general.architecture": "qwen3" } })?.capabilities?.length, 2);
  for (const odd of [{}, { models: {} }, { models: [{ name: 7 }] }, { models: [{ name: "a", size: 1e400 }] }, [], "x"]) {
    assert.equal(acceptTags(JSON.parse(JSON.stringify(odd).replace("null", "1e400"))), undefined, JSON.stringify(odd));
  }
});
