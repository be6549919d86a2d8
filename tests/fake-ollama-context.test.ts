/**
 * The fake's context length and what it does to an over-long prompt, version by version, over HTTP
 * (tests/support/fake-ollama/context.ts names the Ollama source it follows).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type FakeOllama, fixtureModel } from "./support/fake-ollama.ts";
import { rawRequest } from "./support/fake-ollama/raw-http.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

const LONG = [{ role: "user", content: "x".repeat(40_000) }]; // 10,004 tokens by the fake's tokenizer
const chat = async (server: FakeOllama, body: Record<string, unknown>) => {
  const r = await rawRequest(server.url, "/api/chat", { body: JSON.stringify({ model: "qwen3:8b", stream: false, ...body }) });
  return { status: r.status, json: JSON.parse(r.text) as Record<string, unknown> };
};
const ps = async (server: FakeOllama) =>
  (JSON.parse((await rawRequest(server.url, "/api/ps")).text) as { models: Array<{ context_length?: number }> }).models[0]?.context_length;

test("the default context: 2048 before 0.6.7, 4096 before 0.15.5, then by VRAM; OLLAMA_CONTEXT_LENGTH and the Modelfile override", async () => {
  await withFakeOllama({ ps: [{ name: "qwen3:8b" }] }, async (server) => {
    const cases: Array<[Partial<Parameters<FakeOllama["set"]>[0]>, number]> = [
      [{ version: "0.10.0" }, 4096],
      [{ version: "0.15.4", gpuGiB: 48 }, 4096],
      [{ version: "0.15.5", gpuGiB: 16 }, 4096],
      [{ version: "0.15.5", gpuGiB: 24 }, 32768],
      [{ version: "0.33.0", gpuGiB: 80 }, 40960], // 262144, capped at qwen3's trained 40960
      [{ version: "0.33.0", gpuGiB: 8, contextLength: 8192 }, 8192],
    ];
    for (const [set, expected] of cases) {
      server.set({ gpuGiB: 0, contextLength: undefined, ...set });
      assert.equal(await ps(server), expected, JSON.stringify(set));
    }
    server.set({ version: "0.33.0", gpuGiB: 8, contextLength: undefined, models: [{ ...fixtureModel("qwen3:8b"), parameters: { num_ctx: 16384 } }] });
    assert.equal(await ps(server), 16384, "the Modelfile's num_ctx");
  });
});

test("an over-long prompt: cut to num_ctx before 0.31, to about num_ctx/2 by llama-server; refused with truncate:false or without shift", async () => {
  await withFakeOllama({ version: "0.20.0", gpuGiB: 8 }, async (server) => {
    assert.equal((await chat(server, { messages: LONG })).json.prompt_eval_count, 4096);
    const refused = await chat(server, { messages: LONG, truncate: false });
    assert.deepEqual([refused.status, refused.json.error], [400, "the input length exceeds the context length"]);
    server.set({ version: "0.12.5" });
    assert.equal((await chat(server, { messages: LONG, truncate: false })).json.prompt_eval_count, 4096, "no truncate field before 0.12.6");

    server.set({ version: "0.33.0" });
    assert.equal((await chat(server, { messages: LONG })).json.prompt_eval_count, 2051);
    const raw = await chat(server, { messages: LONG, truncate: false });
    assert.equal(raw.status, 400);
    assert.match(String(raw.json.error), /^\{"error":\{"code":400,"message":"request \(10004 tokens\) exceeds the available context size \(4096 tokens\), try increasing it","type":"exceed_context_size_error"/);
    const noShift = await chat(server, { messages: LONG, shift: false });
    assert.match(String(noShift.json.error), /^the prompt is longer than the context length currently available to the model/);
    assert.equal((await chat(server, { messages: LONG, options: { num_ctx: 16384 } })).json.prompt_eval_count, 10004);
  });
});

test("older messages are dropped first (server/prompt.go): the system message and the last one stay", async () => {
  await withFakeOllama({ version: "0.33.0", gpuGiB: 8 }, async (server) => {
    const messages = [
      { role: "system", content: "s".repeat(400) },
      { role: "user", content: "u".repeat(20_000) },
      { role: "assistant", content: "a".repeat(400) },
      { role: "user", content: "q".repeat(400) },
    ];
    // 104 + 5004 + 104 + 104 tokens: over 4096 whole, 312 once the long turn is dropped.
    assert.equal((await chat(server, { messages })).json.prompt_eval_count, 312);
  });
});
