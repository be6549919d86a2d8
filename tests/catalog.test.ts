// buildCatalog and resolveModel over the fake Ollama: sources, tags, explicit catalogues, chat's cheap path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildCatalog, type CatalogConfig, resolveModel } from "../lib/catalog/catalog.ts";
import { defaultCacheDir } from "../lib/catalog/cache.ts";
import type { ModelEntry, Provider } from "../lib/catalog/types.ts";
import { OclawError } from "../lib/errors.ts";
import { httpContext } from "../lib/http.ts";
import { memoryIo } from "../lib/io.ts";
import { createLogger } from "../lib/log.ts";
import { startFakeOllama } from "./support/fake-ollama.ts";

function discovering(baseUrl: string, id = "ollama"): Provider {
  return { id, api: "ollama", baseUrl, headers: {}, models: [], discover: true, enabledBy: "env", baseUrlSource: "config" };
}

function entry(id: string, extra: Partial<ModelEntry> = {}): ModelEntry {
  return {
    id,
    name: id,
    reasoning: false,
    input: ["text"],
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    contextWindow: 8192,
    maxTokens: 81920,
    params: {},
    ...extra,
  };
}

function explicit(baseUrl: string, models: ModelEntry[], id = "ollama"): Provider {
  return { ...discovering(baseUrl, id), models, discover: false, enabledBy: "config" };
}

function http() {
  const io = memoryIo();
  return httpContext(io, createLogger(io.stderr, false));
}

async function refusedUrl(): Promise<string> {
  const server = await startFakeOllama();
  await server.close();
  return server.url;
}

const tagsOf = (models: Array<{ ref: string; tags: string[] }>) => Object.fromEntries(models.map((m) => [m.ref, m.tags]));

test("tags: default and fallback#N on selected models, no-tools on a selected model without tools, missing for refs nobody offers", async () => {
  const server = await startFakeOllama();
  try {
    const config: CatalogConfig = {
      providers: [discovering(server.url)],
      selection: { primary: "ollama/qwen3:8b", fallbacks: ["ollama/gemma:2b", "ollama/absent:1b", "vllm/x"] },
    };
    const catalog = await buildCatalog(config, http());
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
  } finally {
    await server.close();
  }
});

test("includeAll lists the models without tools, tagged no-tools, with their capabilities", async () => {
  const server = await startFakeOllama();
  try {
    const catalog = await buildCatalog({ providers: [discovering(server.url)], selection: { fallbacks: [] } }, http(), {
      includeAll: true,
    });
    const embed = catalog.models.find((m) => m.id === "nomic-embed-text:latest")!;
    assert.deepEqual(embed.tags, ["no-tools"]);
    assert.deepEqual(embed.capabilities, ["embedding"]);
    assert.equal(catalog.models.length, 7);
  } finally {
    await server.close();
  }
});

test("a ref without a tag names the :latest model", async () => {
  const server = await startFakeOllama();
  try {
    const catalog = await buildCatalog(
      { providers: [discovering(server.url)], selection: { primary: "ollama/hermes-tools", fallbacks: [] } },
      http(),
    );
    assert.deepEqual(tagsOf(catalog.models)["ollama/hermes-tools:latest"], ["default"]);
    assert.ok(!catalog.models.some((m) => m.tags.includes("missing")));
  } finally {
    await server.close();
  }
});

test("explicit models are the catalogue: zero discovery requests, listed as configured with tools", async () => {
  const server = await startFakeOllama();
  try {
    const config: CatalogConfig = {
      providers: [explicit(server.url, [entry("gemma:2b", { contextWindow: 4096, maxTokens: 1000 })])],
      selection: { primary: "ollama/gemma:2b", fallbacks: [] },
    };
    const catalog = await buildCatalog(config, http());
    assert.equal(server.requests.length, 0);
    assert.equal(catalog.models.length, 1);
    const [gemma] = catalog.models;
    assert.equal(gemma!.source, "configured");
    assert.equal(gemma!.tools, true);
    assert.equal(gemma!.contextWindow, 4096);
    assert.deepEqual(gemma!.tags, ["default"]);

    const resolved = await resolveModel(config, http(), "ollama/gemma:2b");
    assert.equal(resolved.model.id, "gemma:2b");
    assert.equal(server.requests.length, 0, "resolveModel of a configured entry asks nothing either");
  } finally {
    await server.close();
  }
});

test("an unreachable provider is an error entry; configured models of other providers are still listed", async () => {
  const dead = await refusedUrl();
  const live = await startFakeOllama();
  try {
    const config: CatalogConfig = {
      providers: [discovering(dead), explicit(live.url, [entry("llama3.2:3b")], "gpu")],
      selection: { primary: "ollama/qwen3:8b", fallbacks: ["gpu/llama3.2:3b"] },
    };
    const catalog = await buildCatalog(config, http());
    assert.deepEqual(catalog.models.map((m) => m.ref), ["gpu/llama3.2:3b", "ollama/qwen3:8b"]);
    assert.deepEqual(catalog.models[1]!.tags, ["default", "unverified"]);
    assert.equal(catalog.errors.length, 1);
    assert.equal(catalog.errors[0]!.provider, "ollama");
    assert.equal(catalog.errors[0]!.code, "E_UNREACHABLE");
    assert.match(catalog.errors[0]!.message, /connection refused/);
  } finally {
    await live.close();
  }
});

