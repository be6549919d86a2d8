/**
 * `oclaw health --probe` through the binary: it stops at the first token (a slow-but-answering model is a
 * WARNING with the figure, not a timeout), it never pins or evicts a model (`keep_alive` as the server
 * received it), and `--probe=tools` wants a structured tool call.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixtureModel } from "./support/fake-ollama.ts";
import { healthBin } from "./support/health.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

const chatBodies = (requests: Array<{ path: string; body: unknown }>) =>
  requests.filter((q) => q.path === "/api/chat").map((q) => q.body as Record<string, unknown>);

test("the probe stops at the first token: a slow model is WARNING with its figure, and stops generating", { timeout: 60_000 }, async () => {
  // A cold load, then a long reply at 100 ms a token: waiting for all of it would take 30 s.
  const replies = { "qwen3:8b": { content: Array.from({ length: 300 }, () => "word ") } };
  await withFakeOllama({ headerDelayMs: 700, tokenDelayMs: 100, replies }, async (server) => {
    const r = await healthBin(server.url, ["--probe", "--timeout", "10"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^WARNING: .*, ollama\/qwen3:8b ready \(first token (\d+) ms, over 500 ms\)\n$/);
    const ms = Number(/first token (\d+) ms/.exec(r.stdout)![1]);
    assert.ok(ms >= 700 && ms < 10_000, String(ms));
    // The reply was cut: the server saw the client go away.
    await server.waitForDisconnect();
    assert.equal(server.stats.chunks < 300, true);
  });
});

test("a probe with no first token within --timeout is CRITICAL naming the model, not 'no answer from' the servers", { timeout: 60_000 }, async () => {
  await withFakeOllama({ stallAfterChunks: 0 }, async (server) => {
    const r = await healthBin(server.url, ["--probe", "--timeout", "2"]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /^CRITICAL: .*, ollama\/qwen3:8b ready, probe failed: no first token from ollama\/qwen3:8b within 1\.\d s\n$/);
  });
});

test("probes never pin or evict: keep_alive 0 for a cold model, none for a loaded one, no probe while another is loaded", { timeout: 60_000 }, async () => {
  const size = fixtureModel("qwen3:8b").size;
  // Cold, nothing else loaded: loaded for the probe, unloaded right after.
  await withFakeOllama({}, async (server) => {
    const r = await healthBin(server.url, ["--probe"], { model: "ollama/qwen3:8b", models: [{ id: "qwen3:8b", params: { keep_alive: "-1" } }] });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(chatBodies(server.requests).map((b) => b.keep_alive), [0]);
  });
  // Loaded (even by a config that pins it): no keep_alive, so its duration stays what it was.
  await withFakeOllama({ ps: [{ name: "qwen3:8b", size_vram: size }] }, async (server) => {
    const r = await healthBin(server.url, ["--probe"], { model: "ollama/qwen3:8b", models: [{ id: "qwen3:8b", params: { keep_alive: "-1" } }] });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const bodies = chatBodies(server.requests);
    assert.equal(bodies.length, 1);
    assert.equal("keep_alive" in bodies[0]!, false);
  });
  // Cold while another model is loaded: loading could evict it, so no probe — WARNING saying why.
  await withFakeOllama({ ps: [{ name: "gemma:2b" }] }, async (server) => {
    const r = await healthBin(server.url, ["--probe"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /probe not sent: ollama\/qwen3:8b is not loaded and loading it could evict ollama\/gemma:2b\n$/);
    assert.deepEqual(chatBodies(server.requests), []);
  });
});

test("--probe=tools: a structured tool call is OK; text, or a call written as text, is WARNING", { timeout: 60_000 }, async () => {
  const call = { "qwen3:8b": { toolCalls: [{ name: "report_status", arguments: { status: "ok" } }] } };
  await withFakeOllama({ replies: call }, async (server) => {
    const r = await healthBin(server.url, ["--probe=tools", "--json"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const json = JSON.parse(r.stdout) as { checks: Array<{ name: string; status: string; message: string; ms: number | null }> };
    assert.deepEqual(json.checks.find((c) => c.name === "tools"), {
      name: "tools",
      status: "ok",
      message: "ollama/qwen3:8b called report_status",
      ms: json.checks.find((c) => c.name === "tools")!.ms,
    });
    const [body] = chatBodies(server.requests);
    const tools = body!.tools as Array<{ function: { name: string } }>;
    assert.deepEqual(tools.map((t) => t.function.name), ["report_status"]);
  });
  await withFakeOllama({ replies: { "qwen3:8b": { content: "All good here." } } }, async (server) => {
    const r = await healthBin(server.url, ["--probe=tools"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^WARNING: .*ollama\/qwen3:8b ready \(first token \d+ ms\), model answers but does not call tools\n$/);
    assert.match(r.stderr, /structured tool calls/);
  });
  const asText = { "qwen3:8b": { content: '{"name": "report_status", "arguments": {"status": "ok"}}' } };
  await withFakeOllama({ replies: asText }, async (server) => {
    const r = await healthBin(server.url, ["--probe=tools"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /model answers but does not call tools \(it wrote the call as text\)\n$/);
  });
  // Plain --probe offers no tool.
  await withFakeOllama({}, async (server) => {
    const r = await healthBin(server.url, ["--probe"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal("tools" in chatBodies(server.requests)[0]!, false);
    const bad = await healthBin(server.url, ["--probe=bogus"]);
    assert.equal(bad.code, 3);
    assert.match(bad.stdout, /^UNKNOWN: Invalid --probe 'bogus'/);
  });
});
