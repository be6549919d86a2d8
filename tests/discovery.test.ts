// Discovery against the fake Ollama over loopback: seed rules end to end, old servers, concurrency, cache.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { discoverModels, SHOW_CONCURRENCY } from "../lib/catalog/discovery.ts";
import type { Fetch } from "../lib/io.ts";
import { OclawError } from "../lib/errors.ts";
import { startFakeOllama, syntheticModels } from "./support/fake-ollama.ts";
import { quietHttp } from "./support/http-context.ts";
import { blackHole, closedPort } from "./support/loopback.ts";
import { ollamaProvider } from "./support/providers.ts";
import { tempDir, withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";
import { catalogRequests } from "./support/catalog-requests.ts";

const paths = (server: { requests: Array<{ method: string; path: string }> }) =>
  catalogRequests(server).map((r) => `${r.method} ${r.path}`);

test("discovery on the fixture store applies every seed rule and asks /api/tags then /api/show per model", async () => {
  await withFakeOllama({}, async (server) => {
    const result = await discoverModels(ollamaProvider(server.url), quietHttp());
    assert.deepEqual(result.failures, []);
    const byId = new Map(result.models.map((m) => [m.entry.id, m]));
    const tools = result.models.filter((m) => m.tools).map((m) => m.entry.id).sort();
    assert.deepEqual(tools, ["gpt-oss:20b", "hermes-tools:latest", "llama3.2:3b", "qwen2.5vl:7b", "qwen3:8b"]);
    assert.equal(byId.get("gemma:2b")?.noToolsReason, "no-tools");
    assert.equal(byId.get("nomic-embed-text:latest")?.tools, false);
    assert.equal(byId.get("qwen3:8b")?.entry.reasoning, true);
    assert.equal(byId.get("llama3.2:3b")?.entry.reasoning, false);
    assert.equal(byId.get("gpt-oss:20b")?.entry.contextWindow, 131072);
    assert.equal(byId.get("gpt-oss:20b")?.entry.maxTokens, 1310720);
    assert.equal(byId.get("hermes-tools:latest")?.entry.contextWindow, 8192);
    assert.deepEqual(byId.get("qwen2.5vl:7b")?.entry.input, ["text", "image"]);
    assert.deepEqual(byId.get("qwen3:8b")?.entry.cost, { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
    assert.equal(byId.get("qwen3:8b")?.entry.name, "qwen3:8b");
    const seen = paths(server);
    assert.equal(seen[0], "GET /api/tags");
    assert.equal(seen.filter((p) => p === "POST /api/show").length, 7);
    const shown = server.requests.filter((r) => r.path === "/api/show").map((r) => (r.body as { model: string }).model);
    assert.deepEqual(shown.sort(), [...byId.keys()].sort());
  });
});

test("a v0.6.0 server sends no capabilities: no model is tool-capable, and each says why", async () => {
  await withFakeOllama({ version: "0.6.0" }, async (server) => {
    const result = await discoverModels(ollamaProvider(server.url), quietHttp());
    assert.equal(result.models.length, 7);
    for (const m of result.models) {
      assert.equal(m.tools, false, m.entry.id);
      assert.equal(m.capabilities, undefined);
      assert.equal(m.noToolsReason, "no-capabilities");
    }
    // Context windows still come from model_info.
    assert.equal(result.models.find((m) => m.entry.id === "gpt-oss:20b")?.entry.contextWindow, 131072);
  });
});

test("200 models at 50 ms per /api/show: at most 8 in flight cold, exactly one request when cached", async () => {
  const server = await startFakeOllama({ models: syntheticModels(200), showDelayMs: 50 });
  const cacheDir = await tempDir("discovery");
  let inFlight = 0;
  let maxInFlight = 0;
  // Counts /api/show requests between sending and the answer's headers (the fake delays the headers).
  const counting: Fetch = async (input, init) => {
    const isShow = String(input instanceof Request ? input.url : input).endsWith("/api/show");
    if (isShow) maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      return await fetch(input, init);
    } finally {
      if (isShow) inFlight--;
    }
  };
  try {
    const cold = await discoverModels(ollamaProvider(server.url), quietHttp({ fetch: counting }), { cacheDir });
    assert.equal(cold.models.length, 200);
    assert.equal(cold.failures.length, 0);
    assert.equal(maxInFlight, SHOW_CONCURRENCY);
    assert.equal(SHOW_CONCURRENCY, 8);
    assert.equal(catalogRequests(server).length, 201);
    assert.ok(cold.models.every((m) => !m.cached));

    server.requests.length = 0;
    const warm = await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir });
    assert.deepEqual(paths(server), ["GET /api/tags"]);
    assert.equal(warm.models.length, 200);
    assert.ok(warm.models.every((m) => m.cached));
    assert.deepEqual(warm.models.map((m) => m.entry), cold.models.map((m) => m.entry));

    server.requests.length = 0;
    await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir, refresh: true });
    assert.equal(catalogRequests(server).length, 201, "--refresh asks /api/show again");
  } finally {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
});