test("providerId limits the catalogue to one provider; an unknown one is E_NO_PROVIDER", async () => {
  const a = await startFakeOllama();
  const b = await startFakeOllama({ models: [] });
  try {
    const config: CatalogConfig = { providers: [discovering(a.url), discovering(b.url, "box")], selection: { fallbacks: [] } };
    const only = await buildCatalog(config, http(), { providerId: "box" });
    assert.deepEqual(only.models, []);
    assert.equal(a.requests.length, 0);
    await assert.rejects(buildCatalog(config, http(), { providerId: "nope" }), (e: unknown) =>
      e instanceof OclawError && e.code === "E_NO_PROVIDER" && /nope/.test(e.message));
  } finally {
    await a.close();
    await b.close();
  }
});

test("per-model params from agents.defaults.models are merged into the entry's", async () => {
  const server = await startFakeOllama();
  try {
    const config: CatalogConfig = {
      providers: [explicit(server.url, [entry("qwen3:8b", { params: { temperature: 0.2, num_ctx: 4096 } })])],
      selection: { fallbacks: [] },
      modelParams: { "ollama/qwen3:8b": { num_ctx: 32768 } },
    };
    const { model } = await resolveModel(config, http(), "ollama/qwen3:8b");
    assert.deepEqual(model.params, { temperature: 0.2, num_ctx: 32768 });
  } finally {
    await server.close();
  }
});

test("resolveModel on a discover provider: one /api/tags plus one /api/show, then only /api/tags once cached", async () => {
  const server = await startFakeOllama();
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), "oclaw-catalog-"));
  try {
    const config: CatalogConfig = { providers: [discovering(server.url)], selection: { primary: "ollama/qwen3:8b", fallbacks: [] } };
    const first = await resolveModel(config, http(), "ollama/qwen3:8b", { cacheDir });
    assert.deepEqual(server.requests.map((r) => r.path), ["/api/tags", "/api/show"]);
    assert.equal(first.provider.id, "ollama");
    assert.equal(first.model.ref, "ollama/qwen3:8b");
    assert.equal(first.model.reasoning, true);
    assert.equal(first.model.contextWindow, 40960);
    assert.deepEqual(first.model.tags, ["default"]);
    server.requests.length = 0;
    const again = await resolveModel(config, http(), "qwen3:8b", { cacheDir });
    assert.deepEqual(server.requests.map((r) => r.path), ["/api/tags"]);
    assert.deepEqual(again.model, first.model);
  } finally {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
});

test("resolveModel: a model without tools is returned with tools false; chat decides", async () => {
  const server = await startFakeOllama();
  try {
    const { model } = await resolveModel({ providers: [discovering(server.url)], selection: { fallbacks: [] } }, http(), "gemma:2b");
    assert.equal(model.tools, false);
    assert.deepEqual(model.tags, ["no-tools"]);
  } finally {
    await server.close();
  }
});

test("resolveModel errors: unknown provider, model not on the server, not in the configured list, server unreachable", async () => {
  const server = await startFakeOllama();
  const dead = await refusedUrl();
  const config: CatalogConfig = {
    providers: [discovering(server.url), explicit(server.url, [entry("a:1b")], "box"), discovering(dead, "dead")],
    selection: { fallbacks: [] },
  };
  const code = (expected: string, pattern: RegExp) => (e: unknown) => {
    assert.ok(e instanceof OclawError, String(e));
    assert.equal(e.code, expected);
    assert.match(e.message, pattern);
    return true;
  };
  try {
    await assert.rejects(resolveModel(config, http(), "vllm/x"), code("E_NO_PROVIDER", /Provider 'vllm' of model 'vllm\/x' is not configured/));
    await assert.rejects(
      resolveModel({ providers: [], selection: { fallbacks: [] } }, http(), "qwen3:8b"),
      (e: unknown) => e instanceof OclawError && e.code === "E_NO_PROVIDER" && /OLLAMA_API_KEY/.test(e.hint ?? ""),
    );
    await assert.rejects(resolveModel(config, http(), "ollama/llama9:1b"), code("E_MODEL_NOT_FOUND", /'llama9:1b' is not on Ollama at http:\/\/127\.0\.0\.1:\d+/));
    await assert.rejects(resolveModel(config, http(), "box/b:1b"), code("E_MODEL_NOT_FOUND", /not in the models listed for provider 'box'/));
    await assert.rejects(resolveModel(config, http(), "dead/qwen3:8b"), code("E_UNREACHABLE", /connection refused/));
  } finally {
    await server.close();
  }
});

test("the cache directory is $XDG_CACHE_HOME/oclaw, else ~/.cache/oclaw (a relative XDG value is ignored)", () => {
  assert.equal(defaultCacheDir({ env: { XDG_CACHE_HOME: "/var/cache/me" }, homeDir: "/home/u" }), "/var/cache/me/oclaw");
  assert.equal(defaultCacheDir({ env: {}, homeDir: "/home/u" }), "/home/u/.cache/oclaw");
  assert.equal(defaultCacheDir({ env: { XDG_CACHE_HOME: "rel/dir" }, homeDir: "/home/u" }), "/home/u/.cache/oclaw");
});
