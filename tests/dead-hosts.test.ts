/**
 * Chat's memory of unreachable hosts, through the binary: a refused primary is remembered in
 * `$XDG_STATE_HOME/oclaw/hosts.json` and tried last by the next run (`-v` says so), a host that answers is
 * forgotten, `OCLAW_DEAD_HOST_TTL` bounds the memory, and concurrent runs never leave a broken file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, stat, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { spawnOclaw } from "./support/cli.ts";
import { startFakeOllama } from "./support/fake-ollama.ts";
import { closedPort } from "./support/loopback.ts";
import { writeConfig } from "./support/scenarios.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

/** A config whose primary is on `primaryUrl` and whose fallback is on `fallbackUrl` (provider gpu2). */
async function chainConfig(dir: string, primaryUrl: string, fallbackUrl: string): Promise<string> {
  return await writeConfig(dir, {
    models: {
      providers: {
        ollama: { baseUrl: primaryUrl },
        gpu2: { baseUrl: fallbackUrl, api: "ollama", models: [{ id: "llama3.2:3b" }] },
      },
    },
    agents: { defaults: { model: { primary: "ollama/qwen3:8b", fallbacks: ["gpu2/llama3.2:3b"] } } },
  });
}

const hostsOf = async (dir: string) =>
  (JSON.parse(await readFile(path.join(dir, "state", "oclaw", "hosts.json"), "utf8")) as { hosts: Record<string, { at: number; code: string }> }).hosts;

test("a refused primary is tried last by the next run, -v says so; once it answers it is forgotten", { timeout: 60_000 }, async () => {
  const port = await closedPort();
  const primaryUrl = `http://127.0.0.1:${port}`;
  await withFakeOllama({}, async (fallback) => {
    await withTempDir("dead-hosts", async (dir) => {
      const file = await chainConfig(dir, primaryUrl, fallback.url);
      const env = { HOME: dir, XDG_STATE_HOME: path.join(dir, "state") };
      const chat = (...args: string[]) => spawnOclaw(["chat", "--config", file, ...args, "hi"], { env });

      const first = await chat();
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /connection refused/);
      const hosts = await hostsOf(dir);
      assert.deepEqual(Object.keys(hosts), [primaryUrl]);
      assert.equal(hosts[primaryUrl]!.code, "E_UNREACHABLE");
      assert.equal((await stat(path.join(dir, "state", "oclaw", "hosts.json"))).mode & 0o777, 0o600);

      // The next run goes to the fallback first: no refused connection, no fallback line.
      const second = await chat("-v");
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stdout, "Hello! How can I help you today?\n");
      assert.match(second.stderr, new RegExp(`ollama/qwen3:8b: ${primaryUrl.replace(/[.]/g, "\\.")} could not be reached \\d+ s ago \\(E_UNREACHABLE\\); trying it last`));
      assert.doesNotMatch(second.stderr, /connection refused|trying ollama\/qwen3:8b/);
      assert.doesNotMatch(second.stderr, new RegExp(`POST ${primaryUrl}`));

      // --no-fallback keeps the order: the primary is tried (and still refused).
      const strict = await chat("--no-fallback");
      assert.equal(strict.code, 4, strict.stderr);

      // The primary comes back on its port: a run that reaches it forgets the host.
      const primary = await startFakeOllama({ port });
      try {
        const back = await chat("-m", "ollama/qwen3:8b");
        assert.equal(back.code, 0, back.stderr);
        assert.deepEqual(await hostsOf(dir), {});
        const normal = await chat("-v");
        assert.doesNotMatch(normal.stderr, /trying it last/);
        assert.equal(primary.requests.filter((q) => q.path === "/api/chat").length, 2);
      } finally {
        await primary.close();
      }
    });
  });
});

test("OCLAW_DEAD_HOST_TTL bounds the memory (0: off); a broken file is an empty memory", { timeout: 60_000 }, async () => {
  const port = await closedPort();
  const primaryUrl = `http://127.0.0.1:${port}`;
  await withFakeOllama({}, async (fallback) => {
    await withTempDir("dead-hosts", async (dir) => {
      const file = await chainConfig(dir, primaryUrl, fallback.url);
      const state = path.join(dir, "state", "oclaw");
      const env = { HOME: dir, XDG_STATE_HOME: path.join(dir, "state") };
      const chat = (extra: Record<string, string>, ...args: string[]) =>
        spawnOclaw(["chat", "--config", file, "-v", ...args, "hi"], { env: { ...env, ...extra } });
      // Remembered 2 minutes ago: past the default 60 s, within a TTL of 300 s.
      await mkdir(state, { recursive: true });
      await writeFile(path.join(state, "hosts.json"), JSON.stringify({ hosts: { [primaryUrl]: { at: Date.now() - 120_000, code: "E_UNREACHABLE" } } }));
      assert.match((await chat({ OCLAW_DEAD_HOST_TTL: "300" })).stderr, /trying it last/);
      const expired = await chat({});
      assert.doesNotMatch(expired.stderr, /trying it last/);
      assert.match(expired.stderr, /connection refused/);
      // Just remembered again, but the memory is off.
      const off = await chat({ OCLAW_DEAD_HOST_TTL: "0" });
      assert.doesNotMatch(off.stderr, /trying it last/);
      assert.match(off.stderr, /connection refused/);
      await writeFile(path.join(state, "hosts.json"), "{not json");
      const broken = await chat({});
      assert.equal(broken.code, 0, broken.stderr);
      assert.deepEqual(Object.keys(await hostsOf(dir)), [primaryUrl]);
    });
  });
});

test("concurrent runs never leave a broken hosts.json", { timeout: 60_000 }, async () => {
  const port = await closedPort();
  await withFakeOllama({}, async (fallback) => {
    await withTempDir("dead-hosts", async (dir) => {
      const file = await chainConfig(dir, `http://127.0.0.1:${port}`, fallback.url);
      const env = { HOME: dir, XDG_STATE_HOME: path.join(dir, "state"), OCLAW_DEAD_HOST_TTL: "0.001" };
      // A TTL of 1 ms: every run finds nothing remembered, tries the refused host and writes the file.
      const runs = await Promise.all(Array.from({ length: 8 }, () => spawnOclaw(["chat", "--config", file, "hi"], { env })));
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const text = await readFile(path.join(dir, "state", "oclaw", "hosts.json"), "utf8");
      const parsed = JSON.parse(text) as { hosts: Record<string, unknown> };
      assert.equal(typeof parsed.hosts, "object");
    });
  });
});
