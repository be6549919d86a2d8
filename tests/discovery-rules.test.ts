// The seed's discovery rules applied to single /api/show answers (the mapping alone, no server).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describeNoTools, modelFromShow } from "../lib/catalog/discovery.ts";
import type { Show, Tag } from "../lib/catalog/ollama-api.ts";

interface FixtureModel {
  name: string;
  digest: string;
  capabilities: string[];
  model_info: Record<string, unknown>;
  details: Record<string, unknown>;
}

const store = (JSON.parse(readFileSync(new URL("./fixtures/models.json", import.meta.url), "utf8")) as {
  models: FixtureModel[];
}).models;

function fixture(name: string): { tag: Tag; show: Show } {
  const m = store.find((x) => x.name === name);
  assert.ok(m, `fixture store holds ${name}`);
  return {
    tag: { name: m.name, digest: m.digest, details: m.details },
    show: { capabilities: m.capabilities, model_info: m.model_info, details: m.details },
  };
}

function mapped(name: string, edit: (show: Show) => Show = (s) => s) {
  const { tag, show } = fixture(name);
  return modelFromShow(tag, edit(show));
}

test("tools capability keeps a model; without it the model is marked no-tools", () => {
  assert.equal(mapped("qwen3:8b").tools, true);
  const gemma = mapped("gemma:2b");
  assert.equal(gemma.tools, false);
  assert.equal(gemma.noToolsReason, "no-tools");
  assert.equal(mapped("nomic-embed-text:latest").tools, false);
});

test("reasoning is true exactly when capabilities contain thinking", () => {
  assert.equal(mapped("qwen3:8b").entry.reasoning, true);
  assert.equal(mapped("llama3.2:3b").entry.reasoning, false);
});

test("contextWindow comes from <general.architecture>.context_length (gptoss → gptoss.context_length)", () => {
  const gpt = mapped("gpt-oss:20b");
  assert.equal(gpt.architecture, "gptoss");
  assert.equal(gpt.entry.contextWindow, 131072);
  // A key of another architecture is not read.
  const other = mapped("gpt-oss:20b", (s) => ({
    ...s,
    model_info: { "general.architecture": "gptoss", "llama.context_length": 4096 },
  }));
  assert.equal(other.entry.contextWindow, 8192);
});

test("no context length in model_info → 8192; zero, negative or non-number values → 8192", () => {
  assert.equal(mapped("hermes-tools:latest").entry.contextWindow, 8192);
  for (const bad of [0, -5, "40960", null, Number.NaN]) {
    const m = mapped("qwen3:8b", (s) => ({
      ...s,
      model_info: { "general.architecture": "qwen3", "qwen3.context_length": bad },
    }));
    assert.equal(m.entry.contextWindow, 8192, `value ${String(bad)}`);
  }
  const noArch = mapped("qwen3:8b", (s) => ({ ...s, model_info: { "qwen3.context_length": 40960 } }));
  assert.equal(noArch.entry.contextWindow, 8192);
});

test("maxTokens is 10 × contextWindow", () => {
  assert.equal(mapped("qwen3:8b").entry.maxTokens, 409600);
  assert.equal(mapped("hermes-tools:latest").entry.maxTokens, 81920);
});

test("all four costs are 0", () => {
  assert.deepEqual(mapped("gpt-oss:20b").entry.cost, { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
});

test("input is text, plus image when capabilities contain vision", () => {
  assert.deepEqual(mapped("qwen2.5vl:7b").entry.input, ["text", "image"]);
  assert.deepEqual(mapped("qwen3:8b").entry.input, ["text"]);
});

test("name equals id, the /api/tags name with its tag", () => {
  const m = mapped("llama3.2:3b");
  assert.equal(m.entry.id, "llama3.2:3b");
  assert.equal(m.entry.name, "llama3.2:3b");
});

test("an answer without capabilities (Ollama < 0.6.4) is not tool-capable, and says why", () => {
  const m = mapped("qwen3:8b", (s) => ({ model_info: s.model_info ?? {} }));
  assert.equal(m.tools, false);
  assert.equal(m.capabilities, undefined);
  assert.equal(m.noToolsReason, "no-capabilities");
  assert.match(describeNoTools("no-capabilities"), /0\.6\.4/);
  // The other rules still apply.
  assert.equal(m.entry.contextWindow, 40960);
});
