import { test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import type { CatalogModel, Provider } from "../lib/catalog/types.ts";
import type { ChatEvent } from "../lib/client/events.ts";
import { openAiClient } from "../lib/client/openai.ts";
import type { ChatRequest, ToolDefinition } from "../lib/client/request.ts";
import { OclawError } from "../lib/errors.ts";
import type { FakeOllama } from "./support/fake-ollama.ts";
import { quietHttp } from "./support/http-context.ts";
import { catalogModel } from "./support/models.ts";
import { ollamaProvider } from "./support/providers.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

const TOOLS: ToolDefinition[] = [{
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
}];

/** The ollama provider, configured to speak Ollama's OpenAI-compatible API at `baseUrl`. */
function provider(baseUrl: string, extra: Partial<Provider> = {}): Provider {
  return ollamaProvider(baseUrl, { api: "openai-completions", discover: false, enabledBy: "config", ...extra });
}

function model(id: string, params: Record<string, unknown> = {}): CatalogModel {
  return catalogModel(id, { params, api: "openai-completions", reasoning: true });
}

interface Outcome {
  events: ChatEvent[];
  error: OclawError | undefined;
}

/** Runs the client against `server`'s /v1 and collects what it yielded and how it ended. */
async function chat(
  server: FakeOllama,
  overrides: Partial<ChatRequest> & { modelId?: string; params?: Record<string, unknown>; idleMs?: number } =
    {},
): Promise<Outcome> {
  const { modelId = "qwen3:8b", params = {}, idleMs, ...rest } = overrides;
  const request: ChatRequest = {
    provider: provider(`${server.url}/v1`),
    model: model(modelId, params),
    messages: [{ role: "user", content: "Weather in Tokyo?" }],
    stream: true,
    ...rest,
  };
  const events: ChatEvent[] = [];
  let error: OclawError | undefined;
  try {
    const context = {
      http: quietHttp(),
      signal: new AbortController().signal,
      timeouts: idleMs === undefined ? {} : { idleMs },
    };
    for await (const event of openAiClient(request, context)) events.push(event);
  } catch (e) {
    assert.ok(e instanceof OclawError, `expected an OclawError, got ${e}`);
    error = e;
  }
  return { events, error };
}

/** The events without timings, which vary run to run. */
function shape(events: ChatEvent[]): unknown[] {
  return events.map((e) => {
    if (e.type !== "done") return e;
    const { timings: _timings, ...rest } = e;
    return rest;
  });
}

const join = (events: ChatEvent[], type: "text" | "thinking") =>
  events.map((e) => (e.type === type ? e.text : "")).join("");

// Servers from before and after 0.32.6, which moved role to the first chunk and finish_reason to its own.
const LAYOUTS = [["legacy", "0.13.0"], ["current", "0.33.0"]] as const;

for (const [layout, version] of LAYOUTS) {
  test(`/v1 ${layout} layout (${version}): reasoning, text tokens, finish_reason and usage`, async () => {
    await withFakeOllama({
      version,
      replies: {
        "qwen3:8b": {
          thinking: "Tokyo is in Japan.",
          content: "It is sunny — 24 °C.",
          metrics: { prompt_eval_count: 21, eval_count: 9 },
        },
      },
    }, async (server) => {
      const { events, error } = await chat(server);
      assert.equal(error, undefined);
      assert.equal(join(events, "thinking"), "Tokyo is in Japan.");
      assert.equal(join(events, "text"), "It is sunny — 24 °C.");
      // Reasoning first, then the text (tokens that arrived in one read are one event).
      const kinds = events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]);
      assert.deepEqual(kinds, ["thinking", "text", "done"]);
      assert.deepEqual(shape(events).at(-1), {
        type: "done",
        stopReason: "stop",
        usage: { inputTokens: 21, outputTokens: 9 },
      });
      const done = events.at(-1);
      assert.ok(done?.type === "done" && typeof done.timings.totalMs === "number");
      assert.ok(done?.type === "done" && typeof done.timings.firstTokenMs === "number");
    });
  });

  test(`/v1 ${layout} layout: Ollama's whole tool calls, the same as the openai SDK reads them`, async () => {
    const reply = {
      content: "Checking.",
      toolCalls: [
        { name: "get_weather", arguments: { city: "Tokyo" } },
        { name: "get_weather", arguments: { city: "Ōsaka", units: { temp: "C" } } },
      ],
    };
    await withFakeOllama({ version, replies: { "qwen3:8b": reply } }, async (server) => {
      const { events, error } = await chat(server, { tools: TOOLS });
      assert.equal(error, undefined);
      const calls = events.filter((e) => e.type === "tool_call");
      assert.deepEqual(calls.map((c) => c.type === "tool_call" && [c.name, c.arguments]), [
        ["get_weather", { city: "Tokyo" }],
        ["get_weather", { city: "Ōsaka", units: { temp: "C" } }],
      ]);
      assert.equal(events.at(-1)?.type === "done" && events.at(-1)?.type, "done");
      assert.deepEqual((shape(events).at(-1) as { stopReason: string }).stopReason, "tool_calls");
      await assertSameAsSdk(server, events);
    });
  });

  test(`/v1 ${layout} layout: fragmented tool calls (vLLM/OpenAI style, interleaved), the same as the SDK`, async () => {
    const reply = {
      content: "Two lookups.",
      toolCalls: [
        // Both calls on one chunk: their fragments interleave by index.
        { name: "get_weather", arguments: { city: "Tokyo", note: 'a "quoted" ü string' }, chunk: 2 },
        { name: "get_time", arguments: { zone: "Asia/Tokyo", precise: true, n: [1, 2, 3] }, chunk: 2 },
      ],
      fragmentToolCalls: true,
    };
    await withFakeOllama({ version, replies: { "qwen3:8b": reply } }, async (server) => {
      const { events, error } = await chat(server, { tools: TOOLS });
      assert.equal(error, undefined);
      const calls = events.filter((e) => e.type === "tool_call");
      assert.deepEqual(calls.map((c) => c.type === "tool_call" && [c.name, c.arguments]), [
        ["get_weather", { city: "Tokyo", note: 'a "quoted" ü string' }],
        ["get_time", { zone: "Asia/Tokyo", precise: true, n: [1, 2, 3] }],
      ]);
      for (const c of calls) assert.match(c.type === "tool_call" ? c.id : "", /^call_[a-z0-9]{8}$/);
      await assertSameAsSdk(server, events);
    });
  });
}

