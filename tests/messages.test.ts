/** lib/chat/messages.ts: messages in Ollama's and OpenAI's shape read into oclaw's one Message type. */
import { Buffer } from "node:buffer";
import { test } from "node:test";
import assert from "node:assert/strict";
import { MessageIssue, parseMessages, wireMessage } from "../lib/chat/messages.ts";
import { sniffImage } from "../lib/chat/image-type.ts";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString("base64");
const GIF = Buffer.from("GIF89a\x01\x00\x01\x00", "latin1").toString("base64");

function issue(value: unknown): MessageIssue {
  try {
    parseMessages(value);
  } catch (error) {
    if (error instanceof MessageIssue) return error;
    throw error;
  }
  assert.fail("no issue");
}

test("OpenAI content parts: text joined, data-URL images kept with their type", () => {
  const [user] = parseMessages([{
    role: "user",
    content: [
      { type: "text", text: "What is" },
      { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
      { type: "text", text: "this?" },
      { type: "image_url", image_url: `data:image/gif;base64,${GIF}` },
    ],
  }]);
  assert.deepEqual(user, {
    role: "user",
    content: "What is\nthis?",
    images: [{ mime: "image/png", data: PNG }, { mime: "image/gif", data: GIF }],
  });
  assert.match(
    issue([{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x.invalid/a.png" } }] }]).message,
    /fetches no image URLs/,
  );
  assert.equal(issue([{ role: "system", content: [{ type: "image_url", image_url: `data:image/png;base64,${PNG}` }] }]).where, "[0].content[0]");
});

test("tool calls: string arguments parsed, missing ids made, tool names linked by id, legacy name taken", () => {
  const messages = parseMessages([
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Tokyo"}' } },
        { function: { name: "get_time", arguments: {} } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "sunny" },
    { role: "tool", name: "get_time", content: "noon" },
    { role: "tool", tool_call_id: "call_unknown", content: "?" },
  ]);
  const assistant = messages[0];
  assert.ok(assistant?.role === "assistant");
  assert.equal(assistant.content, "");
  assert.deepEqual(assistant.toolCalls?.[0], { id: "call_1", name: "get_weather", arguments: { city: "Tokyo" } });
  assert.match(assistant.toolCalls?.[1]?.id ?? "", /^call_[0-9a-f]{8}$/);
  assert.deepEqual(messages.slice(1), [
    { role: "tool", content: "sunny", toolName: "get_weather", toolCallId: "call_1" },
    { role: "tool", content: "noon", toolName: "get_time" },
    { role: "tool", content: "?", toolCallId: "call_unknown" },
  ]);
  assert.equal(issue([{ role: "assistant", tool_calls: [{ function: { name: "f", arguments: "[1]" } }] }]).message, "arguments must be a JSON object");
  assert.equal(issue([{ role: "user", content: "x", tool_calls: [{ function: { name: "f" } }] }]).where, "[0].tool_calls");
});

test("wireMessage writes Ollama's shape back, and it reads again to the same message", () => {
  const messages = parseMessages([
    { role: "system", content: "Be brief" },
    { role: "user", content: "Look", images: [PNG] },
    { role: "assistant", content: "", thinking: "hm", tool_calls: [{ id: "c1", function: { name: "f", arguments: { a: 1 } } }] },
    { role: "tool", tool_name: "f", tool_call_id: "c1", content: "ok" },
  ]);
  const wire = messages.map((m) => wireMessage(m));
  assert.deepEqual(wire[1], { role: "user", content: "Look", images: [PNG] });
  assert.deepEqual(parseMessages(JSON.parse(JSON.stringify(wire))), messages);
});

test("images are told by their bytes: PNG, JPEG, WebP, GIF, nothing else", () => {
  const bytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
  assert.equal(sniffImage(bytes("\x89PNG\r\n\x1a\n....")), "image/png");
  assert.equal(sniffImage(bytes("\xff\xd8\xff\xe0")), "image/jpeg");
  assert.equal(sniffImage(bytes("RIFF\x00\x00\x00\x00WEBPVP8 ")), "image/webp");
  assert.equal(sniffImage(bytes("GIF87a..")), "image/gif");
  assert.equal(sniffImage(bytes("RIFF\x00\x00\x00\x00WAVE")), undefined);
  assert.equal(sniffImage(bytes("%PDF-1.7")), undefined);
  assert.equal(sniffImage(new Uint8Array()), undefined);
});
