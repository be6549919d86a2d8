/** keyHash: a stable 32-digit name, different for texts that differ anywhere, in any unit. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { keyHash } from "../lib/state/key-hash.ts";

test("keyHash is stable, 32 hex digits, and tells apart texts that differ by one unit, a swap or a length", () => {
  const base = JSON.stringify({ models: { providers: { ollama: { baseUrl: "http://127.0.0.1:11434" } } } });
  assert.match(keyHash(base), /^[0-9a-f]{32}$/);
  assert.equal(keyHash(base), keyHash(`${base}`));
  assert.notEqual(keyHash(""), keyHash("\0"));
  assert.notEqual(keyHash("ab"), keyHash("ba"));
  assert.notEqual(keyHash(base), keyHash(base.replace("11434", "11435")));
  const seen = new Map<string, string>();
  fc.assert(fc.property(fc.string({ maxLength: 40 }), (text) => {
    const name = keyHash(text);
    const before = seen.get(name);
    assert.ok(before === undefined || before === text, `${JSON.stringify(before)} and ${JSON.stringify(text)} share ${name}`);
    seen.set(name, text);
  }), { numRuns: 20_000 });
});
