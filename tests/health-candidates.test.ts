/**
 * `oclaw health` per candidate, through the binary against the fake Ollama with `/api/ps` set per test:
 * the facts of each candidate (installed, tools, loaded, GPU share, expiry, context, active), the WARNING
 * rules for the active one, and the Nagios performance data that carries them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixtureModel } from "./support/fake-ollama.ts";
import { healthBin } from "./support/health.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

const QWEN_SIZE = fixtureModel("qwen3:8b").size;

interface Json {
  status: string;
  candidates: Array<Record<string, unknown> & { context: { allocated: number | null; configured: number | null } }>;
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

test("each candidate's facts in JSON: loaded on the GPU with its expiry and context, cold, missing", { timeout: 60_000 }, async () => {
  const ps = [{ name: "qwen3:8b", size_vram: QWEN_SIZE, context_length: 32768, expires_at: inSeconds(240) }];
  await withFakeOllama({ ps }, async ({ url }) => {
    const models = [{ id: "qwen3:8b", contextWindow: 32768 }, { id: "llama3.2:3b" }];
    const model = { primary: "ollama/qwen3:8b", fallbacks: ["ollama/llama3.2:3b", "ollama/nope:1b"] };
    const r = await healthBin(url, ["--json"], { model, models });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const json = JSON.parse(r.stdout) as Json;
    const [primary, fallback, missing] = json.candidates;
    const expires = primary!.expiresInSeconds as number;
    assert.ok(expires > 200 && expires <= 240, String(expires));
    assert.deepEqual({ ...primary, expiresInSeconds: 0 }, {
      model: "ollama/qwen3:8b",
      role: "primary",
      installed: true,
      tools: true,
      loaded: true,
      gpuRatio: 1,
      expiresInSeconds: 0,
      context: { allocated: 32768, configured: 32768 },
      active: true,
      verdict: "ready",
    });
    assert.deepEqual(fallback, {
      model: "ollama/llama3.2:3b",
      role: "fallback#1",
      installed: true,
      tools: true,
      loaded: false,
      gpuRatio: null,
      expiresInSeconds: null,
      context: { allocated: null, configured: null },
      active: false,
      verdict: "ready",
    });
    assert.deepEqual(missing, {
      model: "ollama/nope:1b",
      role: "fallback#2",
      installed: false,
      tools: null,
      loaded: false,
      gpuRatio: null,
      expiresInSeconds: null,
      context: { allocated: null, configured: null },
      active: false,
      verdict: "missing",
    });
  });
});

test("a candidate without tools, and an unreachable server: unknown facts are null", { timeout: 60_000 }, async () => {
  await withFakeOllama({}, async ({ url }) => {
    const r = await healthBin(url, ["--json", "-m", "ollama/gemma:2b", "-m", "ollama/qwen3:8b"]);
    assert.equal(r.code, 1, r.stdout);
    const json = JSON.parse(r.stdout) as Json;
    assert.deepEqual(json.candidates.map((c) => [c.model, c.installed, c.tools, c.active, c.verdict]), [
      ["ollama/gemma:2b", true, false, false, "has no tool support"],
      ["ollama/qwen3:8b", true, true, true, "ready"],
    ]);
  });
  const r = await healthBin("http://127.0.0.1:9", ["--json"]);
  assert.equal(r.code, 2);
  const json = JSON.parse(r.stdout) as Json;
  for (const c of json.candidates) {
    assert.deepEqual([c.installed, c.tools, c.loaded, c.gpuRatio, c.active], [null, null, null, null, false], String(c.model));
  }
});

test("WARNING when the active candidate is not the primary, names both", { timeout: 60_000 }, async () => {
  await withFakeOllama({}, async ({ url }) => {
    const r = await healthBin(url, ["--json"], { model: { primary: "ollama/llama3.3:70b", fallbacks: ["ollama/qwen3:8b"] } });
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout) as Json & { summary: string };
    assert.equal(json.status, "warning");
    assert.deepEqual(json.candidates.map((c) => c.active), [false, true]);
    assert.match(json.summary, /primary ollama\/llama3\.3:70b missing, fallback #1 ollama\/qwen3:8b ready/);
  });
});

test("WARNING when the active candidate runs partly on the CPU; the GPU share in the perfdata", { timeout: 60_000 }, async () => {
  const ps = [{ name: "qwen3:8b", size_vram: Math.round(QWEN_SIZE * 0.25), context_length: 4096 }];
  await withFakeOllama({ ps }, async ({ url }) => {
    const r = await healthBin(url, ["--format", "nagios"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^OCLAW WARNING - .*ollama\/qwen3:8b ready but loaded 75%\/25% CPU\/GPU \(\d+ ms\) \| 'latency'=\d+ms;500;2000;0 'models'=7;;;0 'gpu_ratio'=0\.25;;;0;1 'context'=4096;;;0\n$/);
    assert.match(r.stderr, /fits in GPU memory/);
  });
  // A fallback on the CPU is no warning: it is not what serves.
  await withFakeOllama({ ps: [{ name: "llama3.2:3b", size_vram: 0 }] }, async ({ url }) => {
    const r = await healthBin(url, []);
    assert.equal(r.code, 0, r.stdout);
  });
});

test("WARNING when Ollama allocated the active candidate less context than configured", { timeout: 60_000 }, async () => {
  const ps = [{ name: "qwen3:8b", size_vram: QWEN_SIZE, context_length: 4096 }];
  await withFakeOllama({ ps }, async ({ url }) => {
    const r = await healthBin(url, ["--format", "nagios"], { models: [{ id: "qwen3:8b", contextWindow: 32768 }, { id: "llama3.2:3b" }] });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /ollama\/qwen3:8b ready \(\d+ ms\), ollama\/qwen3:8b has only 4096 of 32768 configured context tokens allocated \| .*'gpu_ratio'=1;;;0;1 'context'=4096;;;0 'context_configured'=32768;;;0\n$/);
    assert.match(r.stderr, /^hint: Longer prompts are cut without an error: .*oclaw stop ollama\/qwen3:8b.*OLLAMA_CONTEXT_LENGTH=32768/);
    // params.num_ctx is a configured context too (lib/catalog/context.ts's rules).
    const tokens = await healthBin(url, ["--json"], { models: [{ id: "qwen3:8b", params: { num_ctx: 16384 } }, { id: "llama3.2:3b" }] });
    assert.equal(tokens.code, 1, tokens.stdout);
    assert.deepEqual((JSON.parse(tokens.stdout) as Json).candidates[0]!.context, { allocated: 4096, configured: 16384 });
    // Enough context allocated: OK.
    const enough = await healthBin(url, [], { models: [{ id: "qwen3:8b", contextWindow: 4096 }, { id: "llama3.2:3b" }] });
    assert.equal(enough.code, 0, enough.stdout);
  });
});
