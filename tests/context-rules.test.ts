import assert from "node:assert/strict";
import { test } from "node:test";
import {
  explicitContext,
  modelfileNumCtx,
  plannedContext,
  serverDefaultContext,
  vramDefaultContext,
} from "../lib/catalog/context.ts";
import { isDevBuild, olderThan, versionAtLeast } from "../lib/catalog/ollama-version.ts";
import type { CatalogModel } from "../lib/catalog/types.ts";

test("the order: num_ctx, contextTokens, a written contextWindow, the Modelfile, /api/ps, the version's default", () => {
  const all = { numCtx: 8192, contextTokens: 16384, contextWindow: 32768, modelfile: 2048, allocated: 4096, version: "0.12.3" };
  assert.deepEqual(plannedContext(all), { tokens: 8192, source: "num_ctx", explicit: true });
  assert.deepEqual(plannedContext({ ...all, numCtx: undefined }), { tokens: 16384, source: "contextTokens", explicit: true });
  assert.deepEqual(plannedContext({ ...all, numCtx: undefined, contextTokens: undefined }), { tokens: 32768, source: "contextWindow", explicit: true });
  const implicit = { modelfile: 2048, allocated: 4096, version: "0.12.3" };
  assert.deepEqual(plannedContext(implicit), { tokens: 2048, source: "modelfile", explicit: false });
  assert.deepEqual(plannedContext({ ...implicit, modelfile: undefined }), { tokens: 4096, source: "ps", explicit: false });
  assert.deepEqual(plannedContext({ version: "0.12.3" }), { tokens: 4096, source: "default", explicit: false });
  assert.deepEqual(plannedContext({ version: "0.6.6" }), { tokens: 2048, source: "default", explicit: false });
});

test("from 0.15.5 (VRAM tiers), a dev build or an unknown version, the default is unknown: no guess", () => {
  for (const version of ["0.15.5", "0.33.0", "0.0.0", undefined]) {
    assert.deepEqual(plannedContext({ version }), { tokens: undefined, source: "unknown", explicit: false });
    assert.equal(serverDefaultContext(version), undefined);
  }
  assert.equal(serverDefaultContext("0.15.4"), 4096);
});

test("values are capped at the trained context, as Ollama's scheduler does", () => {
  assert.equal(plannedContext({ numCtx: 131072, trained: 40960 }).tokens, 40960);
  assert.equal(plannedContext({ modelfile: 65536, trained: 8192 }).tokens, 8192);
  assert.equal(plannedContext({ version: "0.6.0", trained: 1024 }).tokens, 1024);
});

test("VRAM tiers of server/routes.go (47/23 GiB thresholds)", () => {
  assert.equal(vramDefaultContext(8), 4096);
  assert.equal(vramDefaultContext(24), 32768);
  assert.equal(vramDefaultContext(32), 32768);
  assert.equal(vramDefaultContext(48), 262144);
});

test("the Modelfile's num_ctx is read from /api/show parameters", () => {
  assert.equal(modelfileNumCtx(`num_ctx                        8192\nstop                           "<|eot_id|>"`), 8192);
  assert.equal(modelfileNumCtx(`stop                           "num_ctx 5"\ntemperature                    0.7`), undefined);
  assert.equal(modelfileNumCtx(undefined), undefined);
});

test("explicit context from a catalogue model and the config data", () => {
  const model = (over: Partial<CatalogModel>): CatalogModel => ({
    id: "m", name: "m", reasoning: false, input: ["text"], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    contextWindow: 131072, maxTokens: 0, params: {}, ref: "ollama/m", provider: "ollama", api: "ollama", tools: true,
    source: "discovered", tags: [], ...over,
  });
  assert.equal(explicitContext(model({}), {}), undefined, "a discovered trained window is not explicit");
  assert.equal(explicitContext(model({ modelfileContext: 8192 }), {}), undefined, "nor is the Modelfile's");
  assert.deepEqual(explicitContext(model({ params: { num_ctx: 8192 } }), {}), { tokens: 8192, source: "num_ctx", explicit: true });
  const data = { models: { providers: { ollama: { models: [{ id: "m", contextTokens: 20000 }] } } } };
  assert.deepEqual(explicitContext(model({ source: "configured", contextWindow: 8192 }), data), { tokens: 20000, source: "contextTokens", explicit: true });
  assert.equal(explicitContext(model({ source: "configured", contextWindow: 8192 }), {}), undefined, "a defaulted contextWindow is not explicit");
});

test("versions: 0.0.0 is a dev build, newer than anything; unreadable ones are unknown", () => {
  assert.equal(isDevBuild("0.0.0"), true);
  assert.equal(versionAtLeast("0.0.0", "0.21.3"), true);
  assert.equal(versionAtLeast("0.21.2", "0.21.3"), false);
  assert.equal(versionAtLeast("0.21.3-rc0", "0.21.3"), true);
  assert.equal(versionAtLeast("v0.30.1", "0.30.0"), true);
  assert.equal(versionAtLeast("banana", "0.1.0"), undefined);
  assert.equal(olderThan(undefined, "0.1.0"), false);
  assert.equal(olderThan("0.6.3", "0.6.4"), true);
});
