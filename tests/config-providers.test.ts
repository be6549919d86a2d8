import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveConfig } from "../lib/config/resolve.ts";
import { formatModelRef, parseModelRef } from "../lib/config/model-ref.ts";
import { normalizeOllamaHost } from "../lib/config/ollama-host.ts";
import { OclawError } from "../lib/errors.ts";
import { withTempHome } from "./support/temp-home.ts";

const PROFILES = (provider: string) =>
  JSON.stringify({
    version: 1,
    profiles: { [`${provider}:default`]: { type: "api_key", provider, key: "profile-key" } },
  });

// ---- when ollama is enabled ----

test("OLLAMA_API_KEY alone enables ollama (any value, even empty) with the default URL and discovery", () =>
  withTempHome(async (home) => {
    for (const value of ["ollama-local", ""]) {
      const config = await resolveConfig(home.io({ OLLAMA_API_KEY: value }));
      assert.equal(config.ollama.enabled, true);
      assert.equal(config.ollama.enabledBy, "env");
      assert.deepEqual(config.providers.map((p) => [p.id, p.api, p.baseUrl, p.baseUrlSource, p.discover, p.apiKey]), [
        ["ollama", "ollama", "http://127.0.0.1:11434", "default", true, value === "" ? undefined : value],
      ]);
    }
  }));

test("models.providers.ollama in the config enables it; OLLAMA_API_KEY fills a missing apiKey only", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", `{ models: { providers: { ollama: { baseUrl: "http://gpu:11434/" } } } }`);
    const a = await resolveConfig(home.io({ OLLAMA_API_KEY: "from-env" }));
    assert.equal(a.ollama.enabledBy, "config");
    assert.equal(a.providers[0]!.apiKey, "from-env");
    assert.ok(a.secrets.includes("from-env"));
    await home.write(".openclaw/openclaw.json", `{ models: { providers: { ollama: { apiKey: "from-config" } } } }`);
    const b = await resolveConfig(home.io({ OLLAMA_API_KEY: "from-env" }));
    assert.equal(b.providers[0]!.apiKey, "from-config");
  }));

test("an auth profile for provider ollama in agents/main/agent/auth-profiles.json enables it", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/agents/main/agent/auth-profiles.json", PROFILES("ollama"));
    const config = await resolveConfig(home.io());
    assert.equal(config.ollama.enabled, true);
    assert.equal(config.ollama.enabledBy, "auth-profile");
    assert.ok(config.ollama.reasons.some((r) => r.includes("auth profile 'ollama:default'")));
    assert.equal(config.providers[0]!.apiKey, "profile-key");
    assert.ok(config.secrets.includes("profile-key"));
  }));

test("auth profiles: another provider's profile, another agent's profile, or a broken file do not enable ollama", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/agents/main/agent/auth-profiles.json", PROFILES("anthropic"));
    assert.equal((await resolveConfig(home.io())).ollama.enabled, false);
    await home.write(".openclaw/agents/work/agent/auth-profiles.json", PROFILES("ollama"));
    assert.equal((await resolveConfig(home.io())).ollama.enabled, false);
    assert.equal((await resolveConfig(home.io(), { agent: "work" })).ollama.enabled, true);
    await home.write(".openclaw/agents/main/agent/auth-profiles.json", "{ not json");
    const config = await resolveConfig(home.io());
    assert.equal(config.ollama.enabled, false);
    assert.deepEqual(config.providers, []);
  }));

test("auth profiles are read from $OPENCLAW_STATE_DIR", () =>
  withTempHome(async (home) => {
    await home.write("state/agents/main/agent/auth-profiles.json", PROFILES("ollama"));
    const config = await resolveConfig(home.io({ OPENCLAW_STATE_DIR: `${home.dir}/state` }));
    assert.equal(config.ollama.enabledBy, "auth-profile");
  }));

// ---- base URL ----

test("base URL: config baseUrl > OLLAMA_HOST (normalised) > default; /v1 and / stripped for api ollama", () =>
  withTempHome(async (home) => {
    const env = { OLLAMA_API_KEY: "x", OLLAMA_HOST: "0.0.0.0" };
    const viaHost = await resolveConfig(home.io(env));
    assert.deepEqual([viaHost.providers[0]!.baseUrl, viaHost.providers[0]!.baseUrlSource], ["http://127.0.0.1:11434", "OLLAMA_HOST"]);
    await home.write(".openclaw/openclaw.json", `{ models: { providers: { ollama: { baseUrl: "http://gpu:11434/v1/" } } } }`);
    const viaConfig = await resolveConfig(home.io(env));
    assert.deepEqual([viaConfig.providers[0]!.baseUrl, viaConfig.providers[0]!.baseUrlSource], ["http://gpu:11434", "config"]);
  }));

