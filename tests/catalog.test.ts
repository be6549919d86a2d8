// buildCatalog and resolveModel over the fake Ollama: sources, tags, explicit catalogues, chat's cheap path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { buildCatalog, resolveModel } from "../lib/catalog/catalog.ts";
import type { CatalogConfig } from "../lib/catalog/rows.ts";
import { defaultCacheDir } from "../lib/catalog/cache.ts";
import type { ModelEntry, Provider } from "../lib/catalog/types.ts";
import { OclawError } from "../lib/errors.ts";
import { startFakeOllama } from "./support/fake-ollama.ts";
import { quietHttp } from "./support/http-context.ts";
import { closedPort } from "./support/loopback.ts";
import { modelEntry } from "./support/models.ts";
import { ollamaProvider } from "./support/providers.ts";
import { tempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";
import { catalogRequests } from "./support/catalog-requests.ts";

function discovering(baseUrl: string, id = "ollama"): Provider {
  return ollamaProvider(baseUrl, { id });
}

function explicit(baseUrl: string, models: ModelEntry[], id = "ollama"): Provider {
  return { ...discovering(baseUrl, id), models, discover: false, enabledBy: "config" };
}

const tagsOf = (models: Array<{ ref: string; tags: string[] }>) => Object.fromEntries(models.map((m) => [m.ref, m.tags]));

test("tags: default and fallback#N on selected models, no-tools on a selected model without tools, missing for refs nobody offers", async () => {
  await withFakeOllama({}, async (server) => {
    const config: CatalogConfig = {
      providers: [discovering(server.url)],
      selection: { primary: "ollama/qwen3:8b", fallbacks: ["ollama/gemma:2b", "ollama/absent:1b", "vllm/x"] },
    };
    const catalog = await buildCatalog(config, quietHttp());
    const tags = tagsOf(catalog.models);
    assert.deepEqual(tags["ollama/qwen3:8b"], ["default"]);
    assert.deepEqual(tags["ollama/gemma:2b"], ["fallback#1", "no-tools"], "a selected model is listed even without tools");
    assert.deepEqual(tags["ollama/absent:1b"], ["fallback#2", "missing"]);
    assert.deepEqual(tags["vllm/x"], ["fallback#3", "missing"], "a ref whose provider is not enabled is missing");
    assert.equal(tags["ollama/nomic-embed-text:latest"], undefined, "unselected non-tool models need --all");
    assert.deepEqual(catalog.errors, []);
    const absent = catalog.models.find((m) => m.ref === "ollama/absent:1b")!;
    assert.equal(absent.tools, false);
    assert.equal(absent.source, "configured");
  });
});

test("includeAll lists the models without tools, tagged no-tools, with their capabilities", async () => {
  await withFakeOllama({}, async (server) => {
    const catalog = await buildCatalog({ providers: [discovering(server.url)], selection: { fallbacks: [] } }, quietHttp(), {
      includeAll: true,
    });
    const embed = catalog.models.find((m) => m.id === "nomic-embed-text:latest")!;
    assert.deepEqual(embed.tags, ["no-tools"]);
    assert.deepEqual(embed.capabilities, ["embedding"]);
    assert.equal(catalog.models.length, 7);
  });
});

test("a ref without a tag names the :latest model", async () => {
  await withFakeOllama({}, async (server) => {
    const catalog = await buildCatalog(
      { providers: [discovering(server.url)], selection: { primary: "ollama/hermes-tools", fallbacks: [] } },
      quietHttp(),
    );
    assert.deepEqual(tagsOf(catalog.models)["ollama/hermes-tools:latest"], ["default"]);
    assert.ok(!catalog.models.some((m) => m.tags.includes("missing")));
  });
});

test("explicit models are the catalogue: zero discovery requests, listed as configured with tools", async () => {
  await withFakeOllama({}, async (server) => {
    const config: CatalogConfig = {
      providers: [explicit(server.url, [modelEntry("gemma:2b", { contextWindow: 4096, maxTokens: 1000 })])],
      selection: { primary: "ollama/gemma:2b", fallbacks: [] },
    };
    const catalog = await buildCatalog(config, quietHttp());
    assert.equal(catalogRequests(server).length, 0);
    assert.equal(catalog.models.length, 1);
    const [gemma] = catalog.models;
    assert.equal(gemma!.source, "configured");
    assert.equal(gemma!.tools, true);
    assert.equal(gemma!.contextWindow, 4096);
    assert.deepEqual(gemma!.tags, ["default"]);

    const resolved = await resolveModel(config, quietHttp(), "ollama/gemma:2b");
    assert.equal(resolved.model.id, "gemma:2b");
    assert.equal(catalogRequests(server).length, 0, "resolveModel of a configured entry asks nothing either");
  });
});

test("an unreachable provider is an error entry; configured models of other providers are still listed", async () => {
  const dead = `http://127.0.0.1:${await closedPort()}`;
  await withFakeOllama({}, async (live) => {
    const config: CatalogConfig = {
      providers: [discovering(dead), explicit(live.url, [modelEntry("llama3.2:3b")], "gpu")],
      selection: { primary: "ollama/qwen3:8b", fallbacks: ["gpu/llama3.2:3b"] },
    };
    const catalog = await buildCatalog(config, quietHttp());
    assert.deepEqual(catalog.models.map((m) => m.ref), ["gpu/llama3.2:3b", "ollama/qwen3:8b"]);
    assert.deepEqual(catalog.models[1]!.tags, ["default", "unverified"]);
    assert.equal(catalog.errors.length, 1);
    assert.equal(catalog.errors[0]!.provider, "ollama");
    assert.equal(catalog.errors[0]!.code, "E_UNREACHABLE");
    assert.match(catalog.errors[0]!.message, /connection refused/);
  });
});

test("providerId limits the catalogue to one provider; an unknown one is E_NO_PROVIDER", async () => {
  const a = await startFakeOllama();
  const b = await startFakeOllama({ models: [] });
  try {
    const config: CatalogConfig = { providers: [discovering(a.url), discovering(b.url, "box")], selection: { fallbacks: [] } };
    const only = await buildCatalog(config, quietHttp(), { providerId: "box" });
    assert.deepEqual(only.models, []);
    assert.equal(a.requests.length, 0);
    await assert.rejects(buildCatalog(config, quietHttp(), { providerId: "nope" }), (e: unknown) =>
      e instanceof OclawError && e.code === "E_NO_PROVIDER" && /nope/.test(e.message));
  } finally {
    await a.close();
    await b.close();
  }
});

test("per-model params from agents.defaults.models are merged into the entry's", async () => {
  await withFakeOllama({}, async (server) => {
    const config: CatalogConfig = {
      providers: [explicit(server.url, [modelEntry("qwen3:8b", { params: { temperature: 0.2, num_ctx: 4096 } })])],
      selection: { fallbacks: [] },
      modelParams: { "ollama/qwen3:8b": { num_ctx: 32768 } },
    };
    const { model } = await resolveModel(config, quietHttp(), "ollama/qwen3:8b");
    assert.deepEqual(model.params, { temperature: 0.2, num_ctx: 32768 });
  });
});

test("resolveModel on a discover provider: one /api/tags plus one /api/show, then only /api/tags once cached", async () => {
  const server = await startFakeOllama();
  const cacheDir = await tempDir("catalog");
  try {
    const config: CatalogConfig = { providers: [discovering(server.url)], selection: { primary: "ollama/qwen3:8b", fallbacks: [] } };
    const first = await resolveModel(config, quietHttp(), "ollama/qwen3:8b", { cacheDir });
    assert.deepEqual(catalogRequests(server).map((r) => r.path), ["/api/tags", "/api/show"]);
    assert.equal(first.provider.id, "ollama");
    assert.equal(first.model.ref, "ollama/qwen3:8b");
    assert.equal(first.model.reasoning, true);
    assert.equal(first.model.contextWindow, 40960);
    assert.deepEqual(first.model.tags, ["default"]);
    server.requests.length = 0;
    const again = await resolveModel(config, quietHttp(), "qwen3:8b", { cacheDir });
    assert.deepEqual(catalogRequests(server).map((r) => r.path), ["/api/tags"]);
    assert.deepEqual(again.model, first.model);
  } finally {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
});

test("resolveModel: a model without tools is returned with tools false; chat decides", async () => {
  await withFakeOllama({}, async (server) => {
    const { model } = await resolveModel({ providers: [discovering(server.url)], selection: { fallbacks: [] } }, quietHttp(), "gemma:2b");
    assert.equal(model.tools, false);
    assert.deepEqual(model.tags, ["no-tools"]);
  });
});

test("resolveModel errors: unknown provider, model not on the server, not in the configured list, server unreachable", async () => {
  const server = await startFakeOllama();
  const dead = `http://127.0.0.1:${await closedPort()}`;
  const config: CatalogConfig = {
    providers: [discovering(server.url), explicit(server.url, [modelEntry("a:1b")], "box"), discovering(dead, "dead")],
    selection: { fallbacks: [] },
  };
  const code = (expected: string, pattern: RegExp) => (e: unknown) => {
    assert.ok(e instanceof OclawError, String(e));
    assert.equal(e.code, expected);
    assert.match(e.message, pattern);
    return true;
  };
  try {
    await assert.rejects(resolveModel(config, quietHttp(), "vllm/x"), code("E_NO_PROVIDER", /Provider 'vllm' of model 'vllm\/x' is not configured/));
    await assert.rejects(
      resolveModel({ providers: [], selection: { fallbacks: [] } }, quietHttp(), "qwen3:8b"),
      (e: unknown) => e instanceof OclawError && e.code === "E_NO_PROVIDER" && /OLLAMA_API_KEY/.test(e.hint ?? ""),
    );
    await assert.rejects(resolveModel(config, quietHttp(), "ollama/llama9:1b"), code("E_MODEL_NOT_FOUND", /'llama9:1b' is not on Ollama at http:\/\/127\.0\.0\.1:\d+/));
    await assert.rejects(resolveModel(config, quietHttp(), "box/b:1b"), code("E_MODEL_NOT_FOUND", /not in the models listed for provider 'box'/));
    await assert.rejects(resolveModel(config, quietHttp(), "dead/qwen3:8b"), code("E_UNREACHABLE", /connection refused/));
  } finally {
    await server.close();
  }
});

test("the cache directory is $XDG_CACHE_HOME/oclaw, else ~/.cache/oclaw (a relative XDG value is ignored)", () => {
  assert.equal(defaultCacheDir({ env: { XDG_CACHE_HOME: "/var/cache/me" }, homeDir: "/home/u" }), "/var/cache/me/oclaw");
  assert.equal(defaultCacheDir({ env: {}, homeDir: "/home/u" }), "/home/u/.cache/oclaw");
  assert.equal(defaultCacheDir({ env: { XDG_CACHE_HOME: "rel/dir" }, homeDir: "/home/u" }), "/home/u/.cache/oclaw");
});
