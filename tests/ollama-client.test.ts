import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { CatalogModel } from "../lib/catalog/types.ts";
import type { ChatEvent } from "../lib/client/events.ts";
import { ndjsonBatches } from "../lib/client/ndjson.ts";
import { ollamaBodyEvents, ollamaChat, ollamaEvents } from "../lib/client/ollama.ts";
import type { ChatRequest, ChatTimeouts } from "../lib/client/request.ts";
import { OclawError } from "../lib/errors.ts";
import { httpContext } from "../lib/http/context.ts";
import { memoryIo } from "./support/memory-io.ts";
import { createLogger } from "../lib/log.ts";
import type { Reply } from "./support/fake-ollama.ts";
import { RECORDED } from "./fixtures/ollama-chat-recorded.ts";
import { chunkedBody, cutAt } from "./support/byte-streams.ts";
import { catalogModel } from "./support/models.ts";
import { ollamaProvider } from "./support/providers.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

function model(id: string, params: Record<string, unknown> = {}): CatalogModel {
  return catalogModel(id, { params, contextWindow: 40960, maxTokens: 409600, source: "discovered" });
}

function chatRequest(url: string, id: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    provider: ollamaProvider(url),
    model: model(id),
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    ...extra,
  };
}

interface Run {
  events: ChatEvent[];
  error?: OclawError;
  log: string;
}

async function chat(
  request: ChatRequest,
  options: { timeouts?: ChatTimeouts; signal?: AbortSignal; verbose?: boolean } = {},
): Promise<Run> {
  const io = memoryIo();
  const http = httpContext(io, createLogger(io.stderr, options.verbose ?? false));
  const events: ChatEvent[] = [];
  const signal = options.signal ?? new AbortController().signal;
  try {
    for await (const event of ollamaChat(request, { http, signal, timeouts: options.timeouts ?? {} })) events.push(event);
  } catch (error) {
    assert.ok(error instanceof OclawError, `expected OclawError, got ${error}`);
    return { events, error, log: io.stderr.text() };
  }
  return { events, log: io.stderr.text() };
}

const kinds = (events: ChatEvent[]) => events.map((e) => e.type);
const textOf = (events: ChatEvent[], type: "text" | "thinking" = "text") =>
  events.map((e) => (e.type === type ? e.text : "")).join("");
const callsOf = (events: ChatEvent[]) =>
  events.flatMap((e) => (e.type === "tool_call" ? [{ id: e.id, name: e.name, arguments: e.arguments }] : []));
const doneOf = (events: ChatEvent[]) => {
  const done = events.at(-1);
  assert.equal(done?.type, "done");
  return done as Extract<ChatEvent, { type: "done" }>;
};

test("the request: model id without prefix, messages, tools, think, options from params, keep_alive; no format beside tools", async () => {
  await withFakeOllama({}, async (server) => {
    const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object" } } }];
    const request = chatRequest(server.url, "qwen3:8b", {
      model: model("qwen3:8b", { num_ctx: 16384, temperature: 0.2, keep_alive: "10m", streaming: true, think: "low", seed: 7 }),
      messages: [{ role: "system", content: "Be brief" }, { role: "user", content: "Weather in Tokyo?" }],
      tools,
      think: true,
      format: { type: "object" },
    });
    const run = await chat(request);
    assert.equal(run.error, undefined);
    const sent = server.requests.find((r) => r.path === "/api/chat");
    assert.deepEqual(sent?.body, {
      model: "qwen3:8b",
      messages: [{ role: "system", content: "Be brief" }, { role: "user", content: "Weather in Tokyo?" }],
      stream: true,
      tools,
      think: true,
      options: { num_ctx: 16384, temperature: 0.2, seed: 7 },
      keep_alive: "10m",
    });
    assert.equal(sent?.headers.authorization, undefined, "no key configured → no Authorization");
  });
});

test("Authorization is sent only with an apiKey; provider headers always", async () => {
  await withFakeOllama({}, async (server) => {
    const request = chatRequest(server.url, "qwen3:8b", {
      provider: ollamaProvider(server.url, { apiKey: "sk-local-123", headers: { "x-team": "ops" } }),
    });
    await chat(request);
    const sent = server.requests.find((r) => r.path === "/api/chat");
    assert.equal(sent?.headers.authorization, "Bearer sk-local-123");
    assert.equal(sent?.headers["x-team"], "ops");
  });
});