test("a model whose digest changed is asked again; the others come from the cache", async () => {
  await withFakeOllama({}, (server) => withTempDir("discovery", async (cacheDir) => {
    await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir });
    const models = (await import("./support/fake-ollama.ts")).fixtureModels();
    const qwen = models.find((m) => m.name === "qwen3:8b")!;
    qwen.digest = "f".repeat(64);
    qwen.capabilities = ["completion"];
    server.set({ models });
    server.requests.length = 0;
    const again = await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir });
    assert.deepEqual(paths(server), ["GET /api/tags", "POST /api/show"]);
    assert.equal((catalogRequests(server)[1]!.body as { model: string }).model, "qwen3:8b");
    assert.equal(again.models.find((m) => m.entry.id === "qwen3:8b")?.tools, false);
  }));
});

test("an Ollama upgrade (same digests) is asked again: the show cache is keyed on the server's version too", async () => {
  await withFakeOllama({ version: "0.8.0" }, (server) => withTempDir("discovery", async (cacheDir) => {
    const before = await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir });
    assert.equal(before.models.find((m) => m.entry.id === "qwen3:8b")?.entry.reasoning, false, "no thinking before 0.9.0");
    assert.deepEqual(server.requests.slice(0, 2).map((r) => r.path).sort(), ["/api/tags", "/api/version"], "asked side by side");
    server.set({ version: "0.12.3" });
    server.requests.length = 0;
    const after = await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir });
    assert.equal(server.requests.filter((r) => r.path === "/api/show").length, 7);
    assert.equal(after.models.find((m) => m.entry.id === "qwen3:8b")?.entry.reasoning, true, "the upgraded server computes thinking");
    server.requests.length = 0;
    await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir });
    assert.deepEqual(paths(server), ["GET /api/tags"], "then cached again");
  }));
});

test("from 0.30 /api/tags lists capabilities: used as the running server's word, and a cached answer that disagrees is asked again", async () => {
  await withFakeOllama({ version: "0.30.0" }, (server) => withTempDir("discovery", async (cacheDir) => {
    await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir });
    const models = (await import("./support/fake-ollama.ts")).fixtureModels();
    models.find((m) => m.name === "llama3.2:3b")!.capabilities.push("thinking");
    server.set({ models });
    server.requests.length = 0;
    const again = await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir });
    assert.deepEqual(paths(server), ["GET /api/tags", "POST /api/show"]);
    assert.equal(again.models.find((m) => m.entry.id === "llama3.2:3b")?.entry.reasoning, true);
  }));
});

