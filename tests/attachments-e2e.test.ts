/**
 * `-a/--attach` end to end against the fake Ollama: images by their bytes to models that take them (native
 * base64, /v1 data URLs), text fenced under its name, binaries and oversized files refused, and the log and
 * sessions keeping attachments by reference.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { readdir, readFile, truncate } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorld } from "./support/world.ts";
import { jsonLines } from "./support/json-lines.ts";

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const PNG_BASE64 = PNG.toString("base64");

test("-a: a PNG (named .dat) goes base64 in images natively and as a data URL over /v1; text is fenced under its name", async () => {
  await withWorld({}, async (w) => {
    const pic = await w.file("photo.dat", PNG);
    const notes = await w.file("notes.md", "Use ```code``` here\n");
    const r = await w.run(["chat", "-m", "qwen2.5vl:7b", "-a", pic, "--attach", notes, "What is in the picture?"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(w.chatBodies()[0]?.messages, [{
      role: "user",
      content: `What is in the picture?\n\n${notes}:\n\`\`\`\`\nUse \`\`\`code\`\`\` here\n\`\`\`\``,
      images: [PNG_BASE64],
    }]);
    const v1 = await w.run(["chat", "-m", "v1/qwen2.5vl:7b", "-a", pic, "Describe"]);
    assert.equal(v1.code, 0, v1.stderr);
    assert.deepEqual(w.chatBodies()[1]?.messages, [{
      role: "user",
      content: [
        { type: "text", text: "Describe" },
        { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
      ],
    }]);
  });
});

test("-a with an image: a candidate without image input is skipped (E_NO_IMAGES); none left is exit 1", async () => {
  await withWorld({}, async (w) => {
    const pic = await w.file("cat.png", PNG);
    const r = await w.run(["chat", "--json", "-m", "llama3.2:3b", "-m", "qwen2.5vl:7b", "-a", pic, "What is it?"]);
    assert.equal(r.code, 0, r.stderr);
    const events = jsonLines(r.stdout);
    assert.deepEqual(events.find((e) => e.type === "fallback")?.error, {
      code: "E_NO_IMAGES",
      message: "ollama/llama3.2:3b does not take images (its input: text)",
    });
    assert.deepEqual(w.chatBodies().map((b) => b.model), ["qwen2.5vl:7b"]);
    const none = await w.run(["chat", "-m", "llama3.2:3b", "-a", pic, "What is it?"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^oclaw: ollama\/llama3\.2:3b does not take images/);
    const text = await w.file("t.txt", "plain text");
    assert.equal((await w.run(["chat", "-m", "llama3.2:3b", "-a", text, "Summarize"])).code, 0, "text goes to any model");
  });
});

test("-a refuses a binary that is not an image, a directory, a missing file and a file over 20 MiB; nothing is sent", async () => {
  await withWorld({}, async (w) => {
    const bin = await w.file("a.out", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]));
    const big = await w.file("big.log", "");
    await truncate(big, 21 * 1024 * 1024);
    const cases: Array<[string, RegExp]> = [
      [bin, /^oclaw: Cannot attach .*a\.out: it is a binary file, neither text nor a PNG, JPEG, WebP or GIF image\n/],
      [w.dir, /^oclaw: Cannot attach .*: it is not a regular file\n/],
      [path.join(w.dir, "missing.txt"), /^oclaw: Cannot attach .*missing\.txt: no such file\n/],
      [big, /^oclaw: Cannot attach .*big\.log: it is 21\.0 MiB, over the 20\.0 MiB limit\n/],
    ];
    for (const [file, message] of cases) {
      const r = await w.run(["chat", "-m", "qwen3:8b", "-a", file, "Hi"]);
      assert.equal(r.code, 2, file);
      assert.match(r.stderr, message);
    }
    const twice = await w.run(["chat", "-m", "qwen3:8b", "-a", "-", "--messages", "-", "Hi"], { stdin: "[]" });
    assert.equal(twice.code, 2);
    assert.equal(w.chatBodies().length, 0);
  });
});

test("-a - takes stdin as a file (the prompt words stay the prompt); no words needed", async () => {
  await withWorld({}, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "-a", "-", "Review"], { stdin: "diff --git a b\n" });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(w.chatBodies()[0]?.messages, [{ role: "user", content: "Review\n\nstdin:\n```\ndiff --git a b\n```" }]);
    const alone = await w.run(["chat", "-m", "qwen3:8b", "-a", "-"], { stdin: "hello" });
    assert.equal(alone.code, 0, alone.stderr);
  });
});

test("the log keeps attachments by name, type, size and SHA-256; a session keeps the image once and sends it again", async () => {
  await withWorld({}, async (w) => {
    const pic = await w.file("cat.png", PNG);
    const secretText = "quarterly numbers: 42";
    const doc = await w.file("report.txt", secretText);
    const r = await w.run(["chat", "-m", "qwen2.5vl:7b", "--session", "pics", "-a", pic, "-a", doc, "Compare"]);
    assert.equal(r.code, 0, r.stderr);
    const log = await readFile(path.join(w.stateDir, "log.jsonl"), "utf8");
    assert.equal(log.includes(secretText), false, "the file's text is not in the log");
    assert.equal(log.includes(PNG_BASE64), false, "the image's bytes are not in the log");
    const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");
    assert.deepEqual(JSON.parse(log.trim()).messages, [{
      role: "user",
      content: `Compare\n\n[attached ${doc}: text, ${secretText.length} bytes, sha256 ${sha(secretText)}]`,
      images: [{ sha256: sha(PNG), mime: "image/png", size: PNG.length, name: "cat.png" }],
    }]);

    const again = await w.run(["chat", "-m", "qwen2.5vl:7b", "--session", "pics", "And now?"]);
    assert.equal(again.code, 0, again.stderr);
    const sent = w.chatBodies()[1]?.messages as Array<Record<string, unknown>>;
    assert.deepEqual(sent[0]?.images, [PNG_BASE64], "the stored image is sent again");
    assert.match(String(sent[0]?.content), /report\.txt:\n```\nquarterly numbers: 42\n```$/);
    assert.deepEqual(await readdir(path.join(w.stateDir, "sessions", "images")), [sha(PNG)]);
    const line = (await readFile(path.join(w.stateDir, "sessions", "pics.jsonl"), "utf8")).split("\n")[0]!;
    assert.deepEqual(JSON.parse(line).images, [{ sha256: sha(PNG), mime: "image/png", size: PNG.length, name: "cat.png" }]);
  });
});