test("recorded streams give their text, thinking and tool calls; ids are made up when the server sends none", async () => {
  for (const recorded of RECORDED) {
    await withFakeOllama({ replies: { "*": { raw: { ndjson: recorded.ndjson.split("\n").filter(Boolean) } } } }, async (server) => {
      const run = await chat(chatRequest(server.url, "qwen3:8b"));
      assert.equal(run.error, undefined, recorded.name);
      assert.equal(textOf(run.events), recorded.text, recorded.name);
      assert.equal(textOf(run.events, "thinking"), recorded.thinking, recorded.name);
      const calls = callsOf(run.events);
      // Made-up ids have Ollama's shape and differ from each other.
      for (const [i, c] of recorded.toolCalls.entries()) {
        if (c.id === undefined) assert.match(calls[i]?.id ?? "", /^call_[a-z0-9]{8}$/, recorded.name);
      }
      assert.equal(new Set(calls.map((c) => c.id)).size, calls.length, recorded.name);
      assert.deepEqual(
        calls.map((c, i) => ({ ...c, id: recorded.toolCalls[i]?.id ?? "made-up" })),
        recorded.toolCalls.map((c) => ({ id: c.id ?? "made-up", name: c.name, arguments: c.arguments })),
        recorded.name,
      );
    });
  }
});

test("a tool call on the done line is kept, stop reason tool_calls; usage and timings come from the done line", async () => {
  const reply: Reply = {
    content: "Let me check.",
    toolCalls: [{ name: "get_weather", arguments: { city: "Tokyo" }, id: "call_ab12cd34", chunk: "done" }],
    metrics: {
      total_duration: 182242375,
      load_duration: 41295167,
      prompt_eval_count: 169,
      prompt_eval_duration: 24573166,
      eval_count: 15,
      eval_duration: 115959084,
    },
  };
  await withFakeOllama({ replies: { "qwen3:8b": reply } }, async (server) => {
    const run = await chat(chatRequest(server.url, "qwen3:8b"));
    assert.equal(run.error, undefined);
    assert.deepEqual(callsOf(run.events), [{ id: "call_ab12cd34", name: "get_weather", arguments: { city: "Tokyo" } }]);
    const done = doneOf(run.events);
    assert.equal(done.stopReason, "tool_calls");
    assert.deepEqual(done.usage, { inputTokens: 169, outputTokens: 15 });
    assert.equal(done.timings.totalMs, 182.242375);
    assert.equal(done.timings.loadMs, 41.295167);
    assert.equal(done.timings.promptEvalMs, 24.573166);
    assert.equal(done.timings.evalMs, 115.959084);
    assert.equal(done.timings.tokensPerSecond?.toFixed(1), "129.4");
    assert.ok(done.timings.firstTokenMs !== undefined && done.timings.firstTokenMs >= 0);
  });
});

test("done_reason length is the stop reason length", async () => {
  await withFakeOllama({ replies: { "*": { content: "Once upon a time", doneReason: "length" } } }, async (server) => {
    const run = await chat(chatRequest(server.url, "qwen3:8b"));
    assert.equal(textOf(run.events), "Once upon a time");
    assert.equal(doneOf(run.events).stopReason, "length");
  });
});

test("a mid-stream error line is E_STREAM carrying the server's message, after the text before it", async () => {
  const reply: Reply = { content: "one two three four", midStreamError: { afterChunks: 2 } };
  await withFakeOllama({ replies: { "*": reply } }, async (server) => {
    const run = await chat(chatRequest(server.url, "qwen3:8b"));
    assert.equal(textOf(run.events), "one two");
    assert.equal(run.error?.code, "E_STREAM");
    assert.equal(
      run.error?.message,
      `Ollama at ${server.url} failed mid-stream: an error was encountered while running the model`,
    );
  });
});

