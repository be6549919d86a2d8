import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import JSON5 from "json5";
import { spawnOclaw } from "./support/cli.ts";
import { LARGE_CONFIG } from "./fixtures/config/large-config.ts";
import { withTempHome } from "./support/temp-home.ts";

// Real processes racing on one file: the lock must serialise read-modify-write, so no update is lost and
// every reader sees a whole file.

test("two processes running config set on different keys at once, many times: no lost update, never a corrupt file", () =>
  withTempHome(async (home) => {
    const original = await readFile(LARGE_CONFIG, "utf8");
    await home.write(".openclaw/openclaw.json", original);
    const env = { HOME: home.dir };
    const rounds = 10;
    for (let round = 0; round < rounds; round++) {
      const results = await Promise.all([
        spawnOclaw(["config", "set", `gateway.a${round}`, String(round)], { env }),
        spawnOclaw(["config", "set", `agents.defaults.b${round}`, `"v${round}"`], { env }),
        // A reader in the middle of it all must never see a half-written file.
        spawnOclaw(["config", "get", "gateway.mode"], { env }),
      ]);
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      assert.equal(results[2]!.stdout, "local\n");
    }
    const text = await home.read(".openclaw/openclaw.json");
    const data = JSON5.parse(text);
    for (let round = 0; round < rounds; round++) {
      assert.equal(data.gateway[`a${round}`], round, `gateway.a${round} kept`);
      assert.equal(data.agents.defaults[`b${round}`], `v${round}`, `agents.defaults.b${round} kept`);
    }
    // Everything else is the original text: comments and all.
    assert.ok(text.includes("// rotate monthly"));
    assert.ok(text.includes("/* Model providers. ollama runs on the same box; the GPU box is reached over wireguard. */"));
    // No lock or temp file is left behind.
    const leftovers = (await readdir(home.stateDir)).filter((f) => f.endsWith(".lock") || f.endsWith(".tmp"));
    assert.deepEqual(leftovers, []);
  }));

test("eight processes setting eight keys at once on a file that does not exist yet: all eight land", () =>
  withTempHome(async (home) => {
    const env = { HOME: home.dir };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => spawnOclaw(["config", "set", `gateway.k${i}.value`, String(i)], { env })),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const data = JSON.parse(await home.read(".openclaw/openclaw.json"));
    assert.deepEqual(Object.keys(data.gateway).sort(), ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"]);
    for (let i = 0; i < 8; i++) assert.deepEqual(data.gateway[`k${i}`], { value: i });
  }));

test("a stale lock left by a crashed process is broken; a fresh one is waited for", () =>
  withTempHome(async (home) => {
    const { utimes, writeFile, unlink } = await import("node:fs/promises");
    await home.write(".openclaw/openclaw.json", "{}\n");
    const lock = `${home.configFile}.lock`;
    await writeFile(lock, "crashed\n");
    const old = new Date(Date.now() - 120_000);
    await utimes(lock, old, old);
    const r = await spawnOclaw(["config", "set", "gateway.a", "1"], { env: { HOME: home.dir } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(await home.read(".openclaw/openclaw.json")), { gateway: { a: 1 } });

    await writeFile(lock, "busy\n");
    let sawWait: () => void = () => {};
    const waits = new Promise<void>((resolve) => (sawWait = resolve));
    const waiting = spawnOclaw(["config", "set", "gateway.b", "2", "-v"], {
      env: { HOME: home.dir },
      onSpawn: (child) => child.stderr!.on("data", (d: string) => String(d).includes("waiting for") && sawWait()),
    });
    // Once the process says it waits for the lock, it must not write until the lock goes away.
    await waits;
    assert.deepEqual(JSON.parse(await home.read(".openclaw/openclaw.json")), { gateway: { a: 1 } });
    await unlink(lock);
    const done = await waiting;
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(JSON.parse(await home.read(".openclaw/openclaw.json")), { gateway: { a: 1, b: 2 } });
  }));
