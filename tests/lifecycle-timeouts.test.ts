/**
 * The exit code of `ps`, `warm` and `stop` when a server did not answer in time, through the binary: the
 * decision is lib/errors.ts's noServerAnswered, as for `models list` and `chat`. Refused, or a connection
 * taken and not one byte sent before the wait ran out, is "no server answered" (4); a server that answered
 * and then stalled is a failure (1). The other providers' models are still listed or loaded.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnOclaw } from "./support/cli.ts";
import { rawServer } from "./support/hostile-server.ts";
import { closedPort } from "./support/loopback.ts";
import { writeConfig } from "./support/scenarios.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

/** Runs `oclaw <args>` with the ollama provider at `good` and a second Ollama provider `far` (model `m`) at `far`. */
async function oclaw(good: string, far: string, args: string[]) {
  return await withTempDir("lifecycle-timeouts", async (dir) => {
    const providers = { ollama: { baseUrl: good }, far: { baseUrl: far, api: "ollama", models: [{ id: "m" }] } };
    const file = await writeConfig(dir, { models: { providers } });
    return await spawnOclaw([...args, "--config", file], { env: { HOME: dir }, killAfterMs: 45_000 });
  });
}

/** The three ways `far` can fail to answer: nothing listens, it takes the connection and says nothing, it answers and stalls. */
async function withFarServers(body: (far: { refused: string; silent: string; stalled: string }) => Promise<void>) {
  const silent = await rawServer("silent");
  const stalled = await rawServer("stalled-body");
  try {
    await body({ refused: `http://127.0.0.1:${await closedPort()}`, silent: silent.url, stalled: stalled.url });
  } finally {
    await silent.close();
    await stalled.close();
  }
}

type PsDoc = { models: Array<{ model: string }>; errors: Array<{ provider: string; code: string; message: string }> };

test("ps: a provider refused or silent is exit 4; one that answered and stalled is exit 1; the others are listed", { timeout: 60_000 }, async () => {
  await withFakeOllama({ ps: [{ name: "qwen3:8b" }] }, async (good) => {
    await withFarServers(async (far) => {
      // /api/ps waits 10 s for its answer: the three runs at once.
      const ps = (url: string) => oclaw(good.url, url, ["ps", "--json"]);
      const [refused, silent, stalled] = await Promise.all([ps(far.refused), ps(far.silent), ps(far.stalled)]);
      const errors = (r: { stdout: string }) => (JSON.parse(r.stdout) as PsDoc).errors.map((e) => [e.provider, e.code]);
      for (const r of [refused, silent, stalled]) {
        assert.deepEqual((JSON.parse(r.stdout) as PsDoc).models.map((m) => m.model), ["ollama/qwen3:8b"], r.stderr);
      }
      assert.equal(refused.code, 4, refused.stderr);
      assert.deepEqual(errors(refused), [["far", "E_UNREACHABLE"]]);
      assert.equal(silent.code, 4, silent.stderr);
      assert.deepEqual(errors(silent), [["far", "E_TIMEOUT"]]);
      assert.equal(stalled.code, 1, stalled.stderr);
      assert.deepEqual(errors(stalled), [["far", "E_TIMEOUT"]]);
      // The table and stderr say the same.
      const table = await oclaw(good.url, far.refused, ["ps"]);
      assert.equal(table.code, 4);
      assert.match(table.stdout, /^ollama\/qwen3:8b\s/m);
      assert.match(table.stderr, /^oclaw: .*connection refused/m);
    });
  });
});

test("warm and stop: the model on a refused or silent server is exit 4, on a stalled one exit 1; the other is loaded", { timeout: 60_000 }, async () => {
  await withFakeOllama({}, async (good) => {
    await withFarServers(async (far) => {
      const warm = (url: string) => oclaw(good.url, url, ["warm", "--timeout", "1", "ollama/qwen3:8b", "far/m"]);
      const [refused, silent, stalled] = await Promise.all([warm(far.refused), warm(far.silent), warm(far.stalled)]);
      for (const r of [refused, silent, stalled]) assert.match(r.stdout, /^ollama\/qwen3:8b loaded in \d+\.\d\d s\n$/, r.stderr);
      assert.equal(refused.code, 4, refused.stderr);
      assert.match(refused.stderr, /^oclaw: .*connection refused/m);
      assert.equal(silent.code, 4, silent.stderr);
      assert.match(silent.stderr, /^oclaw: Ollama at http:\/\/127\.0\.0\.1:\d+ timed out waiting for the answer to \/api\/chat \(1 s\)$/m);
      assert.equal(stalled.code, 1, stalled.stderr);
      assert.match(stalled.stderr, /^oclaw: Ollama at http:\/\/127\.0\.0\.1:\d+ timed out waiting for the answer to \/api\/chat \(1 s\)$/m);
      // stop decides the same way (its own wait is 30 s, so only the refused server here).
      const stop = await oclaw(good.url, far.refused, ["stop", "--json", "ollama/qwen3:8b", "far/m"]);
      assert.equal(stop.code, 4, stop.stderr);
      const doc = JSON.parse(stop.stdout) as { models: Array<{ model: string }>; errors: Array<{ model: string; code: string }> };
      assert.deepEqual(doc.models, [{ model: "ollama/qwen3:8b" }]);
      assert.deepEqual(doc.errors.map((e) => [e.model, e.code]), [["far/m", "E_UNREACHABLE"]]);
    });
  });
});
