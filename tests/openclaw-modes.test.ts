/**
 * OpenClaw's catalogue switches and what other tools write into the file: `models.mode: "replace"`, the
 * Ollama plugin's discovery switch, an explicit list that hides installed models (`ollama launch openclaw`),
 * and a provider rewritten to `/v1` while the server is an Ollama. Asserted by what the server was asked.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnOclaw } from "./support/cli.ts";
import type { FakeOllama } from "./support/fake-ollama.ts";
import { writeConfig } from "./support/scenarios.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

function scene(body: (server: FakeOllama, run: (config: unknown, args: string[], env?: Record<string, string>) => ReturnType<typeof spawnOclaw>) => Promise<void>) {
  return withFakeOllama({}, (server) =>
    withTempDir("modes", (dir) =>
      body(server, async (config, args, env = {}) => {
        const file = await writeConfig(dir, config);
        return await spawnOclaw(["--config", file, ...args], { env: { HOME: dir, ...env } });
      })));
}

const asked = (server: FakeOllama, path: string) => server.requests.filter((r) => r.path === path).length;

test("plugins.entries.ollama.config.discovery.enabled: false means no discovery even without a models list", () =>
  scene(async (server, run) => {
    const on = await run({ models: { providers: { ollama: { baseUrl: server.url } } } }, ["models", "list", "--plain"]);
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stdout, /^ollama\/qwen3:8b$/m);
    const tagsBefore = asked(server, "/api/tags");
    const off = await run({
      models: { providers: { ollama: { baseUrl: server.url } } },
      plugins: { entries: { ollama: { enabled: true, config: { discovery: { enabled: false } } } } },
    }, ["models", "list", "--plain"]);
    assert.deepEqual([off.code, off.stdout], [0, ""], off.stderr);
    assert.equal(asked(server, "/api/tags"), tagsBefore, "nothing was asked");
  }));

test('models.mode "replace": only the config\'s providers and lists; OLLAMA_API_KEY alone enables nothing', () =>
  scene(async (server, run) => {
    const listed = await run({
      models: { mode: "replace", providers: { ollama: { baseUrl: server.url, models: [{ id: "llama3.2:3b", name: "Llama" }] } } },
    }, ["models", "list", "--plain"]);
    assert.deepEqual([listed.code, listed.stdout], [0, "ollama/llama3.2:3b\n"], listed.stderr);
    const bare = await run({ models: { mode: "replace", providers: { ollama: { baseUrl: server.url } } } }, ["models", "list", "--plain"]);
    assert.deepEqual([bare.code, bare.stdout], [0, ""], bare.stderr);
    assert.equal(asked(server, "/api/tags"), 0);
    const envOnly = await run({ models: { mode: "replace" } }, ["chat", "-m", "ollama/llama3.2:3b", "hi"], {
      OLLAMA_API_KEY: "ollama-local",
      OLLAMA_HOST: server.url,
    });
    assert.equal(envOnly.code, 3, envOnly.stderr);
    assert.match(envOnly.stderr, /Provider 'ollama' of model 'ollama\/llama3\.2:3b' is not configured/);
  }));

test("doctor: an explicit list that hides installed tool-capable models is a warning with the fix", () =>
  scene(async (server, run) => {
    const r = await run({
      agents: { defaults: { model: { primary: "ollama/qwen3:8b" } } },
      models: { providers: { ollama: { baseUrl: server.url, models: [{ id: "qwen3:8b", name: "Qwen3 8B" }] } } },
    }, ["doctor"]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /warn\s+unlisted \(ollama\)\s+4 tool-capable model\(s\) installed on http:\/\/127\.0\.0\.1:\d+ are not in models\.providers\.ollama\.models/);
    assert.match(r.stdout, /: gpt-oss:20b, qwen2\.5vl:7b, llama3\.2:3b, hermes-tools:latest\n/);
    assert.match(r.stdout, /fix: oclaw models discover --write/);
  }));

test("doctor: a provider rewritten to openai-completions with /v1 while the server is an Ollama is a warning", () =>
  scene(async (server, run) => {
    const r = await run({
      agents: { defaults: { model: { primary: "panel/qwen3:8b" } } },
      models: { providers: { panel: { baseUrl: `${server.url}/v1`, api: "openai-completions", models: [{ id: "qwen3:8b", name: "Qwen3 8B" }] } } },
    }, ["doctor"]);
    assert.match(r.stdout, /warn\s+native-api \(panel\)\s+panel is Ollama 0\.12\.3 reached through its OpenAI-compatible \/v1: tool calls and num_ctx work better/);
    assert.match(r.stdout, /fix: oclaw config set models\.providers\.panel\.api ollama && oclaw config set models\.providers\.panel\.baseUrl http:\/\/127\.0\.0\.1:\d+\n/);
    assert.ok(server.requests.some((q) => q.path === "/api/version"));
  }));

test("a model entry whose own api oclaw cannot speak is listed unsupported-api and skipped by chat; validate --json has OpenClaw's warnings", () =>
  scene(async (server, run) => {
    const config = {
      agents: { list: [{ id: "main" }] },
      models: {
        providers: {
          ollama: {
            baseUrl: server.url,
            contextWindow: 16384,
            models: [
              { id: "llama3.2:3b", name: "Llama" },
              { id: "gemini-proxy", name: "Gemini via proxy", api: "google-generative-ai" },
            ],
          },
        },
      },
    };
    const list = await run(config, ["models", "list", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout).models as Array<{ ref: string; api: string; tags: string[]; contextWindow: number }>;
    assert.deepEqual(rows.map((m) => [m.ref, m.api, m.tags]), [
      ["ollama/llama3.2:3b", "ollama", []],
      ["ollama/gemini-proxy", "google-generative-ai", ["unsupported-api"]],
    ]);
    assert.equal(rows[0]!.contextWindow, 16384, "the provider-level contextWindow fills the entry");
    const chat = await run(config, ["chat", "-m", "ollama/gemini-proxy", "-m", "ollama/llama3.2:3b", "hi"]);
    assert.equal(chat.code, 0, chat.stderr);
    assert.match(chat.stderr, /ollama\/gemini-proxy uses api 'google-generative-ai', which oclaw does not speak/);
    assert.equal(server.requests.filter((r) => r.path === "/api/chat").length, 1);
    const validate = await run(config, ["config", "validate", "--json"]);
    assert.equal(validate.code, 0, validate.stdout);
    assert.deepEqual(JSON.parse(validate.stdout).warnings, [
      "models.providers.ollama.contextWindow: OpenClaw moves it into the model entries that have none (oclaw applies it the same way)",
      "agents.list: OpenClaw moves it to agents.entries (oclaw does not read either)",
    ]);
  }));