/** Asks the same server the same question through the official openai SDK and compares what both read. */
async function assertSameAsSdk(server: FakeOllama, events: ChatEvent[]): Promise<void> {
  const sdk = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "ollama", maxRetries: 0 });
  const stream = sdk.chat.completions.stream({
    model: "qwen3:8b",
    messages: [{ role: "user", content: "Weather in Tokyo?" }],
    tools: TOOLS,
  });
  const completion = await stream.finalChatCompletion();
  const message = completion.choices[0]?.message;
  assert.equal(join(events, "text"), message?.content ?? "");
  const sdkCalls = (message?.tool_calls ?? []).map((c) => {
    assert.equal(c.type, "function");
    return c.type === "function"
      ? { name: c.function.name, arguments: JSON.parse(c.function.arguments) }
      : {};
  });
  const ours = events.flatMap((
    e,
  ) => (e.type === "tool_call" ? [{ name: e.name, arguments: e.arguments }] : []));
  assert.ok(sdkCalls.length > 0);
  assert.deepEqual(ours, sdkCalls);
}

test("the request: Bearer key, provider headers, stream with usage, OpenAI message shapes, think, params; no response_format beside tools", async () => {
  await withFakeOllama({}, async (server) => {
    const request: ChatRequest = {
      provider: provider(`${server.url}/v1`, { apiKey: "sk-secret", headers: { "x-team": "ops" } }),
      model: model("qwen3:8b", {
        temperature: 0.2,
        top_p: 0.9,
        num_predict: 64,
        num_ctx: 32768,
        streaming: true,
      }),
      messages: [
        { role: "system", content: "Be brief" },
        { role: "user", content: "Weather?", images: [{ mime: "image/png", data: "iVBORw0KGgoAAAA" }] },
        {
          role: "assistant",
          content: "",
          toolCalls: [{ id: "call_1", name: "get_weather", arguments: { city: "Tokyo" } }],
        },
        { role: "tool", content: "sunny", toolName: "get_weather", toolCallId: "call_1" },
      ],
      tools: TOOLS,
      think: "low",
      format: { type: "object", properties: { answer: { type: "string" } } },
      stream: true,
    };
    const context = {
      http: quietHttp(),
      signal: new AbortController().signal,
      timeouts: {},
    };
    for await (const _ of openAiClient(request, context)) { /* drain */ }
    assert.equal(server.requests.length, 1);
    const sent = server.requests[0]!;
    assert.equal(sent.method, "POST");
    assert.equal(sent.path, "/v1/chat/completions");
    assert.equal(sent.headers.authorization, "Bearer sk-secret");
    assert.equal(sent.headers["x-team"], "ops");
    assert.deepEqual(sent.body, {
      model: "qwen3:8b",
      messages: [
        { role: "system", content: "Be brief" },
        {
          role: "user",
          content: [
            { type: "text", text: "Weather?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgoAAAA" } },
          ],
        },
        {
          role: "assistant",
          content: "",
          tool_calls: [{
            id: "call_1",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Tokyo"}' },
          }],
        },
        { role: "tool", content: "sunny", tool_call_id: "call_1" },
      ],
      stream: true,
      stream_options: { include_usage: true },
      tools: TOOLS,
      reasoning_effort: "low",
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 64,
    });
  });
});

