/**
 * isTerminal and isNullDevice. isTerminal is settled without `node:tty` for a file, a pipe and the null device; any other character
 * device is asked. (A real terminal answering true is covered under `script` by tests/terminal.test.ts.)
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { isNullDevice, isTerminal } from "../lib/descriptors.ts";
import { withTempDir } from "./support/temp-dir.ts";

function withFd(file: string, flags: string, body: (fd: number) => void): void {
  const fd = fs.openSync(file, flags);
  try {
    body(fd);
  } finally {
    fs.closeSync(fd);
  }
}

test("the null device, another character device, a regular file and a closed descriptor are not terminals", async () => {
  withFd("/dev/null", "w", (fd) => assert.equal(isTerminal(fd), false));
  withFd("/dev/zero", "r", (fd) => assert.equal(isTerminal(fd), false));
  await withTempDir("is-terminal", (dir) => {
    const file = path.join(dir, "out.txt");
    fs.writeFileSync(file, "");
    withFd(file, "w", (fd) => assert.equal(isTerminal(fd), false));
    return Promise.resolve();
  });
  assert.equal(isTerminal(987654), false);
});

test("isNullDevice tells the null device from another character device, a file and a closed descriptor", () => {
  withFd("/dev/null", "r", (fd) => assert.equal(isNullDevice(fd), true));
  withFd("/dev/zero", "r", (fd) => assert.equal(isNullDevice(fd), false));
  withFd(process.execPath, "r", (fd) => assert.equal(isNullDevice(fd), false));
  assert.equal(isNullDevice(987654), false);
});