test("an unreadable OLLAMA_HOST is a config error naming it", () =>
  withTempHome(async (home) => {
    try {
      await resolveConfig(home.io({ OLLAMA_API_KEY: "x", OLLAMA_HOST: "ftp://box" }));
      assert.fail("expected an error");
    } catch (error) {
      assert.ok(error instanceof OclawError);
      assert.equal(error.code, "E_CONFIG_INVALID");
      assert.equal(error.message, "Invalid OLLAMA_HOST 'ftp://box': unsupported scheme 'ftp'");
    }
  }));

test("OLLAMA_HOST ending in /v1 is cleaned like baseUrl: /api/* under it, never /v1/v1 for /v1 providers", () =>
  withTempHome(async (home) => {
    const env = { OLLAMA_API_KEY: "x", OLLAMA_HOST: "http://127.0.0.1:11500/v1/" };
    assert.equal((await resolveConfig(home.io(env))).providers[0]!.baseUrl, "http://127.0.0.1:11500");
    await home.write(".openclaw/openclaw.json", `{ models: { providers: { ollama: { api: "openai-completions" } } } }`);
    assert.equal((await resolveConfig(home.io(env))).providers[0]!.baseUrl, "http://127.0.0.1:11500/v1");
  }));

test("credentials in a base URL become a Basic Authorization header and a secret, never part of the URL", () =>
  withTempHome(async (home) => {
    await home.write(
      ".openclaw/openclaw.json",
      `{ models: { providers: {
        ollama: { baseUrl: "http://admin:hunter2@127.0.0.1:11434" },
        proxied: { baseUrl: "https://u:p%40ss@llm.example/v1", headers: { Authorization: "Bearer own" } },
      } } }`,
    );
    const config = await resolveConfig(home.io({}));
    const [ollama, proxied] = config.providers;
    assert.equal(ollama!.baseUrl, "http://127.0.0.1:11434");
    assert.equal(ollama!.headers.authorization, `Basic ${btoa("admin:hunter2")}`);
    assert.ok(config.secrets.includes(btoa("admin:hunter2")));
    assert.equal(proxied!.baseUrl, "https://llm.example/v1");
    assert.deepEqual(proxied!.headers, { Authorization: "Bearer own" }, "an explicit Authorization header wins");
    assert.ok(!JSON.stringify(config.providers).includes("hunter2"));
  }));

test("OLLAMA_HOST as Ollama's envconfig reads it: bare host → 11434, scheme without port → 80/443, 0.0.0.0 → loopback, credentials kept", () => {
  const cases: [string, string][] = [
    ["", "http://127.0.0.1:11434"],
    ["0.0.0.0", "http://127.0.0.1:11434"],
    ["0.0.0.0:11434", "http://127.0.0.1:11434"],
    ["gpu-box", "http://gpu-box:11434"],
    ["gpu-box:8080", "http://gpu-box:8080"],
    [":9999", "http://127.0.0.1:9999"],
    ["http://gpu-box", "http://gpu-box"],
    ["http://gpu-box:80", "http://gpu-box"],
    ["ollama.com", "https://ollama.com"],
    ["http://user:pa55@127.0.0.1:8080", "http://user:pa55@127.0.0.1:8080"],
    ["user:pa55@gpu-box", "http://user:pa55@gpu-box:11434"],
    ["https://u:p%40ss@gpu-box", "https://u:p%40ss@gpu-box"],
    ["https://ollama.example.com", "https://ollama.example.com"],
    ["https://ollama.example.com:8443/", "https://ollama.example.com:8443"],
    ["http://[::]:11434", "http://[::1]:11434"],
    ["[::1]", "http://[::1]:11434"],
    ["http://proxy/ollama/", "http://proxy/ollama"],
    // Parsed only: normalizeOllamaHost never connects.
    ["  10.0.0.5  ", "http://10.0.0.5:11434"],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeOllamaHost(input), expected, input);
  for (const bad of ["ftp://x", "http://a b"]) {
    assert.throws(() => normalizeOllamaHost(bad), (e: unknown) => e instanceof OclawError && e.code === "E_USAGE");
  }
});

// ---- providers ----