test("think off is reasoning_effort none, --format json is a json_object, no key means no Authorization", async () => {
  await withFakeOllama({ version: "0.12.4", replies: { "qwen3:8b": { content: '{"a":1}' } } }, async (server) => {
    const { error } = await chat(server, { think: false, format: "json" });
    assert.equal(error, undefined);
    const sent = server.requests[0]!;
    assert.equal(sent.headers.authorization, undefined);
    const body = sent.body as Record<string, unknown>;
    assert.equal(body.reasoning_effort, "none");
    assert.deepEqual(body.response_format, { type: "json_object" });
  });
});

test("reasoning_effort none before Ollama 0.12.4 is a 400 invalid think value: retried once without it", async () => {
  await withFakeOllama({ version: "0.12.3", replies: { "qwen3:8b": { content: "ok" } } }, async (server) => {
    const { events, error } = await chat(server, { think: false });
    assert.equal(error, undefined);
    assert.equal(events.filter((e) => e.type === "text").map((e) => (e as { text: string }).text).join(""), "ok");
    const bodies = server.requests.map((r) => r.body as Record<string, unknown>);
    assert.equal(bodies.length, 2);
    assert.equal(bodies[0]?.reasoning_effort, "none");
    assert.equal("reasoning_effort" in bodies[1]!, false);
  });
});

test("params.streaming false: one non-streamed request, the same events at the end", async () => {
  const reply = {
    thinking: "Let me see.",
    content: "Calling the tool.",
    toolCalls: [{ name: "get_weather", arguments: { city: "Tokyo" } }],
    metrics: { prompt_eval_count: 30, eval_count: 12 },
  };
  await withFakeOllama({ version: "0.13.0", replies: { "qwen3:8b": reply } }, async (server) => {
    const { events, error } = await chat(server, { tools: TOOLS, params: { streaming: false } });
    assert.equal(error, undefined);
    const body = server.requests[0]!.body as Record<string, unknown>;
    assert.equal(body.stream, false);
    assert.equal(body.stream_options, undefined);
    const [thinking, text, call, done] = shape(events) as Array<Record<string, unknown>>;
    assert.deepEqual([thinking, text], [
      { type: "thinking", text: "Let me see." },
      { type: "text", text: "Calling the tool." },
    ]);
    assert.deepEqual([call?.name, call?.arguments], ["get_weather", { city: "Tokyo" }]);
    assert.deepEqual(done, {
      type: "done",
      stopReason: "tool_calls",
      usage: { inputTokens: 30, outputTokens: 12 },
    });
    assert.equal(events.length, 4);
  });
});

