/**
 * The fake Ollama's transport knobs, seen on the raw socket: separate writes (chunked frames) that split
 * lines and multibyte characters, delayed headers, stalls that keep the connection open, client aborts,
 * truncated streams, and the lazy bulk mode with its first-token time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startFakeOllama } from "./support/fake-ollama.ts";
import { ndjsonLines } from "./support/json-lines.ts";
import { rawRequest } from "./support/fake-ollama/raw-http.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

const CHAT = JSON.stringify({ model: "llama3.2:3b", messages: [{ role: "user", content: "hi" }] });
const EURO = [0xe2, 0x82, 0xac];

/** True when some write ends inside a multibyte UTF-8 character (the next write starts with a continuation byte). */
function splitsACharacter(chunks: Uint8Array[]): boolean {
  return chunks.slice(1).some((c) => (c[0]! & 0xc0) === 0x80);
}

test("lines chunking writes each NDJSON line on its own", async () => {
  await withFakeOllama({ replies: { "*": { content: "a b c" } } }, async (server) => {
    const r = await rawRequest(server.url, "/api/chat", { body: CHAT });
    const decoded = r.chunks.map((c) => new TextDecoder().decode(c));
    assert.equal(decoded.length, 4);
    for (const line of decoded) {
      assert.ok(line.endsWith("\n") && line.indexOf("\n") === line.length - 1, JSON.stringify(line));
    }
  });
});

test("byte chunking cuts the stream into 1-byte writes, splitting the € of a token across writes", async () => {
  await withFakeOllama({ chunking: { bytes: 1, gapMs: 0 }, replies: { "*": { content: ["5 €", " total"] } } }, async (server) => {
    const r = await rawRequest(server.url, "/api/chat", { body: CHAT });
    assert.ok(r.complete);
    assert.ok(r.chunks.every((c) => c.length === 1));
    const flat = r.chunks.map((c) => c[0]!);
    const at = flat.findIndex((b, i) => b === EURO[0] && flat[i + 1] === EURO[1] && flat[i + 2] === EURO[2]);
    assert.ok(at > 0, "the euro sign's three bytes arrive as three separate writes");
    assert.equal(JSON.parse(r.text.split("\n")[0]!).message.content, "5 €");
  });
});

test("random chunking is reproducible by seed, loses no byte, and splits inside characters", async () => {
  const reply = { content: "Größe 🚀 naïve — 東京 über alles ".repeat(4) };
  await withFakeOllama({ replies: { "*": reply } }, async (server) => {
    const whole = await rawRequest(server.url, "/api/chat", { body: CHAT });
    const strip = (t: string) => t.replace(/"created_at":"[^"]+"/g, "");
    server.set({ chunking: { random: 42, maxBytes: 5, gapMs: 0 } });
    const a = await rawRequest(server.url, "/api/chat", { body: CHAT });
    const b = await rawRequest(server.url, "/api/chat", { body: CHAT });
    assert.equal(strip(a.text), strip(whole.text));
    assert.ok(a.chunks.length > whole.chunks.length * 5);
    // Write sizes come from the seeded sequence; only the tail differs, as created_at varies in length.
    const n = Math.min(a.chunks.length, b.chunks.length) - 2;
    assert.deepEqual(a.chunks.slice(0, n).map((c) => c.length), b.chunks.slice(0, n).map((c) => c.length));
    assert.ok(a.chunks.every((c) => c.length >= 1 && c.length <= 5));
    assert.ok(splitsACharacter(a.chunks));
  });
});

test("headerDelayMs holds back the status line of a chat response, not of other routes", async () => {
  await withFakeOllama({ headerDelayMs: 300 }, async (server) => {
    const [chat, tags] = await Promise.all([rawRequest(server.url, "/api/chat", { body: CHAT }), rawRequest(server.url, "/api/tags")]);
    assert.equal(chat.status, 200);
    assert.ok(chat.firstByteAt! - chat.sentAt >= 290, `first byte after ${chat.firstByteAt! - chat.sentAt} ms`);
    assert.ok(tags.firstByteAt! < chat.firstByteAt!, "tags sent at the same time answered first");
  });
});

test("a stall keeps the connection open after N chunks; the client's abort is recorded", async () => {
  await withFakeOllama({ stallAfterChunks: 2, replies: { "*": { content: "one two three four" } } }, async (server) => {
    const r = await rawRequest(server.url, "/api/chat", { body: CHAT, idleMs: 300 });
    assert.equal(r.open, true, "still open after 300 ms of silence");
    assert.equal(r.complete, false);
    assert.equal(r.chunks.length, 2);
    // rawRequest destroyed the socket when it gave up.
    await server.waitForDisconnect();
    assert.equal(server.disconnects, 1);
  });
});