test("a stream that ends (or breaks) before done:true is E_STREAM", async () => {
  for (const mode of ["end", "destroy"] as const) {
    // Token gaps as a real generation has them: the drop happens after the reply began.
    const options = { tokenDelayMs: 30, replies: { "*": { content: "one two three", truncate: { afterChunks: 2, mode } } } };
    await withFakeOllama(options, async (server) => {
      const run = await chat(chatRequest(server.url, "qwen3:8b"));
      // A dropped connection may lose the bytes still in flight; a clean end delivers everything.
      if (mode === "end") assert.equal(textOf(run.events), "one two");
      else assert.match(textOf(run.events), /^one( two)?$/);
      assert.equal(run.error?.code, "E_STREAM", mode);
      assert.match(run.error?.message ?? "", mode === "end" ? /stream ended before done/ : /broke mid-stream|ended before done/);
      assert.equal(kinds(run.events).includes("done"), false);
    });
  }
});

test("a model that cannot think is asked once more without think, said with -v", async () => {
  await withFakeOllama({ replies: { "*": { content: "Hello" } } }, async (server) => {
    const run = await chat(chatRequest(server.url, "llama3.2:3b", { think: "high" }), { verbose: true });
    assert.equal(run.error, undefined);
    assert.equal(textOf(run.events), "Hello");
    const chats = server.requests.filter((r) => r.path === "/api/chat");
    assert.equal(chats.length, 2);
    assert.equal((chats[0]?.body as Record<string, unknown>).think, "high");
    assert.equal("think" in (chats[1]?.body as Record<string, unknown>), false);
    assert.match(run.log, /does not support thinking; retrying without think/);
  });
});

test("a slow first byte is not an idle stall: 600 ms before headers with a 200 ms idle timeout succeeds", async () => {
  await withFakeOllama({ headerDelayMs: 600, replies: { "*": { content: "late but fine" } } }, async (server) => {
    const run = await chat(chatRequest(server.url, "qwen3:8b"), { timeouts: { idleMs: 200 } });
    assert.equal(run.error, undefined);
    assert.equal(textOf(run.events), "late but fine");
  });
});

test("a stall mid-stream fails with E_TIMEOUT after the idle timeout, and the connection is dropped", async () => {
  await withFakeOllama({ stallAfterChunks: 2, replies: { "*": { content: "one two three four" } } }, async (server) => {
    const run = await chat(chatRequest(server.url, "qwen3:8b"), { timeouts: { idleMs: 300 } });
    assert.equal(textOf(run.events), "one two");
    assert.equal(run.error?.code, "E_TIMEOUT");
    assert.match(run.error?.message ?? "", /no data for 0\.3 s/);
    await server.waitForDisconnect();
  });
});

test("an abort mid-stream stops with the signal's reason and the server sees the disconnect", async () => {
  await withFakeOllama({ tokenDelayMs: 50, replies: { "*": { content: Array.from({ length: 200 }, (_, i) => `t${i} `) } } }, async (server) => {
    const controller = new AbortController();
    const reason = new OclawError("E_ABORTED", "Interrupted");
    const io = memoryIo();
    const http = httpContext(io, createLogger(io.stderr, false));
    let error: unknown;
    let seen = 0;
    try {
      for await (const event of ollamaChat(chatRequest(server.url, "qwen3:8b"), { http, signal: controller.signal, timeouts: {} })) {
        if (event.type === "text" && ++seen === 2) controller.abort(reason);
      }
    } catch (e) {
      error = e;
    }
    assert.equal(error, reason);
    await server.waitForDisconnect();
  });
});

test("stream:false gets the one merged answer with the same events", async () => {
  const reply: Reply = { thinking: "Hmm", content: "All at once", toolCalls: [{ name: "f", arguments: { a: 1 } }] };
  await withFakeOllama({ replies: { "*": reply } }, async (server) => {
    const run = await chat(chatRequest(server.url, "qwen3:8b", { stream: false, think: true }));
    assert.equal(run.error, undefined);
    assert.equal((server.requests.find((r) => r.path === "/api/chat")?.body as { stream: boolean }).stream, false);
    assert.equal(textOf(run.events), "All at once");
    assert.equal(textOf(run.events, "thinking"), "Hmm");
    assert.equal(callsOf(run.events).length, 1);
  });
});

test("an unknown model is E_MODEL_NOT_FOUND with the server's message", async () => {
  await withFakeOllama({}, async (server) => {
    const run = await chat(chatRequest(server.url, "llama9"));
    assert.equal(run.error?.code, "E_MODEL_NOT_FOUND");
    assert.match(run.error?.message ?? "", /model 'llama9' not found/);
  });
});