test("a stream cut before [DONE] is E_STREAM, after the text that did arrive", async () => {
  await withFakeOllama(
    { replies: { "qwen3:8b": { content: "one two three", truncate: { afterChunks: 2 } } } },
    async (server) => {
      const { events, error } = await chat(server);
      assert.equal(join(events, "text"), "one two");
      assert.equal(error?.code, "E_STREAM");
      assert.match(error?.message ?? "", /ended the stream without \[DONE\]/);
    },
  );
});

test("Ollama's mid-stream failure (an empty chunk, no [DONE]) is E_STREAM", async () => {
  await withFakeOllama(
    { replies: { "qwen3:8b": { content: "one two", midStreamError: { afterChunks: 1 } } } },
    async (server) => {
      const { events, error } = await chat(server);
      assert.equal(join(events, "text"), "one");
      assert.equal(error?.code, "E_STREAM");
    },
  );
});

test("an SSE error event mid-stream is E_STREAM with the server's message", async () => {
  const reply = {
    content: "one two",
    midStreamError: { afterChunks: 1, message: "CUDA out of memory", sseErrorEvent: true },
  };
  await withFakeOllama({ replies: { "qwen3:8b": reply } }, async (server) => {
    const { error } = await chat(server);
    assert.equal(error?.code, "E_STREAM");
    assert.match(error?.message ?? "", /failed mid-stream: CUDA out of memory/);
  });
});

test("a bare JSON error line in the SSE stream is E_STREAM with its message", async () => {
  const sse = [
    `data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n`,
    `{"error":{"message":"an error was encountered while running the model","type":"api_error"}}\n`,
  ];
  await withFakeOllama({ replies: { "qwen3:8b": { raw: { sse } } } }, async (server) => {
    const { events, error } = await chat(server);
    assert.deepEqual(events, [{ type: "text", text: "Hi" }]);
    assert.equal(error?.code, "E_STREAM");
    assert.match(
      error?.message ?? "",
      /failed mid-stream: an error was encountered while running the model$/,
    );
  });
});

test("tool call arguments that are not JSON: E_STREAM with the raw text in the message", async () => {
  const chunk = (delta: unknown, finish: string | null = null) =>
    `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const sse = [
    chunk({
      tool_calls: [{
        index: 0,
        id: "call_x",
        type: "function",
        function: { name: "get_weather", arguments: "" },
      }],
    }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city": Tok' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: "yo}" } }] }),
    chunk({}, "tool_calls"),
    "data: [DONE]\n\n",
  ];
  await withFakeOllama({ replies: { "qwen3:8b": { raw: { sse } } } }, async (server) => {
    const { events, error } = await chat(server, { tools: TOOLS });
    assert.deepEqual(events, []);
    assert.equal(error?.code, "E_STREAM");
    assert.match(
      error?.message ?? "",
      /invalid JSON arguments for tool call get_weather: \{"city": Tokyo\}$/,
    );
  });
});

test("reasoning_content (vLLM, llama.cpp) is thinking; CRLF, comments and split events are SSE too", async () => {
  const sse = [
    ": keep-alive\r\n\r\n",
    `data: {"choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"Hmm"}}]}\r\n\r\n`,
    `data: {"choices":[{"index":0,"delta":{"content":"Hel`,
    `lo"}}]}\r\n\r\ndata: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}\r\n\r\n`,
    "data: [DONE]\r\n\r\n",
  ];
  await withFakeOllama({ replies: { "qwen3:8b": { raw: { sse } } } }, async (server) => {
    const { events, error } = await chat(server);
    assert.equal(error, undefined);
    assert.deepEqual(shape(events), [
      { type: "thinking", text: "Hmm" },
      { type: "text", text: "Hello" },
      { type: "done", stopReason: "length" },
    ]);
  });
});

