/**
 * `oclaw health` for cron, through the binary: `--ping` (healthchecks.io) and `--push` (Uptime Kuma) as a
 * loopback monitor receives them, a monitor that fails changing nothing but stderr, and `--changes-only`
 * staying silent while the state holds, with the exit code unchanged.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { spawnOclaw } from "./support/cli.ts";
import { fixtureModels } from "./support/fake-ollama.ts";
import { healthBin } from "./support/health.ts";
import { closedPort, serve } from "./support/loopback.ts";
import { writeConfig } from "./support/scenarios.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

interface Received {
  method: string;
  url: string;
  body: string;
  contentType: string | undefined;
}

/** How the monitor answers a request: an HTTP status, or `"drop"` to close the connection without a word. */
type Answer = number | "drop";

/**
 * A loopback monitor recording what it receives; request N gets `answers[N]` (the last one from then on),
 * or `answers` itself when it is one status.
 */
async function withMonitor<T>(answers: Answer | Answer[], body: (url: string, received: Received[]) => Promise<T>): Promise<T> {
  const received: Received[] = [];
  const list = Array.isArray(answers) ? answers : [answers];
  const monitor = await serve((req, res) => {
    let text = "";
    req.setEncoding("utf8").on("data", (d: string) => (text += d)).on("end", () => {
      const answer = list[Math.min(received.length, list.length - 1)]!;
      received.push({ method: req.method ?? "", url: req.url ?? "", body: text, contentType: req.headers["content-type"] });
      if (answer === "drop") return void req.socket.destroy();
      res.writeHead(answer, { "content-type": "text/plain" });
      res.end(answer === 200 ? "OK" : "error");
    });
  });
  try {
    return await body(monitor.url, received);
  } finally {
    await monitor.close();
  }
}

test("--ping: POST URL with the line on OK and WARNING, POST URL/fail on CRITICAL", { timeout: 60_000 }, async () => {
  await withFakeOllama({}, async ({ url }) => {
    await withMonitor(200, async (monitor, received) => {
      const ok = await healthBin(url, ["--ping", `${monitor}/ping/abc-123`]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stderr, "");
      const warn = await healthBin(url, ["--ping", `${monitor}/ping/abc-123/`], { model: { primary: "ollama/nope:1b", fallbacks: ["ollama/qwen3:8b"] } });
      assert.equal(warn.code, 1);
      const crit = await healthBin(url, ["--ping", `${monitor}/ping/abc-123/`, "-q"], { model: "ollama/nope:1b" });
      assert.equal(crit.code, 2);
      assert.deepEqual(received.map((r) => [r.method, r.url]), [
        ["POST", "/ping/abc-123"],
        ["POST", "/ping/abc-123/"],
        ["POST", "/ping/abc-123/fail"],
      ]);
      assert.equal(received[0]!.body, ok.stdout.trimEnd());
      assert.match(received[0]!.body, /^OK: ollama 0\.12\.3 at .*, ollama\/qwen3:8b ready \(\d+ ms\)$/);
      assert.match(received[0]!.contentType ?? "", /^text\/plain/);
      assert.match(received[2]!.body, /^CRITICAL: .*ollama\/nope:1b missing/);
    });
  });
});

test("--push: GET URL?status=up|down&msg=<line>&ping=<ms>, keeping the URL's own parameters", { timeout: 60_000 }, async () => {
  await withFakeOllama({}, async ({ url }) => {
    await withMonitor(200, async (monitor, received) => {
      const up = await healthBin(url, ["--push", `${monitor}/api/push/Tok3n?status=up&msg=OK&ping=`]);
      assert.equal(up.code, 0, up.stderr);
      const down = await healthBin(url, ["--push", `${monitor}/api/push/Tok3n`, "-q"], { model: "ollama/nope:1b" });
      assert.equal(down.code, 2);
      const [first, second] = received.map((r) => new URL(r.url, monitor));
      assert.equal(received[0]!.method, "GET");
      assert.equal(first!.pathname, "/api/push/Tok3n");
      assert.equal(first!.searchParams.get("status"), "up");
      assert.equal(first!.searchParams.get("msg"), up.stdout.trimEnd());
      assert.match(first!.searchParams.get("ping") ?? "", /^\d+$/);
      assert.equal(second!.searchParams.get("status"), "down");
      assert.match(second!.searchParams.get("msg") ?? "", /^CRITICAL: /);
    });
  });
});

