/**
 * The fake Ollama's routes, byte for byte where Ollama's wire format matters: content types, Go's JSON
 * escaping, exact error bodies and statuses per server version, the store, NDJSON and SSE framing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type FakeOllama, type FakeOllamaOptions, startFakeOllama, syntheticModels } from "./support/fake-ollama.ts";
import { rawRequest } from "./support/fake-ollama/raw-http.ts";

async function withServer(options: Partial<FakeOllamaOptions>, body: (s: FakeOllama) => Promise<void>) {
  const server = await startFakeOllama(options);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

const USER = [{ role: "user", content: "hi" }];
const post = (server: FakeOllama, path: string, body: unknown) => rawRequest(server.url, path, { body: JSON.stringify(body) });
// Parsed wire data is probed freely by these tests; a wrong shape fails the assertion that reads it.
// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;
const lines = (text: string) => text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Json);

test("GET and HEAD / say Ollama is running; /api/version follows the version knob", async () => {
  await withServer({ version: "0.6.0" }, async (server) => {
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
  await withServer({}, async (server) => {
    const missing = await rawRequest(server.url, "/api/nothing");
    assert.equal(missing.status, 404);
    assert.equal(missing.headers["content-type"], "text/plain");
    assert.equal(missing.text, "404 page not found");
    const wrong = await rawRequest(server.url, "/api/chat");
    assert.equal(wrong.status, 405);
    assert.equal(wrong.text, "405 method not allowed");
  });
});

test("hostCheck answers 403 with an empty body unless Host is loopback", async () => {
  await withServer({ hostCheck: true }, async (server) => {
    const evil = await rawRequest(server.url, "/api/tags", { headers: { Host: "attacker.example:11434" } });
    assert.equal(evil.status, 403);
    assert.equal(evil.text, "");
    for (const host of ["localhost:11434", "127.0.0.1", "[::1]:11434"]) {
      assert.equal((await rawRequest(server.url, "/api/tags", { headers: { Host: host } })).status, 200, host);
    }
  });
});

test("/api/tags lists the store newest first with bare-hex digests; an empty store is an empty list", async () => {
  await withServer({}, async (server) => {
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
  });
});

test("/api/show: Go escaping, padded parameters, short arrays unless verbose, legacy name, errors", async () => {
  await withServer({}, async (server) => {
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
  await withServer({ version: "0.6.0" }, async (server) => {
    const body = JSON.parse((await post(server, "/api/show", { model: "qwen3:8b" })).text);
    assert.equal("capabilities" in body, false);
    server.set({ version: "0.8.0" });
    const later = JSON.parse((await post(server, "/api/show", { model: "qwen3:8b" })).text);
    assert.deepEqual(later.capabilities, ["completion", "tools"]);
  });
});

test("/api/ps reports loaded models with size_vram and context_length (not before 0.10.0)", async () => {
  await withServer({ ps: [{ name: "qwen3:8b", size_vram: 0, context_length: 8192 }] }, async (server) => {
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
  await withServer({ models: syntheticModels(200) }, async (server) => {
    const tags = JSON.parse((await rawRequest(server.url, "/api/tags")).text);
    assert.equal(tags.models.length, 200);
    assert.equal(new Set(tags.models.map((m: { digest: string }) => m.digest)).size, 200);
    const show = JSON.parse((await post(server, "/api/show", { model: "synth-199:7b" })).text);
    assert.equal(show.model_info["qwen2.context_length"], 4096 * 8);
    assert.deepEqual(show.capabilities, ["completion", "tools"]);
  });
});

test("/api/chat capability and validation errors carry Ollama's exact texts, new and old", async () => {
  const cases: Array<[string, unknown, number, string]> = [
    ["0.12.3", { model: "llama9", messages: USER }, 404, `model 'llama9' not found`],
    ["0.11.10", { model: "llama9", messages: USER }, 404, `model "llama9" not found, try pulling it first`],
    ["0.12.3", { model: "gemma:2b", messages: USER, tools: [{ type: "function", function: { name: "f" } }] }, 400, "registry.ollama.ai/library/gemma:2b does not support tools"],
    ["0.5.1", { model: "gemma:2b", messages: USER, tools: [{ type: "function", function: { name: "f" } }] }, 400, "gemma:2b does not support tools"],
    ["0.12.3", { model: "llama3.2:3b", messages: USER, think: true }, 400, `"llama3.2:3b" does not support thinking`],
    ["0.11.4", { model: "llama3.2:3b", messages: USER, think: "high" }, 400, "registry.ollama.ai/library/llama3.2:3b does not support thinking"],
    ["0.12.3", { model: "qwen3:8b", messages: USER, think: "banana" }, 400, `invalid think value: "banana" (must be "high", "medium", "low", "max", true, or false)`],
    ["0.12.3", { model: "nomic-embed-text", messages: USER }, 400, `"nomic-embed-text" does not support chat`],
    ["0.12.3", { messages: USER }, 400, "model is required"],
    ["0.12.3", { model: "llava", messages: [{ role: "user", content: "x", images: ["data:image/png;base64,AAAA"] }] }, 404, "model 'llava' not found"],
    ["0.12.3", { model: "qwen2.5vl:7b", messages: [{ role: "user", content: "x", images: ["data:image/png;base64,AAAA"] }] }, 400, "illegal base64 data at input byte 4"],
  ];
  await withServer({}, async (server) => {
    for (const [version, body, status, message] of cases) {
      server.set({ version });
      const r = await post(server, "/api/chat", body);
      assert.equal(r.status, status, `${version} ${JSON.stringify(body)}`);
      assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
      assert.equal(r.text, JSON.stringify({ error: message }).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026"));
    }
    const notJson = await rawRequest(server.url, "/api/chat", { body: "hello" });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.text, `{"error":"invalid character 'h' looking for beginning of value"}`);
    const empty = await rawRequest(server.url, "/api/chat", { body: "" });
    assert.equal(empty.text, `{"error":"missing request body"}`);
  });
});

test("/api/chat think:false on a model without thinking is fine; empty messages load the model", async () => {
  await withServer({}, async (server) => {
    const ok = await post(server, "/api/chat", { model: "gemma:2b", messages: USER, think: false });
    assert.equal(ok.status, 200);
    const load = await post(server, "/api/chat", { model: "qwen3:8b", messages: [] });
    assert.equal(load.headers["content-type"], "application/json; charset=utf-8");
    const body = JSON.parse(load.text);
    assert.deepEqual({ ...body, created_at: "" }, { model: "qwen3:8b", created_at: "", message: { role: "assistant", content: "" }, done: true, done_reason: "load" });
  });
});

test("/api/chat streams NDJSON: model echoed, Go escaping, RFC3339 times, thinking then content, done line metrics", async () => {
  const reply = { thinking: "a<b", content: "x & y", doneReason: "length", metrics: { prompt_eval_count: 169, eval_count: 15, load_duration: 0 } };
  await withServer({ version: "0.12.10", replies: { "llama3.2:3b": reply, "qwen3:8b": reply } }, async (server) => {
    const r = await post(server, "/api/chat", { model: "registry.ollama.ai/library/qwen3:8b", messages: USER, think: true });
    assert.equal(r.headers["content-type"], "application/x-ndjson");
    assert.equal(r.headers["transfer-encoding"], "chunked");
    assert.ok(r.text.endsWith("\n"));
    assert.ok(r.text.includes('"thinking":"a\\u003cb"'));
    assert.ok(r.text.includes('"content":" \\u0026"'));
    const parsed = lines(r.text);
    assert.deepEqual(parsed.map((l) => [l.message.thinking ?? null, l.message.content, l.done]), [
      ["a<b", "", false],
      [null, "x", false],
      [null, " &", false],
      [null, " y", false],
      [null, "", true],
    ]);
    for (const l of parsed) {
      assert.equal(l.model, "registry.ollama.ai/library/qwen3:8b");
      assert.match(l.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
      assert.deepEqual(Object.keys(l.message).slice(0, 2), ["role", "content"]);
    }
    const done = parsed.at(-1)!;
    assert.deepEqual(Object.keys(done), ["model", "created_at", "message", "done", "done_reason", "total_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"]);
    assert.equal(done.done_reason, "length");
    assert.equal(done.prompt_eval_count, 169);
    assert.equal(done.eval_count, 15);
  });
});

test("/api/chat tool calls: several in one chunk, on the done line, id and index by version", async () => {
  const reply = {
    content: "ok",
    toolCalls: [
      { name: "a", arguments: { x: 1 }, chunk: 0 },
      { name: "b", arguments: { y: "<" }, chunk: 0 },
      { name: "c", arguments: {}, chunk: "done" as const },
    ],
  };
  await withServer({ version: "0.12.10", replies: { "*": reply } }, async (server) => {
    const now = lines((await post(server, "/api/chat", { model: "llama3.2:3b", messages: USER })).text);
    assert.equal(now.length, 2);
    assert.equal(now[0]!.message.content, "ok");
    assert.deepEqual(now[0]!.message.tool_calls.map((c: Json) => [c.function.index, c.function.name, c.function.arguments]), [[0, "a", { x: 1 }], [1, "b", { y: "<" }]]);
    for (const c of now[0]!.message.tool_calls) assert.match(c.id, /^call_[a-z0-9]{8}$/);
    assert.equal(now[1]!.done, true);
    assert.deepEqual(now[1]!.message.tool_calls.map((c: Json) => [c.function.index, c.function.name]), [[2, "c"]]);

    server.set({ version: "0.12.3" });
    const old = lines((await post(server, "/api/chat", { model: "llama3.2:3b", messages: USER })).text);
    assert.deepEqual(old[0]!.message.tool_calls, [{ function: { name: "a", arguments: { x: 1 } } }, { function: { index: 1, name: "b", arguments: { y: "<" } } }]);

    const merged = JSON.parse((await post(server, "/api/chat", { model: "llama3.2:3b", messages: USER, stream: false })).text);
    assert.equal(merged.done, true);
    assert.equal(merged.message.content, "ok");
    assert.deepEqual(merged.message.tool_calls.map((c: Json) => c.function.name), ["a", "b", "c"]);
  });
});

test("/api/chat before 0.8.0 buffers tool output into one chunk; 0.4.5 leaks tool JSON into content", async () => {
  const reply = { content: "Let me check.", toolCalls: [{ name: "get_weather", arguments: { city: "Tokyo" } }] };
  const tools = [{ type: "function", function: { name: "get_weather" } }];
  await withServer({ version: "0.7.1", replies: { "*": reply } }, async (server) => {
    const buffered = lines((await post(server, "/api/chat", { model: "llama3.2:3b", messages: USER, tools })).text);
    assert.equal(buffered.length, 2);
    assert.equal(buffered[0]!.message.content, "Let me check.");
    assert.equal(buffered[0]!.message.tool_calls[0].function.name, "get_weather");
    server.set({ version: "0.4.5" });
    const leaked = lines((await post(server, "/api/chat", { model: "llama3.2:3b", messages: USER, tools })).text);
    assert.equal(leaked.map((l) => l.message.content).join(""), 'Let me check.{"name":"get_weather","arguments":{"city":"Tokyo"}}');
    assert.ok(leaked.every((l) => !l.message.tool_calls));
  });
});

test("/api/chat thinking by version: a separate field with think set, <think> in content before 0.9.0 or when omitted before 0.12.4", async () => {
  await withServer({ version: "0.8.0", replies: { "*": { thinking: "hmm", content: "hi" } } }, async (server) => {
    const content = (r: Awaited<ReturnType<typeof post>>) => lines(r.text).map((l) => l.message.content).join("");
    assert.equal(content(await post(server, "/api/chat", { model: "qwen3:8b", messages: USER, think: true })), "<think>hmm</think>\n\nhi");
    server.set({ version: "0.12.3" });
    assert.equal(content(await post(server, "/api/chat", { model: "qwen3:8b", messages: USER })), "<think>hmm</think>\n\nhi");
    assert.equal(content(await post(server, "/api/chat", { model: "qwen3:8b", messages: USER, think: false })), "hi");
    server.set({ version: "0.12.4" });
    const parsed = lines((await post(server, "/api/chat", { model: "qwen3:8b", messages: USER })).text);
    assert.equal(parsed[0]!.message.thinking, "hmm");
    assert.equal(content(await post(server, "/api/chat", { model: "qwen3:8b", messages: USER })), "hi");
  });
});

test("/api/chat scripted HTTP error and mid-stream error line keep Ollama's shapes", async () => {
  const oom = "model requires more system memory (9.2 GiB) than is available (3.1 GiB)";
  await withServer({ replies: { "qwen3:8b": { error: { status: 500, message: oom } }, "llama3.2:3b": { content: "a b c", midStreamError: { afterChunks: 1 } } } }, async (server) => {
    const r = await post(server, "/api/chat", { model: "qwen3:8b", messages: USER });
    assert.equal(r.status, 500);
    assert.equal(r.text, JSON.stringify({ error: oom }));
    const mid = await post(server, "/api/chat", { model: "llama3.2:3b", messages: USER });
    assert.equal(mid.status, 200);
    const parsed = lines(mid.text);
    assert.equal(parsed.length, 2);
    assert.equal(parsed[0]!.message.content, "a");
    assert.equal(mid.text.split("\n")[1], '{"error":"an error was encountered while running the model"}');
    assert.ok(parsed.every((l) => l.done !== true));
  });
});

test("scripted replies play in turn per model, raw lines go out verbatim, a reply function sees the request", async () => {
  await withServer({ replies: { "qwen3:8b": [{ content: "one" }, { content: "two" }], "gemma:2b": { raw: { ndjson: ['{"weird":true}', "not json\n"] } } } }, async (server) => {
    const text = async (model: string) => lines((await post(server, "/api/chat", { model, messages: USER })).text).map((l) => l.message.content).join("");
    assert.deepEqual([await text("qwen3:8b"), await text("qwen3:8b"), await text("qwen3:8b")], ["one", "two", "two"]);
    assert.equal((await post(server, "/api/chat", { model: "gemma:2b", messages: USER })).text, '{"weird":true}\nnot json\n');
    server.set({ replies: (call) => ({ content: `${call.api} turn ${call.turn} for ${call.resolved}` }) });
    assert.equal(await text("Llama3.2:3B"), "native turn 0 for llama3.2:3b");
  });
});

test("/api/pull streams progress for a known model and an error line with status 200 for an unknown one", async () => {
  await withServer({ pullScript: { "custom:1b": [{ status: "pulling manifest" }, { status: "success" }] } }, async (server) => {
    const known = await post(server, "/api/pull", { model: "llama3.2:3b" });
    assert.equal(known.headers["content-type"], "application/x-ndjson");
    const progress = lines(known.text);
    assert.deepEqual(progress[0], { status: "pulling manifest" });
    assert.deepEqual(progress.slice(-3).map((l) => l.status), ["verifying sha256 digest", "writing manifest", "success"]);
    assert.ok(progress.some((l) => l.status === "pulling a80c4f17acd5" && l.total === 2019393189 && l.completed === 2019393189));
    const unknown = await post(server, "/api/pull", { model: "nosuch" });
    assert.equal(unknown.status, 200);
    assert.equal(unknown.text, '{"status":"pulling manifest"}\n{"error":"pull model manifest: file does not exist"}\n');
    assert.deepEqual(lines((await post(server, "/api/pull", { model: "custom:1b" })).text).map((l) => l.status), ["pulling manifest", "success"]);
    const quiet = await post(server, "/api/pull", { model: "nosuch", stream: false });
    assert.equal(quiet.status, 500);
  });
});

test("every request is recorded with method, path, lowercased headers and parsed body", async () => {
  await withServer({}, async (server) => {
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

test("/v1/chat/completions SSE framing, both layouts: role and finish_reason placement, usage, [DONE]", async () => {
  const events = (text: string) => {
    assert.ok(text.endsWith("data: [DONE]\n\n"));
    return text.split("\n\n").filter(Boolean).slice(0, -1).map((e) => {
      assert.ok(e.startsWith("data: "), e);
      return JSON.parse(e.slice(6));
    });
  };
  const body = { model: "qwen3:8b", stream: true, messages: USER, stream_options: { include_usage: true } };
  await withServer({ version: "0.12.10", replies: { "*": { content: "a <b>" } } }, async (server) => {
    const legacy = await post(server, "/v1/chat/completions", body);
    assert.equal(legacy.headers["content-type"], "text/event-stream");
    assert.ok(legacy.text.includes('"content":" \\u003cb\\u003e"'));
    const l = events(legacy.text);
    assert.deepEqual(l.slice(0, -1).map((e) => [e.choices[0].delta, e.choices[0].finish_reason]), [
      [{ role: "assistant", content: "a" }, null],
      [{ role: "assistant", content: " <b>" }, null],
      [{ role: "assistant", content: "" }, "stop"],
    ]);
    assert.deepEqual(l.at(-1), { ...l.at(-1), choices: [], usage: { prompt_tokens: 26, completion_tokens: 2, total_tokens: 28 } });
    assert.equal(l[0].object, "chat.completion.chunk");
    assert.equal(l[0].system_fingerprint, "fp_ollama");
    assert.match(l[0].id, /^chatcmpl-\d+$/);

    server.set({ version: "0.32.6" });
    const current = events((await post(server, "/v1/chat/completions", body)).text);
    assert.deepEqual(current.slice(0, -1).map((e) => [e.choices[0].delta, e.choices[0].finish_reason]), [
      [{ role: "assistant", content: "a" }, null],
      [{ content: " <b>" }, null],
      [{}, "stop"],
    ]);
    assert.deepEqual(current.at(-1).usage, { prompt_tokens: 26, completion_tokens: 2, total_tokens: 28 });
  });
});

test("/v1/chat/completions: stream defaults to false; errors use OpenAI's body; a mid-stream failure has no [DONE]", async () => {
  await withServer({ replies: { "*": { content: "a b c", midStreamError: { afterChunks: 1 } }, "qwen3:8b": { content: "fine" } } }, async (server) => {
    const plain = await post(server, "/v1/chat/completions", { model: "qwen3:8b", messages: USER });
    assert.equal(plain.headers["content-type"], "application/json");
    const completion = JSON.parse(plain.text);
    assert.equal(completion.object, "chat.completion");
    assert.deepEqual(completion.choices, [{ index: 0, message: { role: "assistant", content: "fine" }, finish_reason: "stop" }]);

    const missing = await post(server, "/v1/chat/completions", { model: "nope", messages: USER });
    assert.equal(missing.status, 404);
    assert.equal(missing.text, `{"error":{"message":"model 'nope' not found","type":"not_found_error","param":null,"code":null}}\n`);
    const tools = await post(server, "/v1/chat/completions", { model: "gemma:2b", messages: USER, tools: [{ type: "function", function: { name: "f" } }] });
    assert.equal(tools.status, 400);
    assert.equal(JSON.parse(tools.text).error.type, "invalid_request_error");
    const empty = await post(server, "/v1/chat/completions", { model: "qwen3:8b", messages: [] });
    assert.equal(empty.status, 400);
    assert.equal(empty.text, `{"error":{"message":"[] is too short - 'messages'","type":"invalid_request_error","param":null,"code":null}}`);

    const broken = await post(server, "/v1/chat/completions", { model: "llama3.2:3b", messages: USER, stream: true });
    assert.equal(broken.status, 200);
    assert.equal(broken.text.includes("[DONE]"), false);
    assert.ok(broken.complete);
    server.set({ replies: { "*": { content: "a b", midStreamError: { afterChunks: 1, sseErrorEvent: true } } } });
    const withEvent = await post(server, "/v1/chat/completions", { model: "llama3.2:3b", messages: USER, stream: true });
    assert.ok(withEvent.text.endsWith(`data: {"error":{"message":"an error was encountered while running the model","type":"api_error","param":null,"code":null}}\n\n`));
  });
});
