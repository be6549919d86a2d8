/**
 * readRegularFileNow reads a regular file at once and leaves anything else to the caller's asynchronous
 * read: a FIFO nobody writes to is neither read nor waited for (opening it does not wait for a writer).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { readRegularFileNow } from "../lib/read-now.ts";
import { withTempDir } from "./support/temp-dir.ts";

test("a regular file is read, a FIFO and a device are not, a missing file throws ENOENT", { timeout: 10_000 }, () =>
  withTempDir("read-now", async (dir) => {
    const file = path.join(dir, "config.json");
    await writeFile(file, '{"ok": "✓"}');
    assert.equal(readRegularFileNow(file), '{"ok": "✓"}');
    const fifo = path.join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    assert.equal(readRegularFileNow(fifo), undefined);
    assert.equal(readRegularFileNow("/dev/null"), undefined);
    assert.throws(() => readRegularFileNow(path.join(dir, "missing")), (e: NodeJS.ErrnoException) => e.code === "ENOENT");
  }));
