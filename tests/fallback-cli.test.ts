import { test } from "node:test";
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { runInProcess, spawnOclaw } from "./support/cli.ts";
import { type FakeOllama, startFakeOllama } from "./support/fake-ollama.ts";
import { jsonLines } from "./support/json-lines.ts";
import { tempDir } from "./support/temp-dir.ts";

/**
 * Three servers: `host1` (native, ollama/a: missing), `host2` (native, ollama-gpu/b: out of memory) and
 * `vllm` (OpenAI-compatible at /v1, vllm/c: answers), with a config naming them primary then fallbacks.
 */
async function mixedChain(
  body: (
    servers: { host1: FakeOllama; host2: FakeOllama; vllm: FakeOllama; config: string },
  ) => Promise<void>,
) {
  const dir = await tempDir("fallback");
  const host1 = await startFakeOllama({ version: "0.13.0" });
  const host2 = await startFakeOllama({
    version: "0.13.0",
    replies: {
      "*": {
        error: {
          status: 500,
          message: "model requires more system memory (12 GiB) than is available (8 GiB)",
        },
      },
    },
  });
  const vllm = await startFakeOllama({
    version: "0.33.0",
    replies: { "*": { content: "Hello from c", metrics: { prompt_eval_count: 11, eval_count: 3 } } },
  });
  const config = path.join(dir, "openclaw.json");
  // vllm serves the fake's store; "qwen3:8b" stands for the vLLM model id c.
  await writeFile(
    config,
    `// a mixed chain
{
  models: {
    providers: {
      ollama: { baseUrl: "${host1.url}", models: [{ id: "a" }] },
      "ollama-gpu": { baseUrl: "${host2.url}", api: "ollama", models: [{ id: "qwen3:8b" }] },
      vllm: { baseUrl: "${vllm.url}/v1", api: "openai-completions", apiKey: "vllm-key", models: [{ id: "qwen3:8b" }] },
    },
  },
  agents: { defaults: { model: { primary: "ollama/a", fallbacks: ["ollama-gpu/qwen3:8b", "vllm/qwen3:8b"] } } },
}
`,
  );
  try {
    await body({ host1, host2, vllm, config });
  } finally {
    await Promise.all([host1.close(), host2.close(), vllm.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

const chatPaths = (server: FakeOllama) =>
  server.requests.filter((r) => r.path.endsWith("/chat") || r.path.endsWith("/chat/completions")).map((r) =>
    r.path
  );

test("oclaw chat --json over a mixed chain: native host 1 → native host 2 → OpenAI-compatible server", async () => {
  await mixedChain(async ({ host1, host2, vllm, config }) => {
    const result = await runInProcess(["chat", "--json", "--config", config, "Say hello"]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(chatPaths(host1), ["/api/chat"]);
    assert.deepEqual(chatPaths(host2), ["/api/chat"]);
    assert.deepEqual(chatPaths(vllm), ["/v1/chat/completions"]);
    // Order across hosts: each answered before the next was asked.
    const at = (s: FakeOllama) => s.requests.find((r) => r.path.includes("chat"))!.receivedAt;
    assert.ok(at(host1) < at(host2) && at(host2) < at(vllm));
    assert.equal(vllm.requests.at(-1)?.headers.authorization, "Bearer vllm-key");

    const events = jsonLines(result.stdout);
    // Text that arrived in one read is one event, so runs of text events count as one here.
    const types = events.map((e) => e.type).filter((t, i, all) => t !== "warning" && !(t === "text" && all[i - 1] === "text"));
    assert.deepEqual(types, ["start", "fallback", "start", "fallback", "start", "text", "done"]);
    const fallbacks = events.filter((e) => e.type === "fallback");
    assert.deepEqual(fallbacks.map((f) => [f.from, f.to, (f.error as { code: string }).code]), [
      ["ollama/a", "ollama-gpu/qwen3:8b", "E_MODEL_NOT_FOUND"],
      ["ollama-gpu/qwen3:8b", "vllm/qwen3:8b", "E_HTTP"],
    ]);
    for (const f of fallbacks) {
      assert.deepEqual(Object.keys(f), ["type", "from", "to", "error"]);
      assert.deepEqual(Object.keys(f.error as object), ["code", "message"], "the contract's fallback error");
    }
    const starts = events.filter((e) => e.type === "start");
    assert.deepEqual(starts.at(-1), {
      type: "start",
      model: "vllm/qwen3:8b",
      provider: "vllm",
      api: "openai-completions",
    });
    const done = events.at(-1)!;
    assert.equal(done.model, "vllm/qwen3:8b");
    assert.deepEqual(done.usage, { inputTokens: 11, outputTokens: 3 });
    assert.equal(events.filter((e) => e.type === "text").map((e) => e.text).join(""), "Hello from c");
  });
});

test("oclaw chat (text) over the mixed chain: the reply on stdout, each fallback on stderr", async () => {
  await mixedChain(async ({ config }) => {
    const result = await spawnOclaw(["chat", "--config", config, "Say hello"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "Hello from c\n");
    const lines = result.stderr.split("\n").filter((l) => /ollama\/a|ollama-gpu\/qwen3:8b/.test(l));
    assert.ok(lines.length >= 2, `stderr: ${result.stderr}`);
    assert.match(result.stderr, /ollama\/a[\s\S]*not found[\s\S]*ollama-gpu\/qwen3:8b[\s\S]*system memory/);
    assert.doesNotMatch(result.stderr, /vllm-key/);
  });
});

test("oclaw chat: every candidate missing exits 5; every candidate unreachable exits 4", async () => {
  await mixedChain(async ({ host1, host2, config }) => {
    // ollama/a is configured but the server does not have it; ollama/x is not even configured.
    const missing = await runInProcess([
      "chat",
      "--config",
      config,
      "-m",
      "ollama/a",
      "-m",
      "ollama/x",
      "hi",
    ]);
    assert.equal(missing.code, 5, missing.stderr);
    assert.deepEqual(chatPaths(host1), ["/api/chat"]);
    assert.match(missing.stderr, /model 'a' not found/);
    assert.match(missing.stderr, /^oclaw: .*'x'/m);

    await Promise.all([host1.close(), host2.close()]);
    const unreachable = await runInProcess([
      "chat",
      "--config",
      config,
      "-m",
      "ollama/a",
      "-m",
      "ollama-gpu/qwen3:8b",
      "hi",
    ]);
    assert.equal(unreachable.code, 4, unreachable.stderr);
    assert.match(
      unreachable.stderr,
      new RegExp(`^oclaw: Cannot reach Ollama at ${host2.url}: connection refused`, "m"),
    );
  });
});