test("multibyte characters split across network writes arrive whole", async () => {
  await withFakeOllama({
    version: "0.33.0",
    chunking: { bytes: 1, gapMs: 0 },
    replies: { "qwen3:8b": { content: "東京は晴れ 🌤️ ü", thinking: "考え中" } },
  }, async (server) => {
    const { events, error } = await chat(server);
    assert.equal(error, undefined);
    assert.equal(join(events, "text"), "東京は晴れ 🌤️ ü");
    assert.equal(join(events, "thinking"), "考え中");
  });
});

test("error bodies: a missing model is E_MODEL_NOT_FOUND with the server's message; tools refused is E_NO_TOOLS", async () => {
  await withFakeOllama({ version: "0.13.0" }, async (server) => {
    const missing = await chat(server, { modelId: "llama9" });
    assert.equal(missing.error?.code, "E_MODEL_NOT_FOUND");
    assert.equal(missing.error?.message, `Ollama at ${server.url}: model 'llama9' not found`);
    assert.equal(missing.error?.status, 404);
    const noTools = await chat(server, { modelId: "gemma:2b", tools: TOOLS });
    assert.equal(noTools.error?.code, "E_NO_TOOLS");
    assert.match(noTools.error?.message ?? "", /gemma:2b does not support tools$/);
    const other = await chat(server, { messages: [] });
    assert.equal(other.error?.code, "E_HTTP");
    assert.equal(other.error?.message, `Ollama at ${server.url} answered 400: [] is too short - 'messages'`);
  });
});

test("a server that stalls before the first token fails with E_TIMEOUT after the idle timeout", async () => {
  // The first event carries the role only; then the runner stalls.
  const sse = [
    `data: {"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}\n\n`,
    "data: [DONE]\n\n",
  ];
  await withFakeOllama({ stallAfterChunks: 1, replies: { "qwen3:8b": { raw: { sse } } } }, async (server) => {
    const { events, error } = await chat(server, { idleMs: 100 });
    assert.deepEqual(events, []);
    assert.equal(error?.code, "E_TIMEOUT");
    assert.match(error?.message ?? "", /no data for 0\.1 s/);
  });
});

test("think on a model that cannot think: retried once without reasoning_effort", async () => {
  await withFakeOllama({ version: "0.13.0", replies: { "llama3.2:3b": { content: "Hi" } } }, async (server) => {
    const { events, error } = await chat(server, { modelId: "llama3.2:3b", think: "high" });
    assert.equal(error, undefined);
    assert.equal(join(events, "text"), "Hi");
    const bodies = server.requests.map((r) => (r.body as Record<string, unknown>).reasoning_effort);
    assert.deepEqual(bodies, ["high", undefined]);
  });
});

test("whole calls that all say index 0 and no id (older servers) stay separate calls", async () => {
  const call = (name: string, args: string) =>
    `data: ${
      JSON.stringify({
        choices: [{
          index: 0,
          delta: {
            tool_calls: [{ index: 0, id: "", type: "function", function: { name, arguments: args } }],
          },
          finish_reason: null,
        }],
      })
    }\n\n`;
  const sse = [
    call("get_weather", '{"city":"Tokyo"}'),
    call("get_weather", '{"city":"Paris"}'),
    `data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n`,
    "data: [DONE]\n\n",
  ];
  await withFakeOllama({ replies: { "qwen3:8b": { raw: { sse } } } }, async (server) => {
    const { events, error } = await chat(server, { tools: TOOLS });
    assert.equal(error, undefined);
    const calls = events.flatMap((e) => (e.type === "tool_call" ? [e] : []));
    assert.deepEqual(calls.map((c) => c.arguments), [{ city: "Tokyo" }, { city: "Paris" }]);
    assert.notEqual(calls[0]?.id, calls[1]?.id);
    assert.deepEqual(shape(events).at(-1), { type: "done", stopReason: "tool_calls" });
  });
});
