/**
 * `oclaw ps`, `oclaw warm` and `oclaw stop` through the binary against the fake Ollama: the table and
 * JSON of loaded models on every Ollama provider, the load and unload requests as the server received
 * them, and the contract's exit codes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnOclaw } from "./support/cli.ts";
import { fixtureModel } from "./support/fake-ollama.ts";
import { closedPort } from "./support/loopback.ts";
import { writeConfig } from "./support/scenarios.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

/** Runs `oclaw <args>` with a config of `providers` (and the primary qwen3:8b). */
async function oclaw(providers: Record<string, unknown>, args: string[], model: unknown = "ollama/qwen3:8b") {
  return await withTempDir("lifecycle", async (dir) => {
    const file = await writeConfig(dir, { models: { providers }, ...(model === null ? {} : { agents: { defaults: { model } } }) });
    return await spawnOclaw([...args, "--config", file], { env: { HOME: dir } });
  });
}

const chats = (requests: Array<{ path: string; body: unknown }>) =>
  requests.filter((q) => q.path === "/api/chat").map((q) => q.body as Record<string, unknown>);

test("ps: the loaded models of every Ollama provider, table and JSON; one provider down is exit 4", { timeout: 60_000 }, async () => {
  const size = fixtureModel("qwen3:8b").size;
  const expires = new Date(Date.now() + 272_000).toISOString();
  const ps = [{ name: "qwen3:8b", size_vram: Math.round(size * 0.6), context_length: 8192, expires_at: expires }];
  await withFakeOllama({ ps }, async (a) => {
    await withFakeOllama({ ps: [{ name: "llama3.2:3b" }] }, async (b) => {
      const providers = { ollama: { baseUrl: a.url }, gpu2: { baseUrl: b.url, api: "ollama", models: [{ id: "llama3.2:3b" }] } };
      const table = await oclaw(providers, ["ps"]);
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trimEnd().split("\n");
      assert.match(lines[0]!, /^MODEL\s+SIZE\s+PROCESSOR\s+CONTEXT\s+UNTIL$/);
      assert.match(lines[1]!, /^ollama\/qwen3:8b\s+5\.2 GB\s+40%\/60% CPU\/GPU\s+8192\s+4m \d+s$/);
      assert.match(lines[2]!, /^gpu2\/llama3\.2:3b\s+\S+ GB\s+100% GPU\s+4096\s+/);
      const json = await oclaw(providers, ["ps", "--json"]);
      const doc = JSON.parse(json.stdout) as { models: Array<Record<string, unknown>>; errors: unknown[] };
      assert.deepEqual(doc.errors, []);
      assert.deepEqual({ ...doc.models[0], expiresInSeconds: 0 }, {
        model: "ollama/qwen3:8b",
        provider: "ollama",
        size,
        gpuRatio: 0.6,
        context: 8192,
        expiresAt: expires,
        expiresInSeconds: 0,
      });
      const port = await closedPort();
      const down = await oclaw({ ...providers, gpu2: { ...providers.gpu2, baseUrl: `http://127.0.0.1:${port}` } }, ["ps", "--json"]);
      assert.equal(down.code, 4);
      const partial = JSON.parse(down.stdout) as { models: Array<{ model: string }>; errors: Array<{ provider: string; code: string }> };
      assert.deepEqual(partial.models.map((m) => m.model), ["ollama/qwen3:8b"]);
      assert.deepEqual(partial.errors.map((e) => [e.provider, e.code]), [["gpu2", "E_UNREACHABLE"]]);
    });
  });
});