test("a monitor that fails or cannot be reached is a warning on stderr; the exit code and stdout stay", { timeout: 60_000 }, async () => {
  await withFakeOllama({}, async ({ url }) => {
    await withMonitor(500, async (monitor) => {
      const r = await healthBin(url, ["--ping", `${monitor}/x`]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^OK: /);
      assert.equal(r.stderr, `oclaw: warning: ping to ${monitor}/x failed: HTTP 500 (3 tries)\n`);
    });
    const port = await closedPort();
    const r = await healthBin(url, ["--push", `http://127.0.0.1:${port}/api/push/t`]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /^oclaw: warning: push to http:\/\/127\.0\.0\.1:\d+\/api\/push\/t failed: Cannot reach the push monitor at .*connection refused \(3 tries\)\n$/);
    const bad = await healthBin(url, ["--ping", "ftp://x.invalid/"]);
    assert.equal(bad.code, 3);
    assert.match(bad.stdout, /^UNKNOWN: Invalid --ping 'ftp:\/\/x\.invalid\/': expected an http/);
  });
});

test("a monitor that fails once (503, a dropped connection) is tried again: the ping and the push arrive, stderr stays empty", { timeout: 60_000 }, async () => {
  await withFakeOllama({}, async ({ url }) => {
    await withMonitor([503, 200], async (monitor, received) => {
      const r = await healthBin(url, ["--ping", `${monitor}/ping/abc-123`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.deepEqual(received.map((q) => [q.method, q.url, q.body]), [
        ["POST", "/ping/abc-123", r.stdout.trimEnd()],
        ["POST", "/ping/abc-123", r.stdout.trimEnd()],
      ]);
    });
    await withMonitor(["drop", 200], async (monitor, received) => {
      const r = await healthBin(url, ["--push", `${monitor}/api/push/t`, "-v"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /push to http:\/\/127\.0\.0\.1:\d+\/api\/push\/t: .*closed the connection before answering; again in 500 ms/);
      assert.doesNotMatch(r.stderr, /warning/);
      assert.equal(received.length, 2);
      assert.equal(new URL(received[1]!.url, monitor).searchParams.get("status"), "up");
    });
  });
});

test("a monitor's 404 is not tried again (a wrong URL stays wrong): one request, one warning", { timeout: 60_000 }, async () => {
  await withFakeOllama({}, async ({ url }) => {
    await withMonitor([404, 200], async (monitor, received) => {
      const r = await healthBin(url, ["--ping", `${monitor}/ping/nope`]);
      assert.equal(r.code, 0);
      assert.equal(r.stderr, `oclaw: warning: ping to ${monitor}/ping/nope failed: HTTP 404\n`);
      assert.equal(received.length, 1);
    });
  });
});

test("--changes-only: silent while the state holds, the exit code unchanged; JSON always printed", { timeout: 60_000 }, async () => {
  await withFakeOllama({}, async (server) => {
    await withTempDir("changes", async (dir) => {
      const file = await writeConfig(dir, {
        models: { providers: { ollama: { baseUrl: server.url } } },
        agents: { defaults: { model: { primary: "ollama/qwen3:8b", fallbacks: ["ollama/llama3.2:3b"] } } },
      });
      const env = { HOME: dir, XDG_STATE_HOME: path.join(dir, "state") };
      const run = (...args: string[]) => spawnOclaw(["health", "--config", file, "--changes-only", ...args], { env });
      const first = await run();
      assert.equal(first.code, 0);
      assert.match(first.stdout, /^OK: /);
      const again = await run();
      assert.deepEqual(again, { code: 0, stdout: "", stderr: "" });
      // The state changes (the primary goes away): printed, with its hint; then silent again, exit 1 still.
      server.set({ models: fixtureModels().filter((m) => m.name !== "qwen3:8b") });
      const changed = await run();
      assert.equal(changed.code, 1);
      assert.match(changed.stdout, /^WARNING: .*primary ollama\/qwen3:8b missing/);
      assert.match(changed.stderr, /^hint: /);
      assert.deepEqual(await run(), { code: 1, stdout: "", stderr: "" });
      assert.deepEqual(await run("--format", "nagios"), { code: 1, stdout: "", stderr: "" });
      // JSON and Prometheus are documents a reader wants whole every time.
      assert.equal(JSON.parse((await run("--json")).stdout).status, "warning");
      // Other arguments are another check with a state of its own.
      assert.match((await run("-m", "ollama/llama3.2:3b")).stdout, /^OK: /);
      const files = await readdir(path.join(dir, "state", "oclaw", "health"));
      assert.equal(files.length, 2);
      for (const f of files) assert.match(f, /^[0-9a-f]{16}\.json$/);
      assert.equal((await stat(path.join(dir, "state", "oclaw", "health", files[0]!))).mode & 0o777, 0o600);
    });
  });
});
