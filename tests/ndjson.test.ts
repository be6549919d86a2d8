import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { OclawError } from "../lib/errors.ts";
import { ndjsonBatches, ndjsonValues, snippet } from "../lib/client/ndjson.ts";
import { chunkedBody, cutAt } from "./support/byte-streams.ts";
import { expectOclawError } from "./support/expect-oclaw-error.ts";

const encoder = new TextEncoder();

async function collect(stream: ReadableStream<Uint8Array>, maxLineLength?: number): Promise<unknown[]> {
  const out: unknown[] = [];
  const options = maxLineLength === undefined ? {} : { maxLineLength };
  for await (const value of ndjsonValues(stream, options)) out.push(value);
  return out;
}

test("lines split by \\n and \\r\\n, blank lines skipped, a last line without newline accepted", async () => {
  const values = await collect(chunkedBody(['{"a":1}\r\n\n  \r\n{"b":', '"x"}\n{"c":[1,2]}']));
  assert.deepEqual(values, [{ a: 1 }, { b: "x" }, { c: [1, 2] }]);
});

test("a multibyte character split across chunks decodes whole (no U+FFFD)", async () => {
  const bytes = encoder.encode('{"t":"東京 👋🏽"}\n');
  // Cut inside 東 (3 bytes) and inside the emoji (4 bytes).
  const values = await collect(chunkedBody([bytes.slice(0, 8), bytes.slice(8, 13), bytes.slice(13, 16), bytes.slice(16)]));
  assert.deepEqual(values, [{ t: "東京 👋🏽" }]);
});

test("any split of the bytes yields the same values (property)", async () => {
  const lines = [{ a: "Grüße" }, { b: "東京 👋🏽 \u2028" }, { c: null }, { d: [1, { e: "\\n" }] }];
  const text = lines.map((l) => JSON.stringify(l)).join("\r\n") + "\n\n";
  const bytes = encoder.encode(text);
  await fc.assert(
    fc.asyncProperty(fc.array(fc.nat(), { maxLength: 40 }), async (cuts) => {
      assert.deepEqual(await collect(chunkedBody(cutAt(bytes, cuts))), lines);
    }),
    { numRuns: 300 },
  );
});

test("a malformed line is E_STREAM quoting a short snippet of it", async () => {
  const junk = "<html><body>" + "x".repeat(200) + "</body></html>";
  const error = await expectOclawError(collect(chunkedBody(['{"ok":true}\n', junk + "\n", '{"never":"reached"}\n'])));
  assert.equal(error.code, "E_STREAM");
  assert.match(error.message, /^The server sent a malformed line: <html><body>x+…$/);
  assert.ok(error.message.length < "The server sent a malformed line: ".length + 81);
});

test("a line over the size cap is E_STREAM, whether it ends or not", async () => {
  const long = '{"a":"' + "y".repeat(100) + '"}';
  const unterminated = await expectOclawError(collect(chunkedBody([long.slice(0, 50), long.slice(50)]), 64));
  assert.equal(unterminated.code, "E_STREAM");
  assert.match(unterminated.message, /longer than 64 characters/);
  const terminated = await expectOclawError(collect(chunkedBody(['{"ok":1}\n' + long + '\n{"ok":2}\n']), 64));
  assert.equal(terminated.code, "E_STREAM");
  // The default cap is large: the same line passes.
  assert.equal((await collect(chunkedBody([long]))).length, 1);
});

test("stopping early cancels the body (the connection is released)", async () => {
  // An endless body, like a model that keeps generating.
  const source = chunkedBody(Array.from({ length: 10_000 }, (_, n) => `{"n":${n + 1}}\n`));
  for await (const value of ndjsonValues(source)) {
    assert.deepEqual(value, { n: 1 });
    break;
  }
  // The cancel travels back through the decoder pipe asynchronously; it must arrive.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the body was never cancelled")), 5_000);
  });
  await Promise.race([source.cancelled, gaveUp]).finally(() => clearTimeout(timer));
});

test("an error of the body itself passes through unchanged", async () => {
  const reason = new OclawError("E_TIMEOUT", "Ollama at http://127.0.0.1:1: no data for 1 s");
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('{"n":1}\n{"n"'));
    },
    pull(controller) {
      controller.error(reason);
    },
  });
  const error = await expectOclawError(collect(stream));
  assert.equal(error, reason);
});

test("random bytes either parse or fail with E_STREAM, never anything else (property)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), async (chunks) => {
      try {
        await collect(chunkedBody(chunks), 256);
      } catch (error) {
        assert.ok(error instanceof OclawError && error.code === "E_STREAM", `unexpected ${error}`);
      }
    }),
    { numRuns: 300 },
  );
});

test("snippet flattens whitespace and keeps at most 80 characters", () => {
  assert.equal(snippet("a\n\tb  c"), "a b c");
  assert.equal(snippet("z".repeat(200)).length, 80);
});

test("batches: the lines one read completed come as one array; a bad line is thrown after the ones before it", async () => {
  const batches: unknown[][] = [];
  const error = await expectOclawError(async () => {
    for await (const batch of ndjsonBatches(chunkedBody(['{"a":1}\n{"b":2}\n{"c"', ':3}\n{"d":4}\nnot json\n{"e":5}\n']))) {
      batches.push(batch);
    }
  });
  assert.deepEqual(batches, [[{ a: 1 }, { b: 2 }], [{ c: 3 }, { d: 4 }]]);
  assert.equal(error.code, "E_STREAM");
  assert.match(error.message, /malformed line: not json$/);
});

test("a 4 MiB line fed in 1 KiB reads parses whole, between short lines, and the cap still counts its pieces", async () => {
  const text = "z".repeat(4 * 1024 * 1024);
  const bytes = encoder.encode(`{"n":1}\n{"text":"${text}","end":true}\r\n{"n":2}\n`);
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 1024) pieces.push(bytes.subarray(i, i + 1024));
  const values = await collect(chunkedBody(pieces)) as Array<Record<string, unknown>>;
  assert.equal(values.length, 3);
  assert.deepEqual(values[0], { n: 1 });
  assert.equal((values[1]!.text as string).length, text.length);
  assert.equal(values[1]!.text, text);
  assert.equal(values[1]!.end, true);
  assert.deepEqual(values[2], { n: 2 });
  // The same line in pieces, against a cap just below its length: refused before it is whole.
  const capped = await expectOclawError(collect(chunkedBody(pieces), 4 * 1024 * 1024));
  assert.match(capped.message, /longer than 4 MiB/);
});
