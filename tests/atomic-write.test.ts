/**
 * The one atomic writer: it replaces regular files only, writes through symbolic links, creates missing
 * files, refuses devices, FIFOs, sockets and directories without touching them, and sends `-` to stdout.
 * The device cases use mknod, which needs root (CI runs as root); only those skip otherwise.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { writeFileAtomic } from "../lib/atomic-write.ts";
import { OclawError } from "../lib/errors.ts";
import { spawnOclaw } from "./support/cli.ts";
import { writeConfig } from "./support/scenarios.ts";
import { withTempDir } from "./support/temp-dir.ts";

const isRoot = process.getuid?.() === 0;
const ROOT_ONLY = isRoot ? false : "mknod needs root: the device-node cases run only as root (CI runs as root)";

/** Makes a character device like /dev/null (1,3) at `file`. */
function mknodNull(file: string): void {
  const made = spawnSync("mknod", [file, "c", "1", "3"]);
  assert.equal(made.status, 0, `mknod failed: ${made.stderr}`);
}

function mkfifo(file: string): void {
  const made = spawnSync("mkfifo", [file]);
  assert.equal(made.status, 0, `mkfifo failed: ${made.stderr}`);
}

const refused = (pattern: RegExp) => (e: unknown) => e instanceof OclawError && e.code === "E_WRITE" && pattern.test(e.message);

test("a regular file is replaced, keeping its mode; a missing one is created; no temp file is left", async () => {
  await withTempDir("atomic", async (dir) => {
    const file = path.join(dir, "oclaw.prom");
    await writeFile(file, "old\n");
    await chmod(file, 0o640);
    await writeFileAtomic(file, "new\n");
    assert.equal(await readFile(file, "utf8"), "new\n");
    assert.equal((await stat(file)).mode & 0o777, 0o640);
    await writeFileAtomic(path.join(dir, "fresh.prom"), new Uint8Array([0xff, 0x00, 0x41]), { mode: 0o600 });
    assert.deepEqual([...await readFile(path.join(dir, "fresh.prom"))], [0xff, 0x00, 0x41]);
    assert.equal((await stat(path.join(dir, "fresh.prom"))).mode & 0o777, 0o600);
    assert.deepEqual((await readdir(dir)).sort(), ["fresh.prom", "oclaw.prom"]);
  });
});

test("a symbolic link is written through: the link stays, its target gets the text", async () => {
  await withTempDir("atomic", async (dir) => {
    await mkdir(path.join(dir, "real"));
    const target = path.join(dir, "real", "config.json5");
    await writeFile(target, "old");
    const link = path.join(dir, "link.json5");
    await symlink("real/config.json5", link);
    await writeFileAtomic(link, "new");
    assert.ok((await lstat(link)).isSymbolicLink());
    assert.equal(await readlink(link), "real/config.json5");
    assert.equal(await readFile(target, "utf8"), "new");
  });
});

test("a dangling symbolic link is an error naming the missing target; nothing is created", async () => {
  await withTempDir("atomic", async (dir) => {
    const link = path.join(dir, "out.prom");
    await symlink("gone/metrics.prom", link);
    await assert.rejects(writeFileAtomic(link, "x"), refused(/symbolic link to .*gone\/metrics\.prom, which does not exist/));
    assert.deepEqual(await readdir(dir), ["out.prom"]);
  });
});

