/**
 * `oclaw health` as cron and monitoring see it: the Nagios exit code and the one line (or document) it
 * prints, for each situation; the Prometheus textfile and its atomic write.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import parsePrometheus from "parse-prometheus-text-format";
import { fixtureModels } from "./support/fake-ollama.ts";
import { runInProcess, spawnOclaw } from "./support/cli.ts";
import type { MemoryIoOptions } from "./support/memory-io.ts";
import { blackHole, closedPort, connectHangs } from "./support/loopback.ts";
import { failingLookup, mapLookup, startNginxLike, writeConfig } from "./support/scenarios.ts";
import { tempDir, withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

const SELECTION = { primary: "ollama/qwen3:8b", fallbacks: ["ollama/llama3.2:3b"] };

interface HealthRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs health in-process with a config pointing `ollama` at `baseUrl` (or `config` as given). */
async function health(
  baseUrl: string,
  args: string[] = [],
  options: { model?: unknown; provider?: Record<string, unknown>; io?: MemoryIoOptions; config?: unknown } = {},
): Promise<HealthRun> {
  return await withTempDir("scenario", async (dir) => {
    const file = await writeConfig(dir, options.config ?? {
      models: { providers: { ollama: { baseUrl, ...options.provider } } },
      ...(options.model === null ? {} : { agents: { defaults: { model: options.model ?? SELECTION } } }),
    });
    return await runInProcess(["health", "--config", file, ...args], { env: {}, homeDir: dir, ...options.io });
  });
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("all OK: exit 0 and one line in each format", async () => {
  await withFakeOllama({}, async ({ url }) => {
    const text = await health(url);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout, new RegExp(`^OK: ollama 0\\.12\\.3 at ${esc(url)}, ollama/qwen3:8b ready \\(\\d+ ms\\)\\n$`));
    assert.equal(text.stderr, "");

    const nagios = await health(url, ["--format", "nagios"]);
    assert.equal(nagios.code, 0);
    assert.match(
      nagios.stdout,
      new RegExp(`^OCLAW OK - ollama 0\\.12\\.3 at ${esc(url)}, ollama/qwen3:8b ready \\(\\d+ ms\\) \\| 'latency'=\\d+ms;500;2000;0 'models'=7;;;0\\n$`),
    );

    const json = await health(url, ["--json"]);
    assert.equal(json.code, 0);
    const report = JSON.parse(json.stdout) as { status: string; checks: Array<{ name: string; status: string; message: string; ms?: number }> };
    assert.equal(report.status, "ok");
    assert.deepEqual(report.checks.map((c) => [c.name, c.status]), [
      ["config", "ok"],
      ["reachable", "ok"],
      ["primary", "ok"],
      ["fallback#1", "ok"],
      ["latency", "ok"],
    ]);
    assert.equal(typeof report.checks.find((c) => c.name === "latency")!.ms, "number");
    for (const check of report.checks) assert.deepEqual(Object.keys(check), ["name", "status", "message", "ms"]);
  });
});

test("credentials in the base URL reach the server as Basic auth and appear in no output format", async () => {
  await withFakeOllama({}, async (server) => {
    const withCreds = server.url.replace("http://", "http://admin:hunter2@");
    for (const format of ["text", "nagios", "json", "prometheus"]) {
      const r = await health(withCreds, ["--format", format]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(!(r.stdout + r.stderr).includes("hunter2"), `${format}: ${r.stdout}`);
      assert.ok(r.stdout.includes(server.url), `${format} names the server without credentials`);
    }
    const sent = server.requests.find((q) => q.path === "/api/version");
    assert.equal(sent?.headers.authorization, `Basic ${btoa("admin:hunter2")}`);
  });
});

test("server down on loopback: CRITICAL (2), the 'ollama serve' hint on stderr", async () => {
  const port = await closedPort();
  const r = await health(`http://127.0.0.1:${port}`);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, `CRITICAL: Cannot reach Ollama at http://127.0.0.1:${port}: connection refused\n`);
  assert.match(r.stderr, /^hint: Nothing listens on port \d+ here\. Start Ollama: 'ollama serve'/);
  const nagios = await health(`http://127.0.0.1:${port}`, ["--format", "nagios", "-q"]);
  assert.equal(nagios.code, 2);
  // No measure could be taken, so no performance data.
  assert.equal(nagios.stdout, `OCLAW CRITICAL - Cannot reach Ollama at http://127.0.0.1:${port}: connection refused\n`);
  assert.equal(nagios.stderr, "");
});

