/**
 * `oclaw chat` with the conversation flags, end to end through the binary (or the source) against the fake
 * Ollama: `--messages FILE|-`, `--system-file`, `--no-stdin`. Asserts what the server received.
 */
import { Buffer } from "node:buffer";
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorld } from "./support/world.ts";

const TOOL_TURN = [
  { role: "user", content: "Weather in Tokyo?" },
  {
    role: "assistant",
    content: "",
    tool_calls: [{ id: "call_tky00001", function: { name: "get_weather", arguments: { city: "Tokyo" } } }],
  },
  // OpenAI's shape names only the call id: the tool's name is taken from the call.
  { role: "tool", tool_call_id: "call_tky00001", content: "sunny, 21 °C" },
];

test("--messages with a tool result and no prompt: native gets tool_name and tool_call_id", async () => {
  await withWorld({ replies: { "qwen3:8b": { content: "It is sunny." } } }, async (w) => {
    const file = await w.file("turn.json", JSON.stringify(TOOL_TURN));
    const r = await w.run(["chat", "-m", "ollama/qwen3:8b", "--messages", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "It is sunny.\n");
    assert.deepEqual(w.chatBodies()[0]?.messages, [
      { role: "user", content: "Weather in Tokyo?" },
      {
        role: "assistant",
        content: "",
        tool_calls: [{ id: "call_tky00001", function: { name: "get_weather", arguments: { city: "Tokyo" } } }],
      },
      { role: "tool", content: "sunny, 21 °C", tool_name: "get_weather", tool_call_id: "call_tky00001" },
    ]);
  });
});

test("--messages - over /v1: arguments as a JSON string, the tool result by tool_call_id, the prompt last", async () => {
  await withWorld({}, async (w) => {
    const r = await w.run(["chat", "-m", "v1/qwen3:8b", "--messages", "-", "And", "tomorrow?"], {
      stdin: JSON.stringify(TOOL_TURN),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(w.chatBodies()[0]?.messages, [
      { role: "user", content: "Weather in Tokyo?" },
      {
        role: "assistant",
        content: "",
        tool_calls: [{ id: "call_tky00001", type: "function", function: { name: "get_weather", arguments: '{"city":"Tokyo"}' } }],
      },
      { role: "tool", content: "sunny, 21 °C", tool_call_id: "call_tky00001" },
      { role: "user", content: "And tomorrow?" },
    ]);
  });
});

test("an invalid --messages file is a usage error naming the message and field; nothing is sent", async () => {
  await withWorld({}, async (w) => {
    const cases: Array<[unknown, RegExp]> = [
      [[{ role: "user", content: "x" }, { role: "tool", content: "sunny" }], /\[1\]: a tool message needs tool_call_id or tool_name/],
      [[{ role: "robot", content: "x" }], /\[0\]\.role: /],
      [[{ role: "user", content: "x", tool_call_ids: "a" }], /\[0\]: .*tool_call_ids/],
      [[{ role: "assistant", content: "", tool_calls: [{ function: { name: "f", arguments: "{oops" } }] }], /\[0\]\.tool_calls\[0\]\.function\.arguments: /],
      [[{ role: "user", content: "look", images: ["bm90IGFuIGltYWdl"] }], /\[0\]\.images\[0\]: the image is not a PNG, JPEG, WebP or GIF/],
      [{ role: "user" }, /expected a JSON array/],
    ];
    for (const [content, message] of cases) {
      const file = await w.file("bad.json", JSON.stringify(content));
      const r = await w.run(["chat", "-m", "ollama/qwen3:8b", "--messages", file, "hi"]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^oclaw: Invalid --messages file /);
      assert.match(r.stderr, message);
    }
    const notJson = await w.run(["chat", "-m", "qwen3:8b", "--messages", "-", "hi"], { stdin: "[{" });
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /^oclaw: The --messages from stdin is not valid JSON/);
    assert.equal(w.chatBodies().length, 0);
  });
});

test("--messages ending with an assistant reply still needs a prompt", async () => {
  await withWorld({}, async (w) => {
    const file = await w.file("m.json", JSON.stringify([{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }]));
    const r = await w.run(["chat", "-m", "qwen3:8b", "--messages", file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /No prompt/);
  });
});

test("--system-file gives the system message; --no-stdin leaves piped input unread", async () => {
  await withWorld({}, async (w) => {
    const system = await w.file("system.txt", "You are terse.\n");
    const r = await w.run(["chat", "-m", "qwen3:8b", "--system-file", system, "--no-stdin", "Hi"], { stdin: "not read" });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(w.chatBodies()[0]?.messages, [
      { role: "system", content: "You are terse.\n" },
      { role: "user", content: "Hi" },
    ]);
    const both = await w.run(["chat", "-m", "qwen3:8b", "-s", "x", "--system-file", system, "Hi"]);
    assert.equal(both.code, 2);
    const missing = await w.run(["chat", "-m", "qwen3:8b", "--system-file", "/nonexistent/sys.txt", "Hi"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^oclaw: Cannot read --system-file file \/nonexistent\/sys.txt/);
    assert.equal(w.chatBodies().length, 1);
  });
});

/** The 8-byte PNG signature and an IHDR start: enough for the magic-bytes check. */
export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const PNG_BASE64 = Buffer.from(PNG).toString("base64");

test("images in --messages: native base64 in images, /v1 a data URL; a model without image input is skipped (E_NO_IMAGES)", async () => {
  await withWorld({}, async (w) => {
    const file = await w.file("img.json", JSON.stringify([{ role: "user", content: "What is this?", images: [PNG_BASE64] }]));
    const r = await w.run(["chat", "--json", "-m", "qwen3:8b", "-m", "qwen2.5vl:7b", "--messages", file]);
    assert.equal(r.code, 0, r.stderr);
    const fallback = r.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === "fallback");
    assert.equal(fallback?.error.code, "E_NO_IMAGES");
    assert.match(r.stderr, /ollama\/qwen3:8b failed \(ollama\/qwen3:8b does not take images/);
    const bodies = w.chatBodies();
    assert.equal(bodies.length, 1, "the text-only model was not asked");
    assert.equal(bodies[0]?.model, "qwen2.5vl:7b");
    assert.deepEqual(bodies[0]?.messages, [{ role: "user", content: "What is this?", images: [PNG_BASE64] }]);

    const v1 = await w.run(["chat", "-m", "v1/qwen2.5vl:7b", "--messages", file]);
    assert.equal(v1.code, 0, v1.stderr);
    assert.deepEqual(w.chatBodies()[1]?.messages, [{
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
      ],
    }]);

    const none = await w.run(["chat", "-m", "qwen3:8b", "-m", "v1/qwen3:8b", "--messages", file]);
    assert.equal(none.code, 1, "no candidate takes images");
    assert.match(none.stderr, /^oclaw: v1\/qwen3:8b does not take images/m);
    assert.equal(w.chatBodies().length, 2);
  });
});