test("a directory, a FIFO and a socket are refused and left as they were", async () => {
  await withTempDir("atomic", async (dir) => {
    const sub = path.join(dir, "sub");
    await mkdir(sub);
    await assert.rejects(writeFileAtomic(sub, "x"), refused(/it is a directory, not a regular file/));
    const fifo = path.join(dir, "fifo");
    mkfifo(fifo);
    // Refused before any open: a FIFO nobody reads would block an open for writing forever.
    await assert.rejects(writeFileAtomic(fifo, "x"), refused(/FIFO/));
    assert.ok((await lstat(fifo)).isFIFO());
    const sock = path.join(dir, "sock");
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      await assert.rejects(writeFileAtomic(sock, "x"), refused(/socket/));
      assert.ok((await lstat(sock)).isSocket());
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    // A link to the FIFO: the refusal names both.
    await symlink("fifo", path.join(dir, "to-fifo"));
    await assert.rejects(writeFileAtomic(path.join(dir, "to-fifo"), "x"), refused(/to-fifo \(-> .*fifo\): it is a FIFO/));
    // (Closing the server removed its socket file.)
    assert.deepEqual((await readdir(dir)).sort(), ["fifo", "sub", "to-fifo"]);
    assert.deepEqual(await readdir(sub), []);
  });
});

test("'-' and /dev/stdout go to the caller's stdout when it gives one", async () => {
  let out = "";
  const stdout = (text: string) => {
    out += text;
    return Promise.resolve();
  };
  await writeFileAtomic("-", "a\n", { stdout });
  await writeFileAtomic("/dev/stdout", "b\n", { stdout });
  assert.equal(out, "a\nb\n");
});

test("a character device is refused and stays a device", { skip: ROOT_ONLY }, async () => {
  await withTempDir("atomic", async (dir) => {
    const dev = path.join(dir, "null");
    mknodNull(dev);
    await assert.rejects(writeFileAtomic(dev, "x"), refused(/it is a character device, not a regular file/));
    assert.ok((await lstat(dev)).isCharacterDevice());
    assert.deepEqual(await readdir(dir), ["null"]);
  });
});

test("health --output refuses a device with UNKNOWN (3), writes '-' to stdout", { skip: ROOT_ONLY }, async () => {
  await withTempDir("atomic", async (top) => {
    const dir = path.join(top, "work");
    await mkdir(dir);
    const config = await writeConfig(dir, { models: { providers: { ollama: { baseUrl: "http://127.0.0.1:9" } } } });
    const dev = path.join(dir, "null");
    mknodNull(dev);
    const env = { HOME: path.join(top, "home") };
    const bad = await spawnOclaw(["health", "--config", config, "--format", "prometheus", "--output", dev], { env });
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stderr, /Refusing to write .*null: it is a character device, not a regular file/);
    assert.ok((await lstat(dev)).isCharacterDevice());
    assert.deepEqual((await readdir(dir)).sort(), ["null", "openclaw.json"]);
    const dash = await spawnOclaw(["health", "--config", config, "--format", "prometheus", "--output", "-"], { env });
    assert.equal(dash.code, 2, dash.stderr);
    assert.match(dash.stdout, /^# HELP/m);
  });
});

test("config set on a device or a FIFO refuses with a config write error: no .bak, no .lock, no hang", async (t) => {
  await withTempDir("atomic", async (top) => {
    const dir = path.join(top, "work");
    await mkdir(dir);
    const fifo = path.join(dir, "fifo.json5");
    mkfifo(fifo);
    const env = { HOME: path.join(top, "home") };
    const onFifo = await spawnOclaw(["--config", fifo, "config", "set", "a", "1"], { env, killAfterMs: 20_000 });
    assert.equal(onFifo.code, 1, onFifo.stderr);
    assert.match(onFifo.stderr, /^oclaw: Refusing to write .*fifo\.json5: it is a FIFO/m);
    if (!isRoot) {
      t.diagnostic("the character-device case needs root for mknod: skipped");
      assert.deepEqual(await readdir(dir), ["fifo.json5"]);
      return;
    }
    const dev = path.join(dir, "null");
    mknodNull(dev);
    const onDev = await spawnOclaw(["--config", dev, "config", "set", "a", "1"], { env });
    assert.equal(onDev.code, 1, onDev.stderr);
    assert.match(onDev.stderr, /^oclaw: Refusing to write .*null: it is a character device, not a regular file/m);
    assert.ok((await lstat(dev)).isCharacterDevice());
    assert.deepEqual((await readdir(dir)).sort(), ["fifo.json5", "null"]);
  });
});
