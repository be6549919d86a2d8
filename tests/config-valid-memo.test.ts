/**
 * The config-validation memo (lib/config/valid-memo.ts): a config the schema passed is not validated again
 * by the same build, and nothing else changes — an edit, a new problem or a different build is validated
 * in full.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { validMemo } from "../lib/config/valid-memo.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { spawnOclaw } from "./support/cli.ts";
import { withTempHome } from "./support/temp-home.ts";

const valid = { models: { providers: { ollama: { baseUrl: "http://127.0.0.1:9", api: "ollama", models: [{ id: "m", name: "m" }] } } } };

test("a memo keys on the build and the data: a run from source keeps none, another build or other data misses", { timeout: 60_000 }, () =>
  withTempDir("memo", async (dir) => {
    assert.equal(validMemo(dir, undefined).keyOf(valid), undefined);
    const memo = validMemo(dir, "build-a");
    const key = memo.keyOf(valid)!;
    assert.equal(await memo.has(key), false);
    await memo.add(key);
    // A new reader (the next run) finds it in the file.
    assert.equal(await validMemo(dir, "build-a").has(key), true);
    assert.notEqual(validMemo(dir, "build-b").keyOf(valid), key);
    const edited = structuredClone(valid);
    edited.models.providers.ollama.baseUrl = "http://127.0.0.1:10";
    assert.notEqual(memo.keyOf(edited), key);
    // The file holds hashes, not the config.
    assert.doesNotMatch(await readFile(path.join(dir, "valid-configs.json"), "utf8"), /127\.0\.0\.1/);
  }));

test("a damaged memo file is a miss, never an error; it keeps the newest 16 keys", { timeout: 60_000 }, () =>
  withTempDir("memo", async (dir) => {
    await writeFile(path.join(dir, "valid-configs.json"), "{not json");
    const memo = validMemo(dir, "b");
    assert.equal(await memo.has("x"), false);
    for (let i = 0; i < 20; i++) await memo.add(`k${i}`);
    const kept = JSON.parse(await readFile(path.join(dir, "valid-configs.json"), "utf8")) as string[];
    assert.equal(kept.length, 16);
    assert.equal(kept[0], "k19");
  }));

/** How many configs the compiled binary remembers in `home` (a run from source keeps no memo: undefined). */
async function remembered(home: string): Promise<number | undefined> {
  if (!process.env.OCLAW_BIN) return undefined;
  const memoFile = path.join(home, ".cache", "oclaw", "valid-configs.json");
  return (JSON.parse(await readFile(memoFile, "utf8")) as string[]).length;
}

test("through the CLI (the compiled binary under npm test): after a valid run, an edit that adds a typo is still reported (exit 3, did you mean)", { timeout: 60_000 }, () =>
  withTempHome(async (home) => {
    const run = (args: string[]) => spawnOclaw(args, { env: { HOME: home.dir } });
    await home.write(".openclaw/openclaw.json", JSON.stringify(valid));
    const ok = await run(["models", "list", "--plain"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /ollama\/m/);
    // The compiled binary carries a build id: it remembered the config (a run from source does not).
    if (process.env.OCLAW_BIN) assert.equal(await remembered(home.dir), 1);
    await home.write(".openclaw/openclaw.json", JSON.stringify(valid).replace('"baseUrl"', '"baseURL"'));
    const bad = await run(["models", "list", "--plain"]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /unknown key 'baseURL'/);
    assert.match(bad.stderr, /[Dd]id you mean baseUrl/);
    // And back: the remembered config is served again, the same as before.
    await home.write(".openclaw/openclaw.json", JSON.stringify(valid));
    assert.equal((await run(["models", "list", "--plain"])).stdout, ok.stdout);
  }));

test("a config with a problem only OpenClaw cares about (a model without name) is remembered too, and config validate still reports it", { timeout: 60_000 }, () =>
  withTempHome(async (home) => {
    const run = (args: string[]) => spawnOclaw(args, { env: { HOME: home.dir } });
    const unnamed = structuredClone(valid) as { models: { providers: { ollama: { models: Array<{ id: string; name?: string }> } } } };
    delete unnamed.models.providers.ollama.models[0]!.name;
    await home.write(".openclaw/openclaw.json", JSON.stringify(unnamed));
    for (let i = 0; i < 2; i++) {
      const ok = await run(["models", "list", "--plain"]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /ollama\/m/);
    }
    if (process.env.OCLAW_BIN) assert.equal(await remembered(home.dir), 1);
    const checked = await run(["config", "validate"]);
    assert.equal(checked.code, 3);
    assert.match(checked.stdout + checked.stderr, /models\.providers\.ollama\.models\[0\]\.name/);
  }));
