/**
 * The fake Ollama's store routes and plumbing, byte for byte where Ollama's wire format matters: content
 * types, Go's JSON escaping, exact error bodies, version quirks, request recording, the CLI wrapper.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import assert from "node:assert/strict";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { type FakeOllama, syntheticModels } from "./support/fake-ollama.ts";
import { ndjsonLines } from "./support/json-lines.ts";
import { rawRequest } from "./support/fake-ollama/raw-http.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

const post = (server: FakeOllama, path: string, body: unknown) => rawRequest(server.url, path, { body: JSON.stringify(body) });

test("GET and HEAD / say Ollama is running; /api/version follows the version knob", async () => {
  await withFakeOllama({ version: "0.6.0" }, async (server) => {
    const root = await rawRequest(server.url, "/");
    assert.equal(root.status, 200);
    assert.equal(root.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(root.text, "Ollama is running");
    const head = await rawRequest(server.url, "/", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.chunks.length, 0);
    const version = await rawRequest(server.url, "/api/version");
    assert.equal(version.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(version.text, '{"version":"0.6.0"}');
  });
});

test("unknown path is 404 text/plain, wrong method 405, both as gin writes them", async () => {
  await withFakeOllama({}, async (server) => {
    const missing = await rawRequest(server.url, "/api/nothing");
    assert.equal(missing.status, 404);
    assert.equal(missing.headers["content-type"], "text/plain");
    assert.equal(missing.text, "404 page not found");
    const wrong = await rawRequest(server.url, "/api/chat");
    assert.equal(wrong.status, 405);
    assert.equal(wrong.text, "405 method not allowed");
  });
});

test("hostCheck: 403 with an empty body for a public name or IP; as permissive as Ollama's for private IPs and local names", async () => {
  await withFakeOllama({ hostCheck: true }, async (server) => {
    for (const host of ["attacker.example:11434", "8.8.8.8", "ollama.lan:11434", "[2001:db8::1]:11434"]) {
      const evil = await rawRequest(server.url, "/api/tags", { headers: { Host: host } });
      assert.equal(evil.status, 403, host);
      assert.equal(evil.text, "");
    }
    // server/routes.go allowedHostsMiddleware / allowedHost (v0.33). These are only Host header values:
    // every request goes to the loopback fake, none to the addresses named.
    const allowed = [
      "localhost:11434", "127.0.0.1", "[::1]:11434", "10.0.0.5:11434", "192.168.1.20", "172.16.0.1:11434",
      "0.0.0.0:11434", "[fd00::1]:11434", "gpu-box.local", "ollama.internal:11434", "app.localhost", os.hostname(),
    ];
    for (const host of allowed) {
      assert.equal((await rawRequest(server.url, "/api/tags", { headers: { Host: host } })).status, 200, host);
    }
  });
});

test("/api/tags lists the store newest first with bare-hex digests; an empty store is an empty list", async () => {
  await withFakeOllama({}, async (server) => {
    const tags = await rawRequest(server.url, "/api/tags");
    assert.equal(tags.headers["content-type"], "application/json; charset=utf-8");
    assert.ok(
      tags.text.includes(
        '{"name":"llama3.2:3b","model":"llama3.2:3b","modified_at":"2025-05-04T17:37:44.706015396-07:00","size":2019393189,"digest":"a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72","details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"3.2B","quantization_level":"Q4_K_M"}}',
      ),
    );
    const names = (JSON.parse(tags.text) as { models: Array<{ name: string }> }).models.map((m) => m.name);
    assert.deepEqual(names, ["gpt-oss:20b", "qwen3:8b", "qwen2.5vl:7b", "llama3.2:3b", "hermes-tools:latest", "nomic-embed-text:latest", "gemma:2b"]);
    server.set({ models: [] });
    assert.equal((await rawRequest(server.url, "/api/tags")).text, '{"models":[]}');
    assert.equal((await rawRequest(server.url, "/v1/models")).text, '{"object":"list","data":null}\n');
    const gone = await rawRequest(server.url, "/v1/models/qwen3:8b");
    assert.equal(gone.status, 404);
    assert.equal(gone.text, `{"error":{"message":"model 'qwen3:8b' not found","type":"not_found_error","param":null,"code":null}}\n`);
    server.set({ models: syntheticModels(1) });
    assert.equal((await rawRequest(server.url, "/v1/models/synth-000:7b")).text, '{"id":"synth-000:7b","object":"model","created":1735689600,"owned_by":"library"}\n');
  });
});

test("/api/show: Go escaping, padded parameters, short arrays unless verbose, legacy name, errors", async () => {
  await withFakeOllama({}, async (server) => {
    const qwen = await post(server, "/api/show", { model: "qwen3:8b" });
    assert.equal(qwen.status, 200);
    assert.ok(qwen.text.includes('"template":"{{- if .Messages }}\\n{{- if or .System .Tools }}\\u003c|im_start|\\u003esystem'));
    const body = JSON.parse(qwen.text);
    assert.equal(
      body.parameters,
      'repeat_penalty                 1\nstop                           "<|im_start|>"\nstop                           "<|im_end|>"\ntemperature                    0.6\ntop_k                          20\ntop_p                          0.95',
    );
    assert.equal(body.model_info["qwen3.context_length"], 40960);
    assert.deepEqual(body.model_info["tokenizer.ggml.tokens"], []);
    assert.deepEqual(body.capabilities, ["completion", "tools", "thinking"]);
    assert.deepEqual(Object.keys(body), ["license", "modelfile", "parameters", "template", "details", "model_info", "capabilities", "modified_at"]);
    const verbose = JSON.parse((await post(server, "/api/show", { model: "qwen3:8b", verbose: true })).text);
    assert.equal(verbose.model_info["tokenizer.ggml.tokens"].length, 10);
    const legacy = JSON.parse((await post(server, "/api/show", { name: "llama3.2:3b" })).text);
    assert.equal(legacy.model_info["llama.context_length"], 131072);
    assert.deepEqual(legacy.model_info["general.languages"], []);
    const noCtx = JSON.parse((await post(server, "/api/show", { model: "hermes-tools" })).text);
    assert.equal(Object.keys(noCtx.model_info).some((k) => k.endsWith(".context_length")), false);

    const missing = await post(server, "/api/show", {});
    assert.equal(missing.status, 400);
    assert.equal(missing.text, '{"error":"model is required"}');
    const notFound = await post(server, "/api/show", { model: "llama9" });
    assert.equal(notFound.status, 404);
    assert.equal(notFound.text, `{"error":"model 'llama9' not found"}`);
  });
});

test("/api/show by version: 0.6.0 sends no capabilities, 0.8.0 no thinking capability", async () => {
  await withFakeOllama({ version: "0.6.0" }, async (server) => {
    const body = JSON.parse((await post(server, "/api/show", { model: "qwen3:8b" })).text);
    assert.equal("capabilities" in body, false);
    server.set({ version: "0.8.0" });
    const later = JSON.parse((await post(server, "/api/show", { model: "qwen3:8b" })).text);
    assert.deepEqual(later.capabilities, ["completion", "tools"]);
  });
});

test("/api/ps reports loaded models with size_vram and context_length (not before 0.10.0)", async () => {
  await withFakeOllama({ ps: [{ name: "qwen3:8b", size_vram: 0, context_length: 8192 }] }, async (server) => {
    const ps = JSON.parse((await rawRequest(server.url, "/api/ps")).text);
    assert.equal(ps.models.length, 1);
    assert.equal(ps.models[0].size, 5225388164);
    assert.equal(ps.models[0].size_vram, 0);
    assert.equal(ps.models[0].context_length, 8192);
    server.set({ version: "0.9.6" });
    const old = JSON.parse((await rawRequest(server.url, "/api/ps")).text);
    assert.equal("context_length" in old.models[0], false);
  });
});

test("a store of 200 synthetic models, each with its own digest and context length", async () => {
  await withFakeOllama({ models: syntheticModels(200) }, async (server) => {
    const tags = JSON.parse((await rawRequest(server.url, "/api/tags")).text);
    assert.equal(tags.models.length, 200);
    assert.equal(new Set(tags.models.map((m: { digest: string }) => m.digest)).size, 200);
    const show = JSON.parse((await post(server, "/api/show", { model: "synth-199:7b" })).text);
    assert.equal(show.model_info["qwen2.context_length"], 4096 * 8);
    assert.deepEqual(show.capabilities, ["completion", "tools"]);
  });
});

test("/api/pull streams progress for a known model and an error line with status 200 for an unknown one", async () => {
  await withFakeOllama({ pullScript: { "custom:1b": [{ status: "pulling manifest" }, { status: "success" }] } }, async (server) => {
    const known = await post(server, "/api/pull", { model: "llama3.2:3b" });
    assert.equal(known.headers["content-type"], "application/x-ndjson");
    const progress = ndjsonLines(known.text);
    assert.deepEqual(progress[0], { status: "pulling manifest" });
    assert.deepEqual(progress.slice(-3).map((l) => l.status), ["verifying sha256 digest", "writing manifest", "success"]);
    assert.ok(progress.some((l) => l.status === "pulling a80c4f17acd5" && l.total === 2019393189 && l.completed === 2019393189));
    const unknown = await post(server, "/api/pull", { model: "nosuch" });
    assert.equal(unknown.status, 200);
    assert.equal(unknown.text, '{"status":"pulling manifest"}\n{"error":"pull model manifest: file does not exist"}\n');
    assert.deepEqual(ndjsonLines((await post(server, "/api/pull", { model: "custom:1b" })).text).map((l) => l.status), ["pulling manifest", "success"]);
    const quiet = await post(server, "/api/pull", { model: "nosuch", stream: false });
    assert.equal(quiet.status, 500);
  });
});

test("every request is recorded with method, path, lowercased headers and parsed body", async () => {
  await withFakeOllama({}, async (server) => {
    await rawRequest(server.url, "/api/tags?x=1", { headers: { Authorization: "Bearer k" } });
    await post(server, "/api/show", { model: "qwen3:8b" });
    const [tags, show] = server.requests;
    assert.equal(tags!.method, "GET");
    assert.equal(tags!.path, "/api/tags?x=1");
    assert.equal(tags!.headers.authorization, "Bearer k");
    assert.equal(tags!.body, undefined);
    assert.deepEqual(show!.body, { model: "qwen3:8b" });
    assert.ok(show!.receivedAt >= tags!.receivedAt);
  });
});

test("showDelayMs delays each /api/show, concurrent ones side by side", async () => {
  await withFakeOllama({ showDelayMs: 150 }, async (server) => {
    const [tags, ...shows] = await Promise.all([
      rawRequest(server.url, "/api/tags"),
      ...["qwen3:8b", "gemma:2b", "llama3.2:3b"].map((model) => post(server, "/api/show", { model })),
    ]);
    for (const r of shows) {
      assert.equal(r.status, 200);
      assert.ok(r.firstByteAt! - r.sentAt >= 140, `answered after ${r.firstByteAt! - r.sentAt} ms`);
      assert.ok(tags!.firstByteAt! < r.firstByteAt!, "tags sent at the same time answered first");
    }
  });
});

test("scripts/fake-ollama.ts prints its URL, serves the chosen version and store, stops on SIGTERM", async () => {
  const script = path.join(fileURLToPath(new URL("..", import.meta.url)), "scripts/fake-ollama.ts");
  const versions = process.versions as Record<string, string | undefined>;
  const argv = [...(versions.deno ? ["run", "-A", "--no-check"] : []), script, "--port", "0", "--version", "0.6.0", "--models", "3", "--tokens", "5"];
  const child = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        if (out.endsWith("\n")) resolve(out.trim());
      });
      child.on("exit", (code) => reject(new Error(`exited ${code} before listening`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await rawRequest(url, "/api/version")).text, '{"version":"0.6.0"}');
    const names = JSON.parse((await rawRequest(url, "/api/tags")).text).models.map((m: { name: string }) => m.name);
    assert.deepEqual(names.sort(), ["bench:latest", "synth-000:7b", "synth-001:7b", "synth-002:7b"]);
    const chat = await post({ url } as FakeOllama, "/api/chat", { model: "bench", messages: [{ role: "user", content: "x" }] });
    assert.equal(chat.text.split("\n").filter(Boolean).length, 6);
    const stats = JSON.parse((await rawRequest(url, "/_fake/stats")).text);
    assert.equal(typeof stats.firstTokenAt, "number");
  } finally {
    child.kill("SIGTERM");
  }
  // Deno's ChildProcess reports a child it signalled as killed (code null) even when the child's handler
  // exited 0 (its handler does run); Bun reports the real exit code.
  assert.equal(await exited, versions.deno ? null : 0);
});
