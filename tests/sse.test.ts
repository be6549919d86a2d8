/**
 * The SSE reader alone: lines cut anywhere (inside a `\r\n` too), every line ending the format allows, a
 * byte order mark, comments and fields, multi-line data, and what is not SSE.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_SSE_EVENT_CHARS, type SseMessage, SseParser, sseLines } from "../lib/client/sse.ts";
import { chunkedBody } from "./support/byte-streams.ts";
import { expectOclawError } from "./support/expect-oclaw-error.ts";

const describe = () => "vllm at http://gpu:8000";

async function messages(chunks: string[]): Promise<SseMessage[]> {
  const parser = new SseParser(describe);
  const out: SseMessage[] = [];
  for await (const lines of sseLines(chunkedBody(chunks), describe)) {
    for (const line of lines) {
      const message = parser.line(line);
      if (message !== undefined) out.push(message);
    }
  }
  return out;
}

const STREAM = "\uFEFF: ping\nevent: delta\nid: 7\nretry: 1000\ndata: {\"a\":1}\ndata\ndata:  two\n\ndata: [DONE]";
const EXPECTED: SseMessage[] = [{ event: "delta", data: '{"a":1}\n\n two' }, { event: undefined, data: "[DONE]" }];

test("fields, comments, multi-line data and a last event without its blank line, with any line ending, cut anywhere", async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom("\n", "\r\n", "\r"), fc.array(fc.nat(), { maxLength: 12 }), async (eol, cuts) => {
      const text = STREAM.replace(/\n/g, eol);
      const at = [...new Set(cuts.map((c) => c % text.length))].sort((a, b) => a - b);
      const chunks = [0, ...at].map((from, i) => text.slice(from, at[i] ?? text.length)).filter((c) => c !== "");
      assert.deepEqual(await messages(chunks), EXPECTED);
    }),
    { numRuns: 300 },
  );
});

test("a line that is not SSE fails the stream; Ollama's bare error line names its message", async () => {
  const unknown = await expectOclawError(messages(['data: {"a":1}\n\n', "hello there\n\n"]));
  assert.equal(unknown.code, "E_STREAM");
  assert.equal(unknown.message, "vllm at http://gpu:8000 sent a line that is not SSE: hello there");
  const retry = await expectOclawError(messages(["retry: soon\n\n"]));
  assert.match(retry.message, /not SSE: retry: soon$/);
  const failed = await expectOclawError(messages(['{"error":{"message":"model runner crashed"}}\n\n']));
  assert.equal(failed.message, "vllm at http://gpu:8000 failed mid-stream: model runner crashed");
});

test("an event over the cap fails, whether in one line or many", async () => {
  const line = `data: ${"x".repeat(MAX_SSE_EVENT_CHARS + 1)}\n\n`;
  const one = await expectOclawError(messages([line.slice(0, 1000), line.slice(1000)]));
  assert.match(one.message, /sent an SSE event longer than 8 MiB$/);
  const half = `data: ${"y".repeat(MAX_SSE_EVENT_CHARS / 2)}\n`;
  const many = await expectOclawError(messages([half, half, half, "\n"]));
  assert.match(many.message, /sent an SSE event longer than 8 MiB$/);
});