test("a remote host refusing: CRITICAL with the OLLAMA_HOST=0.0.0.0 hint", async () => {
  const port = await closedPort();
  const r = await health(`http://gpu-box.example:${port}`, [], { io: { lookup: mapLookup({ "gpu-box.example": "127.0.0.1" }) } });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, `CRITICAL: Cannot reach Ollama at http://gpu-box.example:${port}: connection refused\n`);
  assert.match(r.stderr, /OLLAMA_HOST=0\.0\.0\.0/);
});

test("a black-holed port: CRITICAL within --timeout, in-process and as a process", { timeout: 30_000 }, async () => {
  const hole = await blackHole();
  try {
    assert.equal(await connectHangs(hole.port, 300), true, "the helper port must swallow connections");
    const url = `http://127.0.0.1:${hole.port}`;
    const r = await health(url, ["--timeout", "1"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, `CRITICAL: Cannot reach Ollama at ${url}: connection timed out after 0.8 s\n`);
    assert.match(r.stderr, /firewall/);
    // A real process must end by itself too (nothing left keeping it alive); spawnOclaw fails after 15 s.
    const dir = await tempDir("scenario");
    try {
      const file = await writeConfig(dir, { models: { providers: { ollama: { baseUrl: url } } } });
      const child = await spawnOclaw(["health", "--config", file, "--timeout", "1", "--format", "nagios"], {
        env: { HOME: dir },
        killAfterMs: 15_000,
      });
      assert.equal(child.code, 2, child.stderr);
      assert.equal(child.stdout, `OCLAW CRITICAL - Cannot reach Ollama at ${url}: connection timed out after 0.8 s\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    hole.stop();
  }
});

test("DNS failure: CRITICAL; a transient one points at systemd-resolved", async () => {
  const r = await health("http://ollama.internal:11434", [], { io: { lookup: failingLookup("EAI_AGAIN") } });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "CRITICAL: Cannot reach Ollama at http://ollama.internal:11434: DNS lookup of ollama.internal failed (EAI_AGAIN)\n");
  assert.match(r.stderr, /systemd-resolved/);
});

test("a different service on the port: CRITICAL, not Ollama", async () => {
  const nginx = await startNginxLike();
  try {
    const r = await health(nginx.url);
    assert.equal(r.code, 2);
    assert.match(r.stdout, new RegExp(`^CRITICAL: ${esc(nginx.url)} is not Ollama: GET /api/version answered 404: <html>`));
    assert.match(r.stderr, /Another program owns port/);
  } finally {
    await nginx.close();
  }
});

test("v0.6.0 server: no model is known to support tools, CRITICAL", async () => {
  await withFakeOllama({ version: "0.6.0" }, async ({ url }) => {
    const r = await health(url);
    assert.equal(r.code, 2);
    assert.match(
      r.stdout,
      new RegExp(`^CRITICAL: ollama 0\\.6\\.0 at ${esc(url)}, no candidate model usable: ollama/qwen3:8b not known to support tools \\(Ollama older than 0\\.6\\.4 reports no capabilities\\), ollama/llama3\\.2:3b not known`),
    );
    assert.match(r.stderr, /Upgrade Ollama to 0\.6\.4 or newer/);
  });
});

test("v0.7 server: healthy (streaming tool calls are doctor's concern)", async () => {
  await withFakeOllama({ version: "0.7.1" }, async ({ url }) => {
    const r = await health(url);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^OK: ollama 0\\.7\\.1 at ${esc(url)}, ollama/qwen3:8b ready`));
  });
});

test("no model configured: WARNING naming one to set (chat would fail); CRITICAL when none can call tools", async () => {
  const models = fixtureModels().filter((m) => m.name === "gemma:2b" || m.name === "nomic-embed-text:latest");
  await withFakeOllama({ models }, async ({ url }) => {
    const r = await health(url, [], { model: null });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, `CRITICAL: ollama 0.12.3 at ${url}, none of 2 installed model(s) supports tools\n`);
    assert.match(r.stderr, /ollama pull qwen3:8b/);
  });
  await withFakeOllama({}, async ({ url }) => {
    const r = await health(url, [], { model: null });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `WARNING: ollama 0.12.3 at ${url}, no model configured\n`);
    assert.equal(r.stderr, "hint: Set the primary model agents use: oclaw config set agents.defaults.model.primary ollama/gpt-oss:20b\n");
    const json = JSON.parse((await health(url, ["--json"], { model: null })).stdout) as { status: string; candidates: unknown[] };
    assert.equal(json.status, "warning");
    assert.deepEqual(json.candidates, []);
    // --model names one: no warning about the selection.
    const named = await health(url, ["-m", "ollama/qwen3:8b"], { model: null });
    assert.equal(named.code, 0, named.stdout);
  });
});

