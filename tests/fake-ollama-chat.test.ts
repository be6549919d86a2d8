/**
 * The fake Ollama's chat routes, byte for byte where Ollama's wire format matters: exact error bodies and
 * statuses per server version, NDJSON lines, tool call placement, scripted replies, SSE in both layouts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { FakeOllama } from "./support/fake-ollama.ts";
import { type Json, ndjsonLines } from "./support/json-lines.ts";
import { rawRequest } from "./support/fake-ollama/raw-http.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

const USER = [{ role: "user", content: "hi" }];
const post = (server: FakeOllama, path: string, body: unknown) => rawRequest(server.url, path, { body: JSON.stringify(body) });

test("/api/chat capability and validation errors carry Ollama's exact texts, new and old", async () => {
  const cases: Array<[string, unknown, number, string]> = [
    ["0.12.3", { model: "llama9", messages: USER }, 404, `model 'llama9' not found`],
    ["0.11.10", { model: "llama9", messages: USER }, 404, `model "llama9" not found, try pulling it first`],
    ["0.12.3", { model: "gemma:2b", messages: USER, tools: [{ type: "function", function: { name: "f" } }] }, 400, "registry.ollama.ai/library/gemma:2b does not support tools"],
    ["0.5.1", { model: "gemma:2b", messages: USER, tools: [{ type: "function", function: { name: "f" } }] }, 400, "gemma:2b does not support tools"],
    ["0.12.3", { model: "llama3.2:3b", messages: USER, think: true }, 400, `"llama3.2:3b" does not support thinking`],
    ["0.11.4", { model: "llama3.2:3b", messages: USER, think: "high" }, 400, "registry.ollama.ai/library/llama3.2:3b does not support thinking"],
    ["0.12.3", { model: "qwen3:8b", messages: USER, think: "banana" }, 400, `invalid think value: "banana" (must be "high", "medium", "low", true, or false)`],
    // api/types.go: "max" only since 0.21.3; before 0.11.0 think is a Go bool.
    ["0.21.2", { model: "qwen3:8b", messages: USER, think: "max" }, 400, `invalid think value: "max" (must be "high", "medium", "low", true, or false)`],
    ["0.21.3", { model: "qwen3:8b", messages: USER, think: "banana" }, 400, `invalid think value: "banana" (must be "high", "medium", "low", "max", true, or false)`],
    ["0.10.1", { model: "qwen3:8b", messages: USER, think: "high" }, 400, "json: cannot unmarshal string into Go struct field ChatRequest.think of type bool"],
    ["0.12.3", { model: "nomic-embed-text", messages: USER }, 400, `"nomic-embed-text" does not support chat`],
    ["0.12.3", { messages: USER }, 400, "model is required"],
    ["0.12.3", { model: "llava", messages: [{ role: "user", content: "x", images: ["data:image/png;base64,AAAA"] }] }, 404, "model 'llava' not found"],
    ["0.12.3", { model: "qwen2.5vl:7b", messages: [{ role: "user", content: "x", images: ["data:image/png;base64,AAAA"] }] }, 400, "illegal base64 data at input byte 4"],
  ];
  await withFakeOllama({}, async (server) => {
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
  await withFakeOllama({}, async (server) => {
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
  await withFakeOllama({ version: "0.12.10", replies: { "llama3.2:3b": reply, "qwen3:8b": reply } }, async (server) => {
    const r = await post(server, "/api/chat", { model: "registry.ollama.ai/library/qwen3:8b", messages: USER, think: true });
    assert.equal(r.headers["content-type"], "application/x-ndjson");
    assert.equal(r.headers["transfer-encoding"], "chunked");
    assert.ok(r.text.endsWith("\n"));
    assert.ok(r.text.includes('"thinking":"a\\u003cb"'));
    assert.ok(r.text.includes('"content":" \\u0026"'));
    const parsed = ndjsonLines(r.text);
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
  await withFakeOllama({ version: "0.12.10", replies: { "*": reply } }, async (server) => {
    const now = ndjsonLines((await post(server, "/api/chat", { model: "llama3.2:3b", messages: USER })).text);
    assert.equal(now.length, 2);
    assert.equal(now[0]!.message.content, "ok");
    assert.deepEqual(now[0]!.message.tool_calls.map((c: Json) => [c.function.index, c.function.name, c.function.arguments]), [[0, "a", { x: 1 }], [1, "b", { y: "<" }]]);
    for (const c of now[0]!.message.tool_calls) assert.match(c.id, /^call_[a-z0-9]{8}$/);
    assert.equal(now[1]!.done, true);
    assert.deepEqual(now[1]!.message.tool_calls.map((c: Json) => [c.function.index, c.function.name]), [[2, "c"]]);

    server.set({ version: "0.12.3" });
    const old = ndjsonLines((await post(server, "/api/chat", { model: "llama3.2:3b", messages: USER })).text);
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
  await withFakeOllama({ version: "0.7.1", replies: { "*": reply } }, async (server) => {
    const buffered = ndjsonLines((await post(server, "/api/chat", { model: "llama3.2:3b", messages: USER, tools })).text);
    assert.equal(buffered.length, 2);
    assert.equal(buffered[0]!.message.content, "Let me check.");
    assert.equal(buffered[0]!.message.tool_calls[0].function.name, "get_weather");
    server.set({ version: "0.4.5" });
    const leaked = ndjsonLines((await post(server, "/api/chat", { model: "llama3.2:3b", messages: USER, tools })).text);
    assert.equal(leaked.map((l) => l.message.content).join(""), 'Let me check.{"name":"get_weather","arguments":{"city":"Tokyo"}}');
    assert.ok(leaked.every((l) => !l.message.tool_calls));
  });
});

test("/api/chat thinking by version: a separate field with think set, <think> in content before 0.9.0 or when omitted before 0.12.4", async () => {
  await withFakeOllama({ version: "0.8.0", replies: { "*": { thinking: "hmm", content: "hi" } } }, async (server) => {
    const content = (r: Awaited<ReturnType<typeof post>>) => ndjsonLines(r.text).map((l) => l.message.content).join("");
    assert.equal(content(await post(server, "/api/chat", { model: "qwen3:8b", messages: USER, think: true })), "<think>hmm</think>\n\nhi");
    server.set({ version: "0.12.3" });
    assert.equal(content(await post(server, "/api/chat", { model: "qwen3:8b", messages: USER })), "<think>hmm</think>\n\nhi");
    assert.equal(content(await post(server, "/api/chat", { model: "qwen3:8b", messages: USER, think: false })), "hi");
    server.set({ version: "0.12.4" });
    const parsed = ndjsonLines((await post(server, "/api/chat", { model: "qwen3:8b", messages: USER })).text);
    assert.equal(parsed[0]!.message.thinking, "hmm");
    assert.equal(content(await post(server, "/api/chat", { model: "qwen3:8b", messages: USER })), "hi");
  });
});

test("/api/chat scripted HTTP error and mid-stream error line keep Ollama's shapes", async () => {
  const oom = "model requires more system memory (9.2 GiB) than is available (3.1 GiB)";
  await withFakeOllama({ replies: { "qwen3:8b": { error: { status: 500, message: oom } }, "llama3.2:3b": { content: "a b c", midStreamError: { afterChunks: 1 } } } }, async (server) => {
    const r = await post(server, "/api/chat", { model: "qwen3:8b", messages: USER });
    assert.equal(r.status, 500);
    assert.equal(r.text, JSON.stringify({ error: oom }));
    const mid = await post(server, "/api/chat", { model: "llama3.2:3b", messages: USER });
    assert.equal(mid.status, 200);
    const parsed = ndjsonLines(mid.text);
    assert.equal(parsed.length, 2);
    assert.equal(parsed[0]!.message.content, "a");
    assert.equal(mid.text.split("\n")[1], '{"error":"an error was encountered while running the model"}');
    assert.ok(parsed.every((l) => l.done !== true));
  });
});

test("scripted replies play in turn per model, raw lines go out verbatim, a reply function sees the request", async () => {
  await withFakeOllama({ replies: { "qwen3:8b": [{ content: "one" }, { content: "two" }], "gemma:2b": { raw: { ndjson: ['{"weird":true}', "not json\n"] } } } }, async (server) => {
    const text = async (model: string) => ndjsonLines((await post(server, "/api/chat", { model, messages: USER })).text).map((l) => l.message.content).join("");
    assert.deepEqual([await text("qwen3:8b"), await text("qwen3:8b"), await text("qwen3:8b")], ["one", "two", "two"]);
    assert.equal((await post(server, "/api/chat", { model: "gemma:2b", messages: USER })).text, '{"weird":true}\nnot json\n');
    server.set({ replies: (call) => ({ content: `${call.api} turn ${call.turn} for ${call.resolved}` }) });
    assert.equal(await text("Llama3.2:3B"), "native turn 0 for llama3.2:3b");
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
  await withFakeOllama({ version: "0.12.10", replies: { "*": { content: "a <b>" } } }, async (server) => {
    const legacy = await post(server, "/v1/chat/completions", body);
    assert.equal(legacy.headers["content-type"], "text/event-stream");
    assert.ok(legacy.text.includes('"content":" \\u003cb\\u003e"'));
    const l = events(legacy.text);
    assert.deepEqual(l.slice(0, -1).map((e) => [e.choices[0].delta, e.choices[0].finish_reason]), [
      [{ role: "assistant", content: "a" }, null],
      [{ role: "assistant", content: " <b>" }, null],
      [{ role: "assistant", content: "" }, "stop"],
    ]);
    assert.deepEqual(l.at(-1), { ...l.at(-1), choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
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
    // The prompt's tokens by the fake's tokenizer (4 characters a token, 4 a message).
    assert.deepEqual(current.at(-1).usage, { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
  });
});

test("/v1/chat/completions: stream defaults to false; errors use OpenAI's body; a mid-stream failure has no [DONE]", async () => {
  await withFakeOllama({ replies: { "*": { content: "a b c", midStreamError: { afterChunks: 1 } }, "qwen3:8b": { content: "fine" } } }, async (server) => {
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