// ---- the parser alone, on recorded bytes split anywhere ----

const encoder = new TextEncoder();

async function eventsOf(parts: Uint8Array[]): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  let t = 0;
  // A fake clock, so timings are the same however the bytes were split.
  for await (const e of ollamaBodyEvents(chunkedBody(parts), "Ollama", () => t++, 0)) events.push(e);
  return events;
}

/**
 * The events with adjacent text (and adjacent thinking) joined: tokens that one network read delivered
 * together are one event, so how the bytes were cut decides the grouping, never the content or order.
 */
function joined(events: ChatEvent[]): ChatEvent[] {
  const out: ChatEvent[] = [];
  for (const e of events) {
    const last = out.at(-1);
    if ((e.type === "text" || e.type === "thinking") && last?.type === e.type) out[out.length - 1] = { ...last, text: last.text + e.text };
    else if (e.type === "done") out.push({ ...e, timings: {} });
    // Ids made up for calls the server sent without one are random.
    else if (e.type === "tool_call" && /^call_[a-z0-9]{8}$/.test(e.id)) out.push({ ...e, id: "made-up" });
    else out.push({ ...e });
  }
  return out;
}

test("tokens of one read: the first goes out alone (never waits for the rest), the others as one event", async () => {
  const line = (content: string, done = false) => JSON.stringify({ message: { role: "assistant", content }, done }) + "\n";
  const events = await eventsOf([encoder.encode(line("The") + line(" sky") + line(" is") + line(" blue") + line("", true))]);
  assert.deepEqual(events.slice(0, 2), [{ type: "text", text: "The" }, { type: "text", text: " sky is blue" }]);
  assert.equal(events[2]?.type, "done");
  const next = await eventsOf([encoder.encode(line("A") + line("B")), encoder.encode(line("C") + line("D") + line("", true))]);
  assert.deepEqual(next.filter((e) => e.type === "text").map((e) => e.text), ["A", "B", "CD"]);
});

test("any split of a recorded stream into chunks (inside multibyte characters too) yields the same events", async () => {
  for (const recorded of RECORDED) {
    const bytes = encoder.encode(recorded.ndjson.replace(/\n/g, "\r\n"));
    const expected = await eventsOf([bytes]);
    assert.equal(textOf(expected), recorded.text);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 60 }), async (cuts) => {
        const parts = cutAt(bytes, cuts);
        // Timings depend on the fake clock's ticks, so `joined` compares everything but them.
        assert.deepEqual(joined(await eventsOf(parts)), joined(expected));
      }),
      { numRuns: 200 },
    );
  }
});

test("lines parsed beforehand (ollamaEvents, as scripts/bench/hot-loop.ts feeds them) read the same as the body", async () => {
  for (const recorded of RECORDED) {
    const bytes = encoder.encode(recorded.ndjson);
    const parts = cutAt(bytes, [7, 100, 101, Math.floor(bytes.length / 2)].filter((n) => n < bytes.length));
    const events: ChatEvent[] = [];
    let t = 0;
    for await (const e of ollamaEvents(ndjsonBatches(chunkedBody(parts)), "Ollama", () => t++, 0)) events.push(e);
    assert.deepEqual(joined(events), joined(await eventsOf(parts)));
    assert.equal(textOf(events), recorded.text);
  }
});

test("the same holds over real HTTP with random write sizes", async () => {
  const recorded = RECORDED[0]!;
  for (const seed of [1, 2, 3, 4, 5]) {
    await withFakeOllama({
      chunking: { random: seed, maxBytes: 7 },
      replies: { "*": { raw: { ndjson: recorded.ndjson.split("\n").filter(Boolean) } } },
    }, async (server) => {
      const run = await chat(chatRequest(server.url, "qwen3:8b"));
      assert.equal(run.error, undefined);
      assert.equal(textOf(run.events), recorded.text);
      assert.equal(textOf(run.events, "thinking"), recorded.thinking);
    });
  }
});

test("a line that is JSON but not a chat line is E_STREAM quoting it", async () => {
  const error = await eventsOf([encoder.encode('{"message":{"content":42},"done":false}\n')]).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof OclawError);
  assert.equal(error.code, "E_STREAM");
  assert.match(error.message, /unexpected line: \{"message":\{"content":42\}/);
});
