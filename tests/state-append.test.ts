/** lib/state/append.ts: whole lines appended in one write, 0600/0700, rotation, cut lines left out. */
import { chmod, mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendLines, BadLine, readJsonLines } from "../lib/state/append.ts";
import { OclawError } from "../lib/errors.ts";
import { withTempDir } from "./support/temp-dir.ts";

test("lines are appended whole, the file 0600 in a new 0700 directory, even an existing 0644 file", async () => {
  await withTempDir("append", async (dir) => {
    const file = path.join(dir, "state", "oclaw", "log.jsonl");
    await appendLines(file, ['{"a":1}', '{"b":2}']);
    await appendLines(file, ['{"c":3}']);
    assert.equal(await readFile(file, "utf8"), '{"a":1}\n{"b":2}\n{"c":3}\n');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
    await chmod(file, 0o644);
    await appendLines(file, ['{"d":4}']);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readJsonLines(file), [{ a: 1 }, { b: 2 }, { c: 3 }, { d: 4 }]);
  });
});

test("past maxBytes the file is rotated to .1 (one previous file kept) before the lines are written", async () => {
  await withTempDir("append", async (dir) => {
    const file = path.join(dir, "log.jsonl");
    const line = JSON.stringify({ text: "x".repeat(40) });
    for (let i = 0; i < 5; i++) await appendLines(file, [line], { maxBytes: 120 });
    // 52 bytes a line: two fit in 120, the third starts a new file.
    assert.equal((await readFile(file, "utf8")).split("\n").length - 1, 1);
    assert.equal((await readFile(`${file}.1`, "utf8")).split("\n").length - 1, 2);
  });
});

test("a last line cut by a crash is left out by readers and cut off by the next append; a bad line is named", async () => {
  await withTempDir("append", async (dir) => {
    const file = path.join(dir, "s.jsonl");
    await writeFile(file, '{"a":1}\n{"b":');
    assert.deepEqual(await readJsonLines(file), [{ a: 1 }]);
    await appendLines(file, ['{"c":3}']);
    assert.equal(await readFile(file, "utf8"), '{"a":1}\n{"c":3}\n');
    await writeFile(file, '{"a":1}\nnope\n');
    await assert.rejects(readJsonLines(file), (e: unknown) => e instanceof BadLine && e.line === 2);
    assert.deepEqual(await readJsonLines(file, true), [{ a: 1 }]);
    assert.deepEqual(await readJsonLines(path.join(dir, "missing.jsonl")), []);
  });
});

test("a directory or a device is refused and left alone; a link is written through", async () => {
  await withTempDir("append", async (dir) => {
    const sub = path.join(dir, "sub");
    await mkdir(sub);
    await assert.rejects(appendLines(sub, ["{}"]), (e: unknown) => e instanceof OclawError && e.code === "E_WRITE");
    await assert.rejects(appendLines("/dev/null", ["{}"]), (e: unknown) => e instanceof OclawError && e.code === "E_WRITE");
    const real = path.join(dir, "real.jsonl");
    await writeFile(real, "");
    await symlink(real, path.join(dir, "link.jsonl"));
    await appendLines(path.join(dir, "link.jsonl"), ['{"x":1}']);
    assert.equal(await readFile(real, "utf8"), '{"x":1}\n');
  });
});