test("the cache is per base URL: a second server with the same models is asked itself", async () => {
  const a = await startFakeOllama();
  const b = await startFakeOllama();
  const cacheDir = await tempDir("discovery");
  try {
    await discoverModels(ollamaProvider(a.url), quietHttp(), { cacheDir });
    await discoverModels(ollamaProvider(b.url), quietHttp(), { cacheDir });
    assert.equal(b.requests.filter((r) => r.path === "/api/show").length, 7);
    assert.equal((await readdir(cacheDir)).filter((f) => f.endsWith(".json")).length, 2);
  } finally {
    await a.close();
    await b.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
});

test("a corrupt cache file is ignored and replaced, not fatal", async () => {
  await withFakeOllama({}, (server) => withTempDir("discovery", async (cacheDir) => {
    await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir });
    const [file] = (await readdir(cacheDir)).filter((f) => f.endsWith(".json"));
    await writeFile(path.join(cacheDir, file!), '{"format":1,"baseUrl":"http://x","models":{"trunc');
    server.requests.length = 0;
    const result = await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir });
    assert.equal(result.models.length, 7);
    assert.equal(catalogRequests(server).length, 8);
    const text = await readFile(path.join(cacheDir, file!), "utf8");
    assert.equal((JSON.parse(text) as { baseUrl: string }).baseUrl, server.url);
    server.requests.length = 0;
    await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir });
    assert.equal(catalogRequests(server).length, 1);
  }));
});

test("an unwritable cache directory costs requests, not the run", async () => {
  const server = await startFakeOllama();
  const dir = await tempDir("discovery");
  const blocker = path.join(dir, "file");
  await writeFile(blocker, "not a directory");
  try {
    const result = await discoverModels(ollamaProvider(server.url), quietHttp(), { cacheDir: path.join(blocker, "oclaw") });
    assert.equal(result.models.length, 7);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("one failing /api/show is reported and skipped; the rest is listed", async () => {
  const server = await startFakeOllama();
  const failing: Fetch = async (input, init) => {
    const body = typeof init?.body === "string" ? init.body : "";
    if (body.includes('"gemma:2b"')) {
      return new Response('{"error":"something went wrong reading the manifest"}', { status: 500 });
    }
    return await fetch(input, init);
  };
  try {
    const result = await discoverModels(ollamaProvider(server.url), quietHttp({ fetch: failing }));
    assert.equal(result.models.length, 6);
    assert.equal(result.failures.length, 1);
    assert.equal(result.failures[0]!.model, "gemma:2b");
    assert.equal(result.failures[0]!.error.code, "E_HTTP");
    assert.match(result.failures[0]!.error.message, /something went wrong reading the manifest/);
  } finally {
    await server.close();
  }
});

test("the provider's key and headers are sent with every discovery request", async () => {
  await withFakeOllama({}, async (server) => {
    await discoverModels(ollamaProvider(server.url, { apiKey: "sk-test-1234", headers: { "x-team": "ops" } }), quietHttp());
    for (const r of server.requests) {
      assert.equal(r.headers.authorization, "Bearer sk-test-1234", r.path);
      assert.equal(r.headers["x-team"], "ops", r.path);
    }
  });
});

test("a refused port fails discovery at once with E_UNREACHABLE", async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  await assert.rejects(discoverModels(ollamaProvider(url), quietHttp()), (e: unknown) => {
    assert.ok(e instanceof OclawError);
    assert.equal(e.code, "E_UNREACHABLE");
    assert.match(e.message, /connection refused/);
    return true;
  });
});

test("a black-holed port fails within the connect timeout; a slow but alive server is waited for", async () => {
  const hole = await blackHole();
  try {
    await assert.rejects(
      discoverModels(ollamaProvider(`http://127.0.0.1:${hole.port}`), quietHttp(), { connectTimeoutMs: 300 }),
      (e: unknown) => {
        assert.ok(e instanceof OclawError);
        assert.equal(e.code, "E_UNREACHABLE");
        assert.match(e.message, /timed out after 0\.3 s/);
        return true;
      },
    );
  } finally {
    hole.stop();
  }
  // The connect timeout covers connecting only: answers slower than it still arrive.
  await withFakeOllama({ showDelayMs: 600 }, async (slow) => {
    const result = await discoverModels(ollamaProvider(slow.url), quietHttp(), { connectTimeoutMs: 300 });
    assert.equal(result.models.length, 7);
    assert.equal(result.failures.length, 0);
  });
});
