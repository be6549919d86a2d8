/**
 * The fake Ollama checked by clients nobody here wrote: the official `ollama` npm library and the
 * `openai` npm SDK get from it what they would get from a real Ollama.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";
import type { FakeOllama, Reply } from "./support/fake-ollama.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

const TIME_TOOL = {
  type: "function" as const,
  function: {
    name: "get_time",
    description: "Local time in a zone",
    parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
  },
};

test("ollama-js list() and show() read the fixture store", async () => {
  await withFakeOllama({}, async (server) => {
    const ollama = new Ollama({ host: server.url });
    const list = await ollama.list();
    const names = list.models.map((m) => m.name);
    assert.deepEqual(names.slice(0, 2), ["gpt-oss:20b", "qwen3:8b"], "newest first");
    assert.ok(names.includes("nomic-embed-text:latest"));
    const qwen = list.models.find((m) => m.name === "qwen3:8b")!;
    assert.equal(qwen.digest, "500a1f067a9f782620b40bee6f7b0c89e17ae61f686b92c24933e4ca4b2b8b41");
    assert.equal(qwen.details.family, "qwen3");

    const show = await ollama.show({ model: "gpt-oss:20b" });
    assert.deepEqual(show.capabilities, ["completion", "tools", "thinking"]);
    assert.equal((show.model_info as unknown as Map<string, unknown> & Record<string, unknown>)["gptoss.context_length"], 131072);
    assert.equal(show.parameters, "temperature                    1");
    assert.equal(server.requests.at(-1)?.path, "/api/show");
    assert.deepEqual(server.requests.at(-1)?.body, { model: "gpt-oss:20b" });
  });
});

test("ollama-js streamed chat with tools and thinking gets the scripted thinking, text and tool calls", async () => {
  const reply: Reply = {
    thinking: "The user wants weather & time.",
    content: "Checking <both> now.",
    toolCalls: [
      { name: "get_weather", arguments: { city: "Tokyo" }, chunk: "done" },
      { name: "get_time", arguments: { zone: "Asia/Tokyo" }, chunk: "done" },
    ],
  };
  await withFakeOllama({ version: "0.12.10", replies: { "qwen3:8b": reply } }, async (server) => {
    const ollama = new Ollama({ host: server.url });
    const stream = await ollama.chat({
      model: "qwen3:8b",
      messages: [{ role: "user", content: "Weather and time in Tokyo?" }],
      tools: [WEATHER_TOOL, TIME_TOOL],
      think: true,
      stream: true,
    });
    let thinking = "";
    let content = "";
    const calls: Array<{ id: string | undefined; name: string; arguments: unknown; index: number | undefined }> = [];
    let done = false;
    for await (const part of stream) {
      thinking += part.message.thinking ?? "";
      content += part.message.content;
      for (const c of part.message.tool_calls ?? []) {
        const fn = c.function as { name: string; arguments: unknown; index?: number };
        calls.push({ id: (c as { id?: string }).id, name: fn.name, arguments: fn.arguments, index: fn.index });
      }
      if (part.done) {
        done = true;
        assert.equal(part.done_reason, "stop");
        assert.equal(part.eval_count, 11);
      }
    }
    assert.ok(done);
    assert.equal(thinking, "The user wants weather & time.");
    assert.equal(content, "Checking <both> now.");
    assert.equal(calls.length, 2);
    assert.deepEqual(calls.map((c) => [c.name, c.arguments, c.index]), [
      ["get_weather", { city: "Tokyo" }, 0],
      ["get_time", { zone: "Asia/Tokyo" }, 1],
    ]);
    for (const c of calls) assert.match(c.id ?? "", /^call_[a-z0-9]{8}$/);
    const sent = server.requests.at(-1)!.body as Record<string, unknown>;
    assert.equal(sent.think, true);
    assert.equal((sent.tools as unknown[]).length, 2);
  });
});

test("ollama-js sees Ollama's exact error texts and a mid-stream error line", async () => {
  await withFakeOllama({ replies: { "llama3.2:3b": { content: "a b c d", midStreamError: { afterChunks: 2 } } } }, async (server) => {
    const ollama = new Ollama({ host: server.url });
    await assert.rejects(ollama.chat({ model: "gemma:2b", messages: [{ role: "user", content: "x" }], tools: [WEATHER_TOOL] }), {
      name: "ResponseError",
      message: "registry.ollama.ai/library/gemma:2b does not support tools",
      status_code: 400,
    });
    await assert.rejects(ollama.show({ model: "llama9" }), { message: "model 'llama9' not found", status_code: 404 });
    const stream = await ollama.chat({ model: "llama3.2:3b", messages: [{ role: "user", content: "x" }], stream: true });
    let content = "";
    await assert.rejects(
      (async () => {
        for await (const part of stream) content += part.message.content;
      })(),
      { message: "an error was encountered while running the model" },
    );
    assert.equal(content, "a b");
  });
});

function openai(server: FakeOllama): OpenAI {
  return new OpenAI({ baseURL: server.url + "/v1", apiKey: "ollama", maxRetries: 0 });
}

const TWO_CALLS: Reply = {
  thinking: "Two lookups.",
  content: "Looking up <Tokyo> & Paris.",
  toolCalls: [
    { name: "get_weather", arguments: { city: "Tokyo" } },
    { name: "get_weather", arguments: { city: "Paris" } },
    { name: "get_time", arguments: { zone: "Europe/Paris" }, chunk: "done" },
  ],
};

for (const [label, options] of [
  ["legacy layout (before v0.32.6)", { version: "0.12.10" }],
  ["current layout (v0.32.6+)", { version: "0.32.6" }],
  ["fragmenting tool calls like vLLM", { version: "0.32.6", fragmentToolCalls: true }],
  ["fragmenting tool calls, legacy layout", { version: "0.12.10", fragmentToolCalls: true }],
] as const) {
  test(`openai SDK stream helper reconstructs text and tool calls: ${label}`, async () => {
    await withFakeOllama({ ...options, replies: { "qwen3:8b": TWO_CALLS } }, async (server) => {
      const stream = openai(server).chat.completions.stream({
        model: "qwen3:8b",
        messages: [{ role: "user", content: "Weather in Tokyo and Paris, time in Paris?" }],
        tools: [WEATHER_TOOL, TIME_TOOL],
        stream_options: { include_usage: true },
      });
      const final = await stream.finalChatCompletion();
      const choice = final.choices[0]!;
      assert.equal(choice.message.content, "Looking up <Tokyo> & Paris.");
      assert.equal(choice.finish_reason, "tool_calls");
      const calls = (choice.message.tool_calls ?? []).map((c) => {
        assert.equal(c.type, "function");
        const fn = (c as { function: { name: string; arguments: string } }).function;
        return [fn.name, JSON.parse(fn.arguments)];
      });
      assert.deepEqual(calls, [
        ["get_weather", { city: "Tokyo" }],
        ["get_weather", { city: "Paris" }],
        ["get_time", { zone: "Europe/Paris" }],
      ]);
      assert.deepEqual(final.usage, { prompt_tokens: 107, completion_tokens: 10, total_tokens: 117 });
      const sent = server.requests.at(-1)!;
      assert.equal(sent.path, "/v1/chat/completions");
      assert.equal((sent.body as { stream?: boolean }).stream, true);
      assert.equal(sent.headers.authorization, "Bearer ollama");
    });
  });
}

test("openai SDK accumulating deltas by hand sees reasoning, then interleaved fragments by index", async () => {
  await withFakeOllama({ version: "0.32.6", fragmentToolCalls: true, replies: { "qwen3:8b": { ...TWO_CALLS, toolCalls: TWO_CALLS.toolCalls!.map((c) => ({ ...c, chunk: 9 })) } } }, async (server) => {
    const stream = await openai(server).chat.completions.create({
      model: "qwen3:8b",
      messages: [{ role: "user", content: "x" }],
      tools: [WEATHER_TOOL, TIME_TOOL],
      stream: true,
    });
    let reasoning = "";
    let text = "";
    const byIndex = new Map<number, { id: string; name: string; args: string }>();
    const order: number[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as (typeof chunk.choices)[0]["delta"] & { reasoning?: string } | undefined;
      if (!delta) continue;
      reasoning += delta.reasoning ?? "";
      text += delta.content ?? "";
      for (const tc of delta.tool_calls ?? []) {
        order.push(tc.index);
        const entry = byIndex.get(tc.index) ?? { id: "", name: "", args: "" };
        entry.id ||= tc.id ?? "";
        entry.name ||= tc.function?.name ?? "";
        entry.args += tc.function?.arguments ?? "";
        byIndex.set(tc.index, entry);
      }
    }
    assert.equal(reasoning, "Two lookups.");
    assert.equal(text, "Looking up <Tokyo> & Paris.");
    assert.deepEqual([...byIndex.values()].map((c) => [c.name, JSON.parse(c.args)]), [
      ["get_weather", { city: "Tokyo" }],
      ["get_weather", { city: "Paris" }],
      ["get_time", { zone: "Europe/Paris" }],
    ]);
    for (const c of byIndex.values()) assert.match(c.id, /^call_[a-z0-9]{8}$/);
    // Interleaved: the indexes come back to an earlier call after a later one started.
    const firstOfLast = order.indexOf(2);
    assert.ok(order.slice(firstOfLast).includes(0), `interleaved fragments, got ${order.join(",")}`);
  });
});

test("openai SDK turns Ollama's error bodies into APIErrors with status and message", async () => {
  await withFakeOllama({ replies: { "qwen3:8b": { error: { status: 500, message: "model requires more system memory (9.2 GiB) than is available (3.1 GiB)" } } } }, async (server) => {
    const client = openai(server);
    await assert.rejects(client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.NotFoundError);
      assert.equal(e.status, 404);
      assert.equal(e.message, "404 model 'nope' not found");
      assert.equal(e.type, "not_found_error");
      return true;
    });
    await assert.rejects(client.chat.completions.create({ model: "qwen3:8b", messages: [{ role: "user", content: "x" }], stream: true }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.InternalServerError);
      assert.equal(e.status, 500);
      assert.equal(e.message, "500 model requires more system memory (9.2 GiB) than is available (3.1 GiB)");
      return true;
    });
    await assert.rejects(client.chat.completions.create({ model: "gemma:2b", messages: [] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.equal(e.message, "400 [] is too short - 'messages'");
      assert.equal(e.type, "invalid_request_error");
      return true;
    });
  });
});

test("openai SDK non-streamed completion carries reasoning, tool calls and usage", async () => {
  await withFakeOllama({ version: "0.12.10", replies: { "gpt-oss:20b": { thinking: "Hmm.", content: "Sure.", toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] } } }, async (server) => {
    const done = await openai(server).chat.completions.create({ model: "gpt-oss:20b", messages: [{ role: "user", content: "x" }], reasoning_effort: "low" });
    const message = done.choices[0]!.message as typeof done.choices[0]["message"] & { reasoning?: string };
    assert.equal(message.content, "Sure.");
    assert.equal(message.reasoning, "Hmm.");
    assert.equal(done.choices[0]!.finish_reason, "tool_calls");
    assert.equal(done.model, "gpt-oss:20b");
    assert.equal((server.requests.at(-1)!.body as { reasoning_effort?: string }).reasoning_effort, "low");
  });
});