test("warm: loads the primary with chat's options and --keep-alive, waits, prints the load time; ps shows it", { timeout: 60_000 }, async () => {
  await withFakeOllama({ headerDelayMs: 300 }, async (server) => {
    const providers = { ollama: { baseUrl: server.url, models: [{ id: "qwen3:8b", contextWindow: 16384 }, { id: "llama3.2:3b" }] } };
    const r = await oclaw(providers, ["warm", "--keep-alive", "30m"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ollama\/qwen3:8b loaded in (\d+\.\d\d) s, kept 30m\n$/);
    assert.ok(Number(/in (\d+\.\d+) s/.exec(r.stdout)![1]) >= 0.3, r.stdout);
    assert.deepEqual(chats(server.requests), [{ model: "qwen3:8b", messages: [], options: { num_ctx: 16384 }, keep_alive: "30m" }]);
    const ps = await oclaw(providers, ["ps", "--json"]);
    const loaded = (JSON.parse(ps.stdout) as { models: Array<{ model: string; context: number; expiresInSeconds: number }> }).models;
    assert.deepEqual(loaded.map((m) => [m.model, m.context]), [["ollama/qwen3:8b", 16384]]);
    assert.ok(loaded[0]!.expiresInSeconds > 1700 && loaded[0]!.expiresInSeconds <= 1800, String(loaded[0]!.expiresInSeconds));
    // Several refs, JSON; a number of seconds is sent as a number.
    const json = await oclaw(providers, ["warm", "--json", "--keep-alive=-1", "ollama/llama3.2:3b", "ollama/qwen3:8b"]);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { models: Array<{ model: string; loadMs: number; keepAlive: unknown }>; errors: unknown[] };
    assert.deepEqual(doc.models.map((m) => [m.model, m.keepAlive, typeof m.loadMs]), [
      ["ollama/llama3.2:3b", -1, "number"],
      ["ollama/qwen3:8b", -1, "number"],
    ]);
    assert.deepEqual(chats(server.requests).slice(1).map((b) => b.keep_alive), [-1, -1]);
  });
});

test("warm/stop exit codes: not found 5, unreachable 4, usage 2, no model 5; partial failure keeps the rest", { timeout: 60_000 }, async () => {
  await withFakeOllama({}, async (server) => {
    const providers = { ollama: { baseUrl: server.url } };
    const missing = await oclaw(providers, ["warm", "ollama/nope:1b"]);
    assert.equal(missing.code, 5, missing.stderr);
    assert.match(missing.stderr, /^oclaw: .*nope:1b.*not found/);
    const json = await oclaw(providers, ["warm", "--json", "ollama/nope:1b"]);
    assert.equal(json.code, 5);
    assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, "E_MODEL_NOT_FOUND");
    const partial = await oclaw(providers, ["warm", "ollama/qwen3:8b", "ollama/nope:1b"]);
    assert.equal(partial.code, 5);
    assert.match(partial.stdout, /^ollama\/qwen3:8b loaded in \d+\.\d\d s\n$/);
    assert.match(partial.stderr, /nope:1b/);
    assert.equal((await oclaw(providers, ["warm", "--keep-alive", "soon"])).code, 2);
    assert.equal((await oclaw(providers, ["stop"])).code, 2);
    const none = await oclaw(providers, ["warm"], null);
    assert.equal(none.code, 5, none.stderr);
    assert.match(none.stderr, /No model to warm/);
  });
  const port = await closedPort();
  const down = await oclaw({ ollama: { baseUrl: `http://127.0.0.1:${port}` } }, ["stop", "ollama/qwen3:8b"]);
  assert.equal(down.code, 4);
  assert.match(down.stderr, /connection refused/);
});

test("stop: keep_alive 0 with no messages, 'unloaded'; ps no longer lists it", { timeout: 60_000 }, async () => {
  await withFakeOllama({ ps: [{ name: "qwen3:8b" }, { name: "llama3.2:3b" }] }, async (server) => {
    const providers = { ollama: { baseUrl: server.url } };
    const r = await oclaw(providers, ["stop", "qwen3:8b"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "ollama/qwen3:8b unloaded\n");
    assert.deepEqual(chats(server.requests), [{ model: "qwen3:8b", messages: [], keep_alive: 0 }]);
    const json = await oclaw(providers, ["stop", "--json", "ollama/llama3.2:3b"]);
    assert.deepEqual(JSON.parse(json.stdout), { models: [{ model: "ollama/llama3.2:3b" }], errors: [] });
    const ps = await oclaw(providers, ["ps", "--json"]);
    assert.deepEqual((JSON.parse(ps.stdout) as { models: unknown[] }).models, []);
  });
});