test("primary missing but a fallback ready: WARNING (1) naming both", async () => {
  await withFakeOllama({}, async ({ url }) => {
    const r = await health(url, ["--format", "nagios"], { model: { primary: "ollama/llama3.3:70b", fallbacks: ["ollama/qwen3:8b"] } });
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      new RegExp(`^OCLAW WARNING - ollama 0\\.12\\.3 at ${esc(url)}, primary ollama/llama3\\.3:70b missing, fallback #1 ollama/qwen3:8b ready \\(\\d+ ms\\) \\| 'latency'=`),
    );
    assert.equal(r.stderr, "hint: Pull it on the Ollama host: ollama pull llama3.3:70b\n");
  });
});

test("nothing usable among the candidates: CRITICAL; --model replaces the selection", async () => {
  await withFakeOllama({}, async ({ url }) => {
    const none = await health(url, ["--model", "ollama/nope:1b", "-m", "gemma:2b"]);
    assert.equal(none.code, 2);
    assert.equal(none.stdout, `CRITICAL: ollama 0.12.3 at ${url}, no candidate model usable: ollama/nope:1b missing, ollama/gemma:2b has no tool support\n`);
    const second = await health(url, ["--model", "ollama/nope:1b", "--model", "ollama/llama3.2:3b"]);
    assert.equal(second.code, 1);
    assert.match(second.stdout, /^WARNING: .*, model #1 ollama\/nope:1b missing, model #2 ollama\/llama3\.2:3b ready \(\d+ ms\)\n$/);
  });
});

test("a model loaded 100% on the CPU: WARNING with the fix", async () => {
  await withFakeOllama({ ps: [{ name: "qwen3:8b", size_vram: 0 }] }, async ({ url }) => {
    const r = await health(url);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`^WARNING: ollama 0\\.12\\.3 at ${esc(url)}, ollama/qwen3:8b ready but loaded 100% CPU \\(\\d+ ms\\)\\n$`));
    assert.match(r.stderr, /smaller model that fits in GPU memory, give Ollama a GPU, or set the primary explicitly/);
  });
});

test("--probe: latency is the first token; over --warn is WARNING, over --crit CRITICAL", async () => {
  // The fake holds the chat's status line back 300 ms, like a model still loading.
  await withFakeOllama({ headerDelayMs: 300 }, async ({ url }) => {
    const ok = await health(url, ["--probe", "--warn", "5000", "--crit", "10000"]);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /^OK: .*, ollama\/qwen3:8b ready \(first token \d+ ms\)\n$/);
    const warn = await health(url, ["--probe", "--warn", "100", "--crit", "10000", "--format", "nagios"]);
    assert.equal(warn.code, 1);
    assert.match(warn.stdout, /^OCLAW WARNING - .*ready \(first token \d+ ms, over 100 ms\) \| 'latency'=\d+ms;100;10000;0 /);
    const crit = await health(url, ["--probe", "--warn", "50", "--crit", "100"]);
    assert.equal(crit.code, 2);
    assert.match(crit.stdout, /^CRITICAL: .*ready \(first token \d+ ms, over 100 ms\)\n$/);
  });
});

test("a probe that fails is CRITICAL", async () => {
  await withFakeOllama({ replies: { "qwen3:8b": { error: { status: 500, message: "model requires more system memory (9.1 GiB) than is available (3.2 GiB)" } } } }, async ({ url }) => {
    const r = await health(url, ["--probe"]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^CRITICAL: .*, ollama\/qwen3:8b ready, probe failed: .*model requires more system memory/);
  });
});