test("fetch aborted mid-stream: the server sees the disconnect and stops writing", async () => {
  const words = Array.from({ length: 200 }, (_, i) => ` w${i}`);
  await withFakeOllama({ tokenDelayMs: 5, replies: { "*": { content: words } } }, async (server) => {
    const controller = new AbortController();
    const res = await fetch(server.url + "/api/chat", { method: "POST", body: CHAT, signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => undefined);
    await server.waitForDisconnect();
    assert.equal(server.disconnects, 1);
    const written = server.stats.chunks;
    assert.ok(written < 200, `stopped after ${written} chunks`);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.stats.chunks, written, "nothing written after the abort");
  });
});

test("waitForDisconnect consumes one abort per call and rejects when none comes", async () => {
  await withFakeOllama({ stallAfterChunks: 1 }, async (server) => {
    await assert.rejects(server.waitForDisconnect(50), /no client disconnect within 50 ms/);
    await rawRequest(server.url, "/api/chat", { body: CHAT, onChunk: (_c, _i, socket) => socket.destroy() });
    await server.waitForDisconnect();
    await assert.rejects(server.waitForDisconnect(50));
  });
});

test("truncated streams: a clean end without done:true, or a dropped connection mid-body", async () => {
  await withFakeOllama({ replies: { "*": { content: "a b c", truncate: { afterChunks: 2 } } } }, async (server) => {
    const ended = await rawRequest(server.url, "/api/chat", { body: CHAT });
    assert.ok(ended.complete, "the chunked body is terminated");
    assert.deepEqual(ndjsonLines(ended.text).map((l) => l.done), [false, false]);
    server.set({ replies: { "*": { content: "a b c", truncate: { afterChunks: 1, mode: "destroy" } } } });
    const dropped = await rawRequest(server.url, "/api/chat", { body: CHAT });
    assert.equal(dropped.complete, false, "no chunked terminator");
    assert.equal(dropped.chunks.length, 1);
    assert.equal(server.disconnects, 0, "the server's own drop is not a client abort");
  });
});

test("close() drops stalled connections", async () => {
  const server = await startFakeOllama({ stallAfterChunks: 1 });
  const pending = rawRequest(server.url, "/api/chat", { body: CHAT, onChunk: () => void server.close() });
  const r = await pending;
  assert.equal(r.complete, false);
  assert.equal(r.chunks.length, 1);
});

test("bulk mode streams 200,000 tokens on /api/chat and /v1, and records the first-token time", async () => {
  await withFakeOllama({ replies: { "*": { bulkTokens: 200_000 } } }, async (server) => {
    const native = await rawRequest(server.url, "/api/chat", { body: CHAT });
    const rows = native.text.split("\n").filter(Boolean);
    assert.equal(rows.length, 200_001);
    assert.equal(JSON.parse(rows[0]!).message.content, " the");
    const done = JSON.parse(rows.at(-1)!);
    assert.equal(done.done, true);
    assert.equal(done.eval_count, 200_000);
    const { requestAt, firstTokenAt, lastWriteAt } = server.stats;
    assert.ok(requestAt! <= firstTokenAt! && firstTokenAt! <= lastWriteAt!);
    assert.ok(firstTokenAt! >= native.sentAt - 1);

    const sse = await rawRequest(server.url, "/v1/chat/completions", { body: JSON.stringify({ model: "llama3.2:3b", stream: true, messages: [{ role: "user", content: "x" }] }) });
    assert.ok(sse.text.endsWith("data: [DONE]\n\n"));
    assert.equal(sse.text.split("\n\n").length - 1, 200_002);
    const stats = JSON.parse((await rawRequest(server.url, "/_fake/stats")).text);
    assert.equal(stats.firstTokenAt, server.stats.firstTokenAt);
    assert.equal(stats.requests, 3);
  });
});

test("stallAfterChunks 0 never sends the status line, like a load that never finishes", async () => {
  await withFakeOllama({ stallAfterChunks: 0 }, async (server) => {
    const outcome = rawRequest(server.url, "/api/chat", { body: CHAT }).then(
      (r) => `status ${r.status}`,
      (e: Error) => e.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(server.requests.length, 1);
    await server.close();
    assert.equal(await outcome, "raw-http: no response head");
  });
});
