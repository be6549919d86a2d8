/**
 * The config file's bytes are never lost: a file that is not UTF-8 is refused untouched, `.bak` is a byte
 * copy, a read-only file needs --force, and a lock left by a killed writer is broken at once (its PID is gone).
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { chmod, readdir, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import { test } from "node:test";
import { oclawCommand, spawnOclaw } from "./support/cli.ts";
import { withTempHome } from "./support/temp-home.ts";

test("a file that is not valid UTF-8 is refused with exit 3; the file and .bak are untouched", () =>
  withTempHome(async (home) => {
    const bytes = Buffer.from([...Buffer.from('{\n  // caf'), 0xe9, ...Buffer.from(' latin-1\n  a: 1,\n}\n')]);
    await home.write(".openclaw/openclaw.json", "");
    await writeFile(home.configFile, bytes);
    await writeFile(`${home.configFile}.bak`, "previous backup");
    const r = await spawnOclaw(["config", "set", "b", "2"], { env: { HOME: home.dir } });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^oclaw: Refusing to edit .*openclaw\.json: it is not valid UTF-8 \(first bad byte at line 2, column 9\)/m);
    assert.deepEqual(await readFile(home.configFile), bytes);
    assert.equal(await readFile(`${home.configFile}.bak`, "utf8"), "previous backup");
  }));

test(".bak is a byte copy of the previous file (a BOM and CRLF included)", () =>
  withTempHome(async (home) => {
    const before = "\uFEFF{\r\n  a: 1, // one\r\n}\r\n";
    await home.write(".openclaw/openclaw.json", before);
    const r = await spawnOclaw(["config", "set", "a", "2"], { env: { HOME: home.dir } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await readFile(`${home.configFile}.bak`), Buffer.from(before, "utf8"));
  }));

test("a read-only (0444) file is refused unless --force, which keeps the mode", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", "{a: 1}\n");
    await chmod(home.configFile, 0o444);
    const env = { HOME: home.dir };
    const refused = await spawnOclaw(["config", "set", "a", "2"], { env });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /^oclaw: Refusing to edit .*: the file is read-only \(mode 0444\)\nhint: .*--force/m);
    assert.equal(await readFile(home.configFile, "utf8"), "{a: 1}\n");
    const forced = await spawnOclaw(["config", "set", "a", "2", "--force"], { env });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(await readFile(home.configFile, "utf8"), "{a: 2}\n");
    assert.equal((await stat(home.configFile)).mode & 0o777, 0o444);
    const unset = await spawnOclaw(["config", "unset", "a", "--force"], { env });
    assert.equal(unset.code, 0, unset.stderr);
  }));

test("a lock whose owner process is gone is stale at once; a live owner's is waited for, with its PID named", () =>
  withTempHome(async (home) => {
    await home.write(".openclaw/openclaw.json", "{}\n");
    const lock = `${home.configFile}.lock`;
    // A process that has exited: its PID is free (reuse within this test is unlikely enough).
    const dead = spawn("true");
    await new Promise((resolve) => dead.on("close", resolve));
    await writeFile(lock, `killed-writer\npid ${dead.pid}\nhost ${os.hostname()}\n`);
    const started = performance.now();
    const r = await spawnOclaw(["config", "set", "gateway.a", "1"], { env: { HOME: home.dir } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(performance.now() - started < 10_000, "the dead owner's lock was not waited out");
    assert.deepEqual(JSON.parse(await home.read(".openclaw/openclaw.json")), { gateway: { a: 1 } });
    assert.ok(!(await readdir(home.stateDir)).some((f) => f.endsWith(".lock")));
  }));

test("a config nested 100k levels deep is a config error (exit 3) for every reader, no stack overflow", () =>
  withTempHome(async (home) => {
    const n = 100_000;
    await home.write(".openclaw/openclaw.json", "{a:".repeat(n) + "1" + "}".repeat(n));
    const env = { HOME: home.dir };
    for (const args of [["config", "validate"], ["config", "set", "b", "1"], ["config", "get", "a"], ["chat", "-m", "x", "hi"], ["models", "list"]]) {
      const r = await spawnOclaw(args, { env });
      assert.equal(r.code, 3, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stdout + r.stderr, /openclaw\.json:1:193: nested deeper than 64 levels/, args.join(" "));
      assert.doesNotMatch(r.stderr, /Maximum call stack|RangeError/);
    }
    // Health follows the Nagios API: UNKNOWN is 3 too.
    const health = await spawnOclaw(["health"], { env });
    assert.equal(health.code, 3, health.stderr);
  }));

test("config set on a 5 MB config costs memory in proportion to the file (peak RSS under 350 MB)", { skip: !existsSync("/usr/bin/time") && "no /usr/bin/time here" }, () =>
  withTempHome(async (home) => {
    const lines = ["{", "  // big", "  gateway: { mode: 'local' },", "  extra: {"];
    let size = 0;
    for (let i = 0; size < 5e6; i++) {
      const line = `    key${i}: { name: "value number ${i}", list: [1, 2, 3], flag: true }, // c${i}`;
      lines.push(line);
      size += line.length;
    }
    lines.push("  },", "}", "");
    await home.write(".openclaw/openclaw.json", lines.join("\n"));
    const [program, pre] = oclawCommand();
    const result = spawnSync("/usr/bin/time", ["-f", "peak %M", program, ...pre, "config", "set", "gateway.port", "18789"], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home.dir },
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const peakKb = Number(/peak (\d+)/.exec(result.stderr)?.[1]);
    assert.ok(peakKb < 350_000, `peak RSS ${peakKb} KB for a 5 MB config`);
    assert.match(await home.read(".openclaw/openclaw.json"), /gateway: \{ mode: 'local', port: 18789 \}/);
  }));
