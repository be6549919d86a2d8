import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ChatEvent } from "../lib/client/events.ts";
import { startClock, streamEvents } from "../lib/client/openai-events.ts";
import { OclawError } from "../lib/errors.ts";
import { chunkedBody, cutAt } from "./support/byte-streams.ts";

const encoder = new TextEncoder();

/** A body that delivers `bytes` cut at the given offsets, each non-empty piece its own chunk. */
const body = (bytes: Uint8Array, cuts: number[]) => chunkedBody(cutAt(bytes, cuts).filter((piece) => piece.length > 0));

async function read(stream: ReadableStream<Uint8Array>): Promise<{ events: ChatEvent[]; error?: unknown }> {
  const events: ChatEvent[] = [];
  try {
    for await (const e of streamEvents(stream, () => "vllm at http://gpu:8000", startClock(() => 0))) {
      events.push(e);
    }
  } catch (error) {
    return { events, error };
  }
  return { events };
}

const chunk = (delta: unknown, finish: string | null = null) =>
  `data: ${
    JSON.stringify({ object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })
  }`;

// A vLLM-style stream: reasoning_content, multibyte text, two calls fragmented and interleaved, usage.
const RECORDED = [
  ": ping",
  chunk({ role: "assistant", reasoning_content: "Два города" }),
  chunk({ content: "東京と🌤️ " }),
  chunk({
    tool_calls: [{
      index: 0,
      id: "call_a",
      type: "function",
      function: { name: "get_weather", arguments: "" },
    }],
  }),
  chunk({
    tool_calls: [{
      index: 1,
      id: "call_b",
      type: "function",
      function: { name: "get_weather", arguments: '{"ci' },
    }],
  }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city": "Tō' } }] }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: 'ty": "Paris"}' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: 'kyō"}' } }] }),
  chunk({}, "tool_calls"),
  `data: ${
    JSON.stringify({ choices: [], usage: { prompt_tokens: 40, completion_tokens: 25, total_tokens: 65 } })
  }`,
  "data: [DONE]",
];

const EXPECTED: ChatEvent[] = [
  { type: "thinking", text: "Два города" },
  { type: "text", text: "東京と🌤️ " },
  { type: "tool_call", id: "call_a", name: "get_weather", arguments: { city: "Tōkyō" } },
  { type: "tool_call", id: "call_b", name: "get_weather", arguments: { city: "Paris" } },
  {
    type: "done",
    stopReason: "tool_calls",
    usage: { inputTokens: 40, outputTokens: 25 },
    timings: { totalMs: 0, firstTokenMs: 0 },
  },
];

test("the same events wherever the bytes are cut, with \\n or \\r\\n line ends", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.nat(), { maxLength: 40 }),
      fc.constantFrom("\n", "\r\n"),
      async (cuts, eol) => {
        const bytes = encoder.encode(RECORDED.map((line) => line + eol + eol).join(""));
        const { events, error } = await read(body(bytes, cuts));
        assert.equal(error, undefined);
        assert.deepEqual(events, EXPECTED);
      },
    ),
    { numRuns: 200 },
  );
});

test("a stream cut anywhere before [DONE] fails with E_STREAM, never succeeds or throws anything else", async () => {
  const bytes = encoder.encode(RECORDED.map((line) => `${line}\n\n`).join(""));
  const doneAt = bytes.length - encoder.encode("data: [DONE]\n\n").length;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: doneAt - 1 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      async (end, cuts) => {
        const { error } = await read(body(bytes.subarray(0, end), cuts));
        assert.ok(error instanceof OclawError, `expected an OclawError, got ${error}`);
        assert.equal(error.code, "E_STREAM");
      },
    ),
    { numRuns: 200 },
  );
});

test("random bytes end in E_STREAM, not in a crash", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
      const { error } = await read(body(bytes, []));
      assert.ok(error instanceof OclawError, `expected an OclawError, got ${error}`);
      assert.equal(error.code, "E_STREAM");
    }),
    { numRuns: 300 },
  );
});