test("other providers: api defaults to openai-completions, baseUrl required, kept in config order after ollama", () =>
  withTempHome(async (home) => {
    await home.write(
      ".openclaw/openclaw.json",
      `{ models: { providers: {
        lmstudio: { baseUrl: "http://127.0.0.1:1234/v1/", headers: { "X-A": "1" }, timeoutSeconds: 30 },
        ollama: { models: [{ id: "qwen3:8b" }] },
        "ollama-gpu": { baseUrl: "http://gpu:11434/v1", api: "ollama" },
      } } }`,
    );
    const config = await resolveConfig(home.io());
    assert.deepEqual(config.providers.map((p) => [p.id, p.api, p.baseUrl, p.discover, p.enabledBy]), [
      ["ollama", "ollama", "http://127.0.0.1:11434", false, "config"],
      ["lmstudio", "openai-completions", "http://127.0.0.1:1234/v1", false, "config"],
      ["ollama-gpu", "ollama", "http://gpu:11434", true, "config"],
    ]);
    assert.deepEqual(config.providers[1]!.headers, { "X-A": "1" });
    assert.equal(config.providers[1]!.timeoutSeconds, 30);
    await home.write(".openclaw/openclaw.json", `{ models: { providers: { vllm: { apiKey: "x" } } } }`);
    await assert.rejects(resolveConfig(home.io()), /models\.providers\.vllm\.baseUrl: required for provider 'vllm'/);
  }));

test("an explicit model list turns discovery off; an empty one keeps it on; entries get their defaults", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", `{ models: { providers: { ollama: { models: [] } } } }`);
    assert.equal((await resolveConfig(home.io())).providers[0]!.discover, true);
    await home.write(
      ".openclaw/openclaw.json",
      `{ models: { providers: { ollama: { models: [{ id: "a", contextWindow: 4096, maxTokens: 100, reasoning: true, api: "openai-completions", params: { streaming: false } }] } } } }`,
    );
    const provider = (await resolveConfig(home.io())).providers[0]!;
    assert.equal(provider.discover, false);
    assert.deepEqual(provider.models[0], {
      id: "a",
      name: "a",
      api: "openai-completions",
      reasoning: true,
      input: ["text"],
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      contextWindow: 4096,
      maxTokens: 100,
      params: { streaming: false },
    });
  }));

test("an api oclaw does not speak is skipped (doctor can say why); a near miss is a typo", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", `{ models: { providers: { anthropic: { baseUrl: "https://api.anthropic.com", api: "anthropic-messages" } } } }`);
    const config = await resolveConfig(home.io());
    assert.deepEqual(config.providers, []);
    assert.match(config.ignoredProviders[0]!.reason, /anthropic-messages/);
    await home.write(".openclaw/openclaw.json", `{ models: { providers: { ollama: { api: "olama" } } } }`);
    await assert.rejects(resolveConfig(home.io()), /unknown api 'olama' \(did you mean ollama\?\)/);
  }));

// ---- model selection ----

test("agents.defaults.model: a string is the primary; an object gives primary and fallbacks; refs normalised", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", `{ agents: { defaults: { model: "ollama/hf.co/org/repo:Q4" } } }`);
    assert.deepEqual((await resolveConfig(home.io())).selection, { primary: "ollama/hf.co/org/repo:Q4", fallbacks: [] });
    await home.write(".openclaw/openclaw.json", `{ agents: { defaults: { model: { primary: "qwen3:8b", fallbacks: ["vllm/x", "gemma3"] }, models: { "gemma3": { params: { num_ctx: 4096 } } } } } }`);
    const config = await resolveConfig(home.io());
    assert.deepEqual(config.selection, { primary: "ollama/qwen3:8b", fallbacks: ["vllm/x", "ollama/gemma3"] });
    assert.deepEqual(config.modelParams, { "ollama/gemma3": { num_ctx: 4096 } });
  }));

test("agents.defaults.model of the wrong shape is invalid", () =>
  withTempHome(async (home) => {
    for (const bad of [`5`, `"ollama/"`, `{ primary: 5 }`, `{ fallbacks: "ollama/x" }`]) {
      await home.write(".openclaw/openclaw.json", `{ agents: { defaults: { model: ${bad} } } }`);
      await assert.rejects(resolveConfig(home.io()), (e: unknown) => e instanceof OclawError && e.code === "E_CONFIG_INVALID" && /agents\.defaults\.model/.test(e.message));
    }
  }));

// ---- model refs ----

test("parseModelRef splits at the first /; no / means ollama; empty parts are usage errors", () => {
  assert.deepEqual(parseModelRef("ollama/hf.co/org/repo:Q4"), { provider: "ollama", id: "hf.co/org/repo:Q4" });
  assert.deepEqual(parseModelRef("llama3.2:3b"), { provider: "ollama", id: "llama3.2:3b" });
  assert.deepEqual(parseModelRef("vllm/meta/llama"), { provider: "vllm", id: "meta/llama" });
  assert.equal(formatModelRef({ provider: "ollama", id: "hf.co/org/repo:Q4" }), "ollama/hf.co/org/repo:Q4");
  for (const bad of ["", "/x", "ollama/", "  "]) {
    assert.throws(() => parseModelRef(bad), (e: unknown) => e instanceof OclawError && e.code === "E_USAGE", bad);
  }
});
