/**
 * Which model a `-m` ref means (issue 15 §2, §12): `hf.co/…` names an Ollama model (no provider `hf.co`),
 * an unknown provider in a `-m` list is a fallback, not the end of the chain, and a missing model gets a
 * "did you mean" for the installed one it most likely meant. Through the binary, against the fake Ollama.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnOclaw } from "./support/cli.ts";
import { fixtureModel, startFakeOllama } from "./support/fake-ollama.ts";
import { jsonLines } from "./support/json-lines.ts";

const HF = "hf.co/acme/tiny-agent-GGUF:Q4_K_M";

async function withServer(body: (env: Record<string, string>, chats: () => unknown[]) => Promise<void>) {
  const server = await startFakeOllama({ models: [fixtureModel("qwen3:8b"), { ...fixtureModel("llama3.2:3b"), name: HF }] });
  try {
    const chats = () => server.requests.filter((r) => r.path === "/api/chat").map((r) => (r.body as { model: string }).model);
    await body({ OLLAMA_API_KEY: "x", OLLAMA_HOST: server.url }, chats);
  } finally {
    await server.close();
  }
}

test("-m hf.co/org/repo:Q4 is the ollama provider's model, as `ollama list` names it", { timeout: 60_000 }, async () => {
  await withServer(async (env, chats) => {
    const r = await spawnOclaw(["chat", "--json", "-m", HF, "hi"], { env });
    assert.equal(r.code, 0, r.stderr);
    const start = jsonLines(r.stdout)[0]!;
    assert.deepEqual(start, { type: "start", model: `ollama/${HF}`, provider: "ollama", api: "ollama" });
    assert.deepEqual(chats(), [HF]);
    const show = await spawnOclaw(["models", "show", HF], { env });
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, new RegExp(`ollama/${HF.replaceAll(".", "\\.")}`));
  });
});

test("an unknown provider in a -m list is a fallback event; the hint suggests ollama/<ref>", { timeout: 60_000 }, async () => {
  await withServer(async (env, chats) => {
    const r = await spawnOclaw(["chat", "--json", "-m", "acme/tiny", "-m", "qwen3:8b", "hi"], { env });
    assert.equal(r.code, 0, r.stderr);
    const events = jsonLines(r.stdout);
    const fallback = events.find((e) => e.type === "fallback")!;
    assert.equal(fallback.from, "acme/tiny");
    assert.equal(fallback.to, "ollama/qwen3:8b");
    assert.equal((fallback.error as { code: string }).code, "E_NO_PROVIDER");
    assert.deepEqual(chats(), ["qwen3:8b"]);
    const alone = await spawnOclaw(["chat", "-m", "acme/tiny", "hi"], { env });
    assert.equal(alone.code, 3);
    assert.match(alone.stderr, /hint: For an Ollama model of that name write ollama\/acme\/tiny; or add models\.providers\.acme/);
  });
});

test("a namespaced name the server has (someone/model) is found through /api/tags", { timeout: 60_000 }, async () => {
  const server = await startFakeOllama({ models: [{ ...fixtureModel("qwen3:8b"), name: "acme/agent:7b" }] });
  try {
    const r = await spawnOclaw(["chat", "-m", "acme/agent:7b", "hi"], { env: { OLLAMA_API_KEY: "x", OLLAMA_HOST: server.url } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.length > 0);
  } finally {
    await server.close();
  }
});

test("-m qwen3 with only qwen3:8b installed: did you mean ollama/qwen3:8b, exit 5", { timeout: 60_000 }, async () => {
  await withServer(async (env) => {
    const r = await spawnOclaw(["chat", "-m", "qwen3", "hi"], { env });
    assert.equal(r.code, 5);
    assert.match(r.stderr, /hint: Did you mean ollama\/qwen3:8b\? Or pull it with 'oclaw models pull qwen3'/);
    const typo = await spawnOclaw(["chat", "-m", "qwen:8b", "hi"], { env });
    assert.match(typo.stderr, /Did you mean ollama\/qwen3:8b\?/);
    const far = await spawnOclaw(["chat", "-m", "mistral-large", "hi"], { env });
    assert.doesNotMatch(far.stderr, /Did you mean/);
  });
});