test("bad config or bad flags: UNKNOWN (3), in the format asked for", async () => {
  const dir = await tempDir("scenario");
  try {
    const file = await writeConfig(dir, `{ models: { providers: { ollama: { baseURL: "http://x" } } } }`);
    const bad = await runInProcess(["health", "--config", file, "--format", "nagios"], { env: {}, homeDir: dir });
    assert.equal(bad.code, 3);
    assert.match(bad.stdout, /^OCLAW UNKNOWN - Invalid config .*baseURL/);
    assert.match(bad.stderr, /^hint: .*baseUrl/);
    const missing = await runInProcess(["health", "--config", path.join(dir, "nope.json")], { env: {}, homeDir: dir });
    assert.equal(missing.code, 3);
    assert.match(missing.stdout, /^UNKNOWN: Config file .*nope\.json does not exist/);
    const good = await writeConfig(dir, { models: { providers: { ollama: { baseUrl: "http://127.0.0.1:9" } } } });
    for (const args of [["--warn", "abc"], ["--timeout", "0"], ["--format", "xml"], ["--warn", "900", "--crit", "100"], ["--model", "ollama/"], ["extra"]]) {
      const r = await runInProcess(["health", "--config", good, ...args], { env: {}, homeDir: dir });
      assert.equal(r.code, 3, args.join(" "));
      assert.match(r.stdout, /^UNKNOWN: /, args.join(" "));
    }
    const json = await runInProcess(["health", "--config", good, "--json", "--crit=-5"], { env: {}, homeDir: dir });
    assert.equal(json.code, 3);
    assert.equal(JSON.parse(json.stdout).status, "unknown");
    // Flags the parser itself rejects are UNKNOWN too (not the usual usage exit 2), still with the status
    // line monitoring reads on stdout, in the format asked for.
    for (const args of [["--bogus"], ["--crit", "-5"], ["--model"]]) {
      const r = await runInProcess(["health", "--config", good, ...args], { env: {}, homeDir: dir });
      assert.equal(r.code, 3, args.join(" "));
      assert.match(r.stdout, /^UNKNOWN: \S.*\n$/, args.join(" "));
      assert.match(r.stderr, /^hint: Run 'oclaw health --help'/, args.join(" "));
    }
    const nagios = await runInProcess(["health", "--config", good, "--format", "nagios", "--bogus"], { env: {}, homeDir: dir });
    assert.equal(nagios.code, 3);
    assert.equal(nagios.stdout, "OCLAW UNKNOWN - Unknown option '--bogus'\n");
    const none = await runInProcess(["health", "--config", await writeConfig(dir, {})], { env: {}, homeDir: dir });
    assert.equal(none.code, 3);
    assert.match(none.stdout, /^UNKNOWN: Provider 'ollama' is not configured\n$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ value: string; labels?: Record<string, string> }>;
}

test("--format prometheus is valid text exposition with HELP and TYPE for every metric", async () => {
  await withFakeOllama({}, async ({ url }) => {
    const r = await health(url, ["--format", "prometheus"], { model: { primary: "ollama/qwen3:8b", fallbacks: ["ollama/nope:1b"] } });
    assert.equal(r.code, 1);
    const families = parsePrometheus(r.stdout) as Family[];
    const byName = new Map(families.map((f) => [f.name, f]));
    // Nothing is loaded: no GPU share, allocated context or expiry to report, and nothing configured.
    assert.deepEqual([...byName.keys()], [
      "oclaw_up",
      "oclaw_ollama_info",
      "oclaw_model_available",
      "oclaw_candidate_active",
      "oclaw_model_loaded",
      "oclaw_probe_seconds",
      "oclaw_health_status",
      "oclaw_check_timestamp_seconds",
    ]);
    for (const f of families) {
      assert.equal(f.type, "GAUGE", f.name);
      assert.notEqual(f.help, "", f.name);
      for (const m of f.metrics) assert.ok(Number.isFinite(Number(m.value)), `${f.name} ${m.value}`);
    }
    assert.deepEqual(byName.get("oclaw_up")!.metrics, [{ value: "1", labels: { provider: "ollama", url } }]);
    assert.deepEqual(byName.get("oclaw_model_available")!.metrics, [
      { value: "1", labels: { model: "ollama/qwen3:8b", role: "primary" } },
      { value: "0", labels: { model: "ollama/nope:1b", role: "fallback#1" } },
    ]);
    assert.equal(byName.get("oclaw_probe_seconds")!.metrics[0]!.labels!.kind, "api");
    assert.equal(byName.get("oclaw_health_status")!.metrics[0]!.value, "1");
    const stamp = Number(byName.get("oclaw_check_timestamp_seconds")!.metrics[0]!.value);
    assert.ok(Math.abs(stamp - Date.now() / 1000) < 600, String(stamp));
    // Every sample line sits under its own HELP and TYPE lines.
    const lines = r.stdout.trimEnd().split("\n");
    for (const [i, l] of lines.entries()) {
      if (l.startsWith("#")) continue;
      const name = l.split(/[{ ]/)[0]!;
      const helpAt = lines.indexOf(`# TYPE ${name} gauge`);
      assert.ok(helpAt !== -1 && helpAt < i && lines[helpAt - 1]!.startsWith(`# HELP ${name} `), l);
    }
  });
  const port = await closedPort();
  const down = await health(`http://127.0.0.1:${port}`, ["--format", "prometheus"]);
  assert.equal(down.code, 2);
  const families = parsePrometheus(down.stdout) as Family[];
  assert.equal(families.find((f) => f.name === "oclaw_up")!.metrics[0]!.value, "0");
  assert.equal(families.find((f) => f.name === "oclaw_health_status")!.metrics[0]!.value, "2");
});

test("--output writes the file atomically: complete content, no temp file left, replaced by rename", async () => {
  await withFakeOllama({}, async ({ url }) => {
    const dir = await tempDir("scenario");
    try {
      const target = path.join(dir, "oclaw.prom");
      const first = await health(url, ["--format", "prometheus", "--output", target]);
      assert.equal(first.code, 0);
      assert.equal(first.stdout, "");
      const text = await readFile(target, "utf8");
      assert.match(text, /^# HELP oclaw_up /);
      assert.match(text, /\noclaw_check_timestamp_seconds \d+(\.\d+)?\n$/);
      assert.deepEqual(await readdir(dir), ["oclaw.prom"]);
      assert.equal((await stat(target)).mode & 0o777, 0o644);
      const inode = (await stat(target)).ino;

      const second = await health(url, ["--format", "prometheus", "--output", target], { model: "ollama/nope:1b" });
      assert.equal(second.code, 2);
      assert.equal(second.stdout, "");
      assert.match(await readFile(target, "utf8"), /\noclaw_health_status 2\n/);
      assert.notEqual((await stat(target)).ino, inode, "a rename, not a write in place");
      assert.deepEqual(await readdir(dir), ["oclaw.prom"]);

      const nowhere = await health(url, ["--output", path.join(dir, "missing-dir", "x.prom")]);
      assert.equal(nowhere.code, 3);
      assert.match(nowhere.stderr, /^oclaw: Cannot write .*missing-dir\/x\.prom: the directory does not exist\n/);
      assert.deepEqual(await readdir(dir), ["oclaw.prom"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test("primary's server down, a fallback ready on another provider: WARNING with the down server's fix", async () => {
  const port = await closedPort();
  await withFakeOllama({}, async ({ url }) => {
    const config = {
      models: {
        providers: {
          ollama: { baseUrl: `http://127.0.0.1:${port}` },
          vllm: { baseUrl: `${url}/v1`, api: "openai-completions", models: [{ id: "llama3.2:3b" }] },
        },
      },
      agents: { defaults: { model: { primary: "ollama/qwen3:8b", fallbacks: ["vllm/llama3.2:3b"] } } },
    };
    const r = await health("", ["--format", "nagios"], { config });
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      new RegExp(`^OCLAW WARNING - vllm at ${esc(url)}/v1, primary ollama/qwen3:8b unreachable, fallback #1 vllm/llama3\\.2:3b ready \\(\\d+ ms\\) \\| 'latency'=\\d+ms;500;2000;0 'models'=7;;;0\\n$`),
    );
    assert.match(r.stderr, /ollama serve/);
    const json = await health("", ["--json"], { config });
    const checks = (JSON.parse(json.stdout) as { checks: Array<{ name: string; status: string; message: string }> }).checks;
    assert.deepEqual(checks.filter((c) => c.name === "reachable").map((c) => c.status), ["warning", "ok"]);
  });
});

test("--probe sends what chat would: an explicit contextWindow as num_ctx (no reload), a defaulted one not", async () => {
  await withFakeOllama({}, async (server) => {
    const models = [{ id: "qwen3:8b", contextWindow: 32768 }, { id: "llama3.2:3b" }];
    for (const [ref, numCtx] of [["ollama/qwen3:8b", 32768], ["ollama/llama3.2:3b", undefined]] as const) {
      const r = await health(server.url, ["--probe"], { model: ref, provider: { models } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const chat = server.requests.filter((q) => q.path === "/api/chat").at(-1);
      const options = (chat?.body as { options?: Record<string, unknown> }).options ?? {};
      assert.equal(options.num_ctx, numCtx, ref);
      assert.equal(options.num_predict, 16);
    }
  });
});
