/**
 * What `oclaw chat` sends Ollama from a model's params, end to end (binary or source against the fake):
 * known option keys in `options`, top-level fields beside them, wrong types refused before sending.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { spawnOclaw } from "./support/cli.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

async function withParams(
  params: Record<string, unknown>,
  body: (run: (args: string[]) => ReturnType<typeof spawnOclaw>, chats: () => Array<Record<string, unknown>>) => Promise<void>,
): Promise<void> {
  await withFakeOllama({}, (server) =>
    withTempDir("options", async (dir) => {
      const config = path.join(dir, "openclaw.json");
      await writeFile(config, JSON.stringify({ agents: { defaults: { models: { "ollama/qwen3:8b": { params } } } } }));
      const env = { OLLAMA_HOST: server.url, OLLAMA_API_KEY: "x", HOME: dir, XDG_CACHE_HOME: path.join(dir, "cache") };
      await body(
        (args) => spawnOclaw(["chat", "--config", config, "-m", "ollama/qwen3:8b", ...args], { env }),
        () => server.requests.filter((r) => r.path === "/api/chat").map((r) => r.body as Record<string, unknown>),
      );
    }));
}

test("params: Ollama's option keys in options, keep_alive/shift/truncate/format top level, thinking as think, unknown keys warned", async () => {
  const params = { num_ctx: 8192, temperature: 0.1, mirostat: 2, keep_alive: "10m", shift: false, thinking: "low", streaming: true };
  await withParams(params, async (run, chats) => {
    const r = await run(["hi"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^oclaw: warning: ollama\/qwen3:8b: Ollama has no option mirostat; not sent\n$/);
    const [body] = chats();
    assert.deepEqual(body?.options, { num_ctx: 8192, temperature: 0.1 });
    assert.equal(body?.keep_alive, "10m");
    assert.equal(body?.shift, false);
    assert.equal(body?.think, "low");
    assert.equal("streaming" in (body ?? {}), false);
  });
});

test("a known option with a wrong type is a config error naming it, and nothing is sent", async () => {
  await withParams({ top_k: "40" }, async (run, chats) => {
    const r = await run(["--json", "hi"]);
    assert.equal(r.code, 3, r.stderr);
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(last.code, "E_CONFIG_INVALID");
    assert.match(last.message, /params\.top_k of ollama\/qwen3:8b must be an integer, not the string "40"/);
    assert.equal(chats().length, 0);
  });
});
