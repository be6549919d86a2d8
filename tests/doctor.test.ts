/**
 * `oclaw doctor` against the situations a VPS user meets: each scenario asserts the exit code and the lines
 * the user reads (status, message, fix). Servers are the in-repo fake Ollama or small loopback stand-ins.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { startFakeOllama } from "./support/fake-ollama.ts";
import { runInProcess } from "./support/cli.ts";
import type { MemoryIoOptions } from "./support/memory-io.ts";
import { closedPort, serve } from "./support/loopback.ts";
import { failingLookup, hostKeepingFetch, mapLookup, startNginxLike, writeConfig } from "./support/scenarios.ts";
import { tempDir, withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

interface DoctorRun {
  code: number;
  stdout: string;
  stderr: string;
}

const SELECTION = { primary: "ollama/qwen3:8b", fallbacks: ["ollama/llama3.2:3b"] };

/** Runs doctor with a config holding `ollama` (merged with `provider`) and the usual selection. */
async function doctor(
  baseUrl: string,
  options: {
    provider?: Record<string, unknown>;
    model?: unknown;
    mode?: number;
    args?: string[];
    io?: MemoryIoOptions;
  } = {},
): Promise<DoctorRun & { file: string }> {
  return await withTempDir("scenario", async (dir) => {
    const file = await writeConfig(dir, {
      models: { providers: { ollama: { baseUrl, ...options.provider } } },
      agents: { defaults: { model: options.model ?? SELECTION } },
    }, options.mode);
    const result = await runInProcess(["doctor", "--config", file, ...(options.args ?? [])], {
      env: {},
      homeDir: dir,
      ...options.io,
    });
    return { ...result, file };
  });
}

/** The line of a check, e.g. `line(out, "fail", "reachable (ollama)")`, with its fix line when there is one. */
function line(stdout: string, status: string, label: string): { message: string; fix: string | undefined } {
  const lines = stdout.split("\n");
  const index = lines.findIndex((l) => l.startsWith(status.padEnd(4) + "  " + label + " "));
  assert.notEqual(index, -1, `no '${status} ${label}' line in:\n${stdout}`);
  const message = lines[index]!.slice(6 + label.length).trim();
  const next = lines[index + 1]?.trim();
  return { message, fix: next?.startsWith("fix: ") ? next.slice(5) : undefined };
}

test("all OK: every check ok, exit 0, no colour off a TTY", async () => {
  await withFakeOllama({}, async ({ url }) => {
    const r = await doctor(url);
    assert.equal(r.code, 0, r.stdout);
    assert.doesNotMatch(r.stdout, /^(warn|fail) /m);
    assert.ok(!r.stdout.includes("\x1b["), "no escape sequences off a TTY");
    assert.match(line(r.stdout, "ok", "config").message, /^Config .*openclaw\.json \(--config\) is valid$/);
    assert.match(line(r.stdout, "ok", "reachable (ollama)").message, new RegExp(`^Ollama 0\\.12\\.3 answers at ${url} \\(baseUrl in the config\\)$`));
    assert.equal(line(r.stdout, "ok", "version (ollama)").message, "Ollama 0.12.3");
    assert.match(line(r.stdout, "ok", "models (ollama)").message, /^5 tool-capable model\(s\): .*qwen3:8b.*; skipped .*gemma:2b.*: the model does not report tool support$/);
    assert.equal(line(r.stdout, "ok", "primary (ollama)").message, "Primary ollama/qwen3:8b is installed and supports tools");
    assert.equal(line(r.stdout, "ok", "fallback#1 (ollama)").message, "Fallback #1 ollama/llama3.2:3b is installed and supports tools");
    assert.match(r.stdout, /\n\d+ checks ok, 0 warnings, 0 failures\n$/);
  });
});

test("--json lists every check with name, status, message and fix", async () => {
  await withFakeOllama({ ps: [{ name: "qwen3:8b", size_vram: 0 }] }, async ({ url }) => {
    const r = await doctor(url, { args: ["--json"] });
    assert.equal(r.code, 0);
    const report = JSON.parse(r.stdout) as { status: string; checks: Array<Record<string, unknown>> };
    assert.equal(report.status, "warn");
    for (const c of report.checks) assert.deepEqual(Object.keys(c).slice(0, 4), ["name", "status", "message", "fix"]);
    const cpu = report.checks.find((c) => c.name === "cpu")!;
    assert.equal(cpu.status, "warn");
    assert.equal(cpu.provider, "ollama");
    assert.match(String(cpu.fix), /smaller|GPU/);
    assert.equal(report.checks.find((c) => c.name === "config")!.fix, null);
  });
});

test("server down on loopback: fail with 'ollama serve', exit 1", async () => {
  const port = await closedPort();
  const r = await doctor(`http://127.0.0.1:${port}`);
  assert.equal(r.code, 1);
  const check = line(r.stdout, "fail", "reachable (ollama)");
  assert.equal(check.message, `Cannot reach Ollama at http://127.0.0.1:${port}: connection refused`);
  assert.match(check.fix!, /Start Ollama: 'ollama serve', or 'sudo systemctl start ollama'/);
  // The model checks cannot run against a server that is not there, and say so.
  assert.match(line(r.stdout, "warn", "primary (ollama)").message, /not checked, provider ollama did not answer/);
});

test("a remote host refusing: expose Ollama with OLLAMA_HOST=0.0.0.0 there and firewall it", async () => {
  const port = await closedPort();
  // gpu-box.example stands for another machine; the resolver maps it to a closed loopback port in-process.
  const r = await doctor(`http://gpu-box.example:${port}`, { io: { lookup: mapLookup({ "gpu-box.example": "127.0.0.1" }) } });
  assert.equal(r.code, 1);
  const check = line(r.stdout, "fail", "reachable (ollama)");
  assert.equal(check.message, `Cannot reach Ollama at http://gpu-box.example:${port}: connection refused`);
  assert.match(check.fix!, /^gpu-box\.example refused port \d+\. Ollama listens on 127\.0\.0\.1 only/);
  assert.match(check.fix!, /Environment="OLLAMA_HOST=0\.0\.0\.0"/);
  assert.match(check.fix!, /firewall/);
  assert.doesNotMatch(check.fix!, /ollama serve/);
});

test("a transient DNS failure: the systemd-resolved fix; a name that does not exist: check the spelling", async () => {
  const again = await doctor("http://ollama.internal:11434", { io: { lookup: failingLookup("EAI_AGAIN") } });
  assert.equal(again.code, 1);
  const transient = line(again.stdout, "fail", "reachable (ollama)");
  // Retried twice (0.5 s, 1 s) before doctor calls it a failure.
  assert.equal(transient.message, "Cannot reach Ollama at http://ollama.internal:11434: DNS lookup of ollama.internal failed (EAI_AGAIN) (3 tries)");
  assert.match(transient.fix!, /systemd-resolved/);
  assert.match(transient.fix!, /DNSOverTLS=no/);
  assert.match(transient.fix!, /sudo systemctl restart systemd-resolved/);

  const missing = await doctor("http://ollama.internl:11434", { io: { lookup: failingLookup("ENOTFOUND") } });
  assert.equal(missing.code, 1);
  const notFound = line(missing.stdout, "fail", "reachable (ollama)");
  assert.match(notFound.message, /DNS lookup of ollama\.internl failed \(ENOTFOUND\)$/);
  assert.match(notFound.fix!, /^The name ollama\.internl does not resolve: check the spelling in baseUrl in the config/);
});

test("a resolver that failed once and then answered: reachable, plus a warning with the resolver fix", async () => {
  await withFakeOllama({}, async ({ url }) => {
    const port = new URL(url).port;
    let lookups = 0;
    const flaky = (host: string) => {
      lookups++;
      return lookups === 1
        ? Promise.reject(Object.assign(new Error(`getaddrinfo EAI_AGAIN ${host}`), { code: "EAI_AGAIN" }))
        : Promise.resolve(["127.0.0.1"]);
    };
    const r = await doctor(`http://ollama.lan:${port}`, { io: { lookup: flaky, fetch: hostKeepingFetch("ollama.lan") } });
    assert.equal(r.code, 0, r.stdout);
    assert.match(line(r.stdout, "ok", "reachable (ollama)").message, /^Ollama 0\.12\.3 answers at http:\/\/ollama\.lan:\d+/);
    const dns = line(r.stdout, "warn", "dns (ollama)");
    assert.equal(dns.message, "Looking up ollama.lan failed for a moment (EAI_AGAIN) and worked on try 2");
    assert.match(dns.fix!, /DNSOverTLS=no/);
  });
});

test("Ollama's 403 Host check: say how to send a local Host header", async () => {
  await withFakeOllama({ hostCheck: true }, async ({ url }) => {
    const port = new URL(url).port;
    const r = await doctor(`http://ollama.lan:${port}`, {
      io: { lookup: mapLookup({ "ollama.lan": "127.0.0.1" }), fetch: hostKeepingFetch("ollama.lan") },
    });
    assert.equal(r.code, 1);
    const check = line(r.stdout, "fail", "reachable (ollama)");
    assert.equal(check.message, `Ollama at http://ollama.lan:${port} refused the request with 403 Forbidden`);
    assert.match(check.fix!, /Host header/);
    assert.match(check.fix!, /proxy_set_header Host 127\.0\.0\.1:11434/);
  });
});

test("a different service on the port (an nginx 404 page) is not Ollama", async () => {
  const nginx = await startNginxLike();
  try {
    const r = await doctor(nginx.url);
    assert.equal(r.code, 1);
    const check = line(r.stdout, "fail", "reachable (ollama)");
    assert.match(check.message, new RegExp(`^${nginx.url} is not Ollama: GET /api/version answered 404: <html>`));
    assert.match(check.fix!, /Another program owns port \d+/);
    assert.match(check.fix!, /sudo ss -tlnp \| grep :\d+/);
  } finally {
    await nginx.close();
  }
});

test("a server answering 200 without a version, and one failing with 500, are told apart", async () => {
  const page = await serve((_req, res) => res.end("<h1>It works!</h1>"));
  const broken = await serve((_req, res) => {
    res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
    res.end(`{"error":"something went wrong"}`);
  });
  try {
    const a = await doctor(page.url);
    assert.match(line(a.stdout, "fail", "reachable (ollama)").message, /is not Ollama: GET \/api\/version answered 200 with "<h1>It works!<\/h1>", not JSON$/);
    const b = await doctor(broken.url);
    const check = line(b.stdout, "fail", "reachable (ollama)");
    assert.equal(check.message, `Ollama at ${broken.url} answered 500: something went wrong`);
    assert.match(check.fix!, /journalctl -u ollama/);
  } finally {
    await page.close();
    await broken.close();
  }
});

test("v0.6.0 server: no capabilities, so discovery keeps no model; doctor says why, exit 1", async () => {
  await withFakeOllama({ version: "0.6.0" }, async ({ url }) => {
    const r = await doctor(url);
    assert.equal(r.code, 1);
    const version = line(r.stdout, "fail", "version (ollama)");
    assert.match(version.message, /^Ollama 0\.6\.0 is older than 0\.6\.4: it does not report model capabilities/);
    assert.match(version.fix!, /Upgrade Ollama/);
    assert.match(version.fix!, /models\.providers\.ollama\.models/);
    const models = line(r.stdout, "fail", "models (ollama)");
    assert.match(models.message, /^No tool-capable model on Ollama at .*: the server reports no capabilities \(Ollama older than 0\.6\.4\)/);
    assert.match(line(r.stdout, "warn", "primary (ollama)").message, /does not report tool support/);
  });
});

test("a source build reports 0.0.0: a dev build, taken as the newest, never 'older than 0.6.4'", async () => {
  await withFakeOllama({ version: "0.0.0" }, async ({ url }) => {
    const r = await doctor(url);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(line(r.stdout, "ok", "version (ollama)").message, "Ollama 0.0.0 (a build from source: taken as the newest)");
    assert.doesNotMatch(r.stdout, /older than/);
  });
});

test("v0.7 server: tool calls do not stream; upgrade or params.streaming false, still exit 0", async () => {
  await withFakeOllama({ version: "0.7.1" }, async ({ url }) => {
    const r = await doctor(url);
    assert.equal(r.code, 0, r.stdout);
    const version = line(r.stdout, "warn", "version (ollama)");
    assert.match(version.message, /^Ollama 0\.7\.1 is older than 0\.8\.0: with tools, replies do not stream/);
    assert.match(version.fix!, /Upgrade Ollama/);
    assert.match(version.fix!, /params: \{ streaming: false \}/);
  });
});

test("no tool-capable model installed: which were skipped and what to pull", async () => {
  const noTools = ["gemma:2b", "nomic-embed-text:latest"];
  const server = await startFakeOllama();
  server.set({ models: (await import("./support/fake-ollama.ts")).fixtureModels().filter((m) => noTools.includes(m.name)) });
  try {
    const r = await doctor(server.url, { model: "ollama/gemma:2b" });
    assert.equal(r.code, 1);
    const models = line(r.stdout, "fail", "models (ollama)");
    assert.match(models.message, /^No tool-capable model on Ollama at .*; skipped (nomic-embed-text:latest, gemma:2b|gemma:2b, nomic-embed-text:latest): the model does not report tool support$/);
    assert.match(models.fix!, /ollama pull qwen3:8b/);
    assert.match(line(r.stdout, "warn", "primary (ollama)").message, /^Primary ollama\/gemma:2b does not report tool support/);
  } finally {
    await server.close();
  }
});

test("no primary set: the fix names an installed model, or none when the server did not answer", async () => {
  await withFakeOllama({}, async ({ url }) => {
    const r = await doctor(url, { model: {} });
    const primary = line(r.stdout, "warn", "primary");
    assert.equal(primary.message, "No primary model is set (agents.defaults.model.primary)");
    assert.match(primary.fix!, /^Set the model agents should use: oclaw config set agents\.defaults\.model\.primary ollama\/\S+$/);
  });
  const down = await doctor(`http://127.0.0.1:${await closedPort()}`, { model: {} });
  const fix = line(down.stdout, "warn", "primary").fix!;
  assert.match(fix, /primary <provider>\/<model> \('oclaw models list' shows the models once the server answers\)$/);
  assert.doesNotMatch(fix, /qwen3/);
});

test("primary missing but a fallback installed: the primary fails with the pull command", async () => {
  await withFakeOllama({}, async ({ url }) => {
    const r = await doctor(url, { model: { primary: "ollama/llama3.3:70b", fallbacks: ["ollama/qwen3:8b"] } });
    assert.equal(r.code, 1);
    const primary = line(r.stdout, "fail", "primary (ollama)");
    assert.match(primary.message, /^Primary ollama\/llama3\.3:70b does not exist on ollama/);
    assert.match(primary.fix!, /ollama pull llama3\.3:70b/);
    assert.equal(line(r.stdout, "ok", "fallback#1 (ollama)").message, "Fallback #1 ollama/qwen3:8b is installed and supports tools");
  });
});

test("a model loaded 100% on the CPU: warn with the smaller-model / GPU / explicit-primary fix", async () => {
  await withFakeOllama({ ps: [{ name: "gpt-oss:20b", size_vram: 0 }] }, async ({ url }) => {
    const r = await doctor(url);
    assert.equal(r.code, 0);
    const cpu = line(r.stdout, "warn", "cpu (ollama)");
    assert.equal(cpu.message, "Loaded on the CPU: ollama/gpt-oss:20b 100% CPU");
    assert.match(cpu.fix!, /60–730 s/);
    assert.match(cpu.fix!, /ollama pull llama3\.2:3b/);
    assert.match(cpu.fix!, /GPU/);
    // gpt-oss is not the configured primary: the seed's "wrong or slow model" case.
    assert.match(cpu.fix!, /not your configured primary \(ollama\/qwen3:8b\).*oclaw config set agents\.defaults\.model\.primary/);
  });
});

test("the primary itself on the CPU: no claim that the loaded model is not the primary (issue 15 §7)", async () => {
  await withFakeOllama({ ps: [{ name: "qwen3:8b", size_vram: 0 }] }, async ({ url }) => {
    const cpu = line((await doctor(url)).stdout, "warn", "cpu (ollama)");
    assert.doesNotMatch(cpu.fix!, /not your configured primary/);
    assert.match(cpu.fix!, /make the smaller model the primary/);
  });
  // The primary on the GPU and another model on the CPU: the fix names the other one.
  await withFakeOllama({ ps: [{ name: "qwen3:8b" }, { name: "gpt-oss:20b", size_vram: 0 }] }, async ({ url }) => {
    const cpu = line((await doctor(url)).stdout, "warn", "cpu (ollama)");
    assert.doesNotMatch(cpu.fix!, /not your configured primary/);
    assert.match(cpu.fix!, /Your primary \(ollama\/qwen3:8b\) is on the GPU; gpt-oss:20b is another model: 'ollama stop gpt-oss:20b'/);
  });
});

test("a model split between CPU and GPU is reported with both shares", async () => {
  const size = 5225388164;
  await withFakeOllama({ ps: [{ name: "qwen3:8b", size_vram: Math.round(size * 0.52) }] }, async ({ url }) => {
    const r = await doctor(url);
    assert.equal(line(r.stdout, "warn", "cpu (ollama)").message, "Loaded on the CPU: ollama/qwen3:8b 48%/52% CPU/GPU");
  });
});

test("allocated context 4096 below a configured contextWindow of 32768: warn, prompts get cut", async () => {
  await withFakeOllama({ ps: [{ name: "qwen3:8b", context_length: 4096 }] }, async ({ url }) => {
    const r = await doctor(url, {
      provider: { models: [{ id: "qwen3:8b", contextWindow: 32768 }] },
      model: "ollama/qwen3:8b",
    });
    assert.equal(r.code, 0, r.stdout);
    const context = line(r.stdout, "warn", "context (ollama)");
    assert.equal(
      context.message,
      "ollama/qwen3:8b has 4096 tokens of context allocated, contextWindow says 32768: longer prompts are cut without an error",
    );
    assert.match(context.fix!, /OLLAMA_CONTEXT_LENGTH=32768/);
    assert.match(context.fix!, /lower its contextWindow to 4096/);
    assert.match(line(r.stdout, "ok", "models (ollama)").message, /^1 configured model\(s\), all installed: qwen3:8b$/);
  });
});

test("a config holding a key readable by others fails with chmod 600; a ${VAR} reference is no key", async () => {
  await withFakeOllama({}, async ({ url }) => {
    const open = await doctor(url, { provider: { apiKey: "sk-local-123456" }, mode: 0o644 });
    assert.equal(open.code, 1);
    const check = line(open.stdout, "fail", "config-permissions");
    assert.equal(check.message, `${open.file} holds a key and every user on this machine can read it (mode 644)`);
    assert.equal(check.fix, `chmod 600 ${open.file}`);
    assert.doesNotMatch(open.stdout + open.stderr, /sk-local-123456/);

    const group = await doctor(url, { provider: { apiKey: "sk-local-123456" }, mode: 0o640 });
    assert.equal(group.code, 0);
    assert.equal(line(group.stdout, "warn", "config-permissions").fix, `chmod 600 ${group.file}`);

    const reference = await doctor(url, { provider: { apiKey: "${OLLAMA_KEY}" }, mode: 0o644, io: { env: { OLLAMA_KEY: "x" } } });
    assert.match(line(reference.stdout, "ok", "config-permissions").message, /holds no key \(mode 644\)$/);
  });
});

test("an invalid config is one failed check with the config's own hint, exit 1", async () => {
  const dir = await tempDir("scenario");
  try {
    const file = await writeConfig(dir, `{ models: { providers: { ollama: { baseURL: "http://x" } } } }`);
    const r = await runInProcess(["doctor", "--config", file], { env: {}, homeDir: dir });
    assert.equal(r.code, 1);
    const check = line(r.stdout, "fail", "config");
    assert.match(check.message, /baseURL/);
    assert.match(check.fix!, /baseUrl/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("no provider enabled: say how to enable Ollama", async () => {
  const dir = await tempDir("scenario");
  try {
    const r = await runInProcess(["doctor", "--config", await writeConfig(dir, {})], { env: {}, homeDir: dir });
    assert.equal(r.code, 1);
    const check = line(r.stdout, "fail", "provider");
    assert.match(check.message, /^No provider is enabled: .*OLLAMA_API_KEY is not set/);
    assert.match(check.fix!, /export OLLAMA_API_KEY=ollama-local/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("--probe sends a tiny chat to the primary and reports first token and tokens/s", async () => {
  await withFakeOllama({ replies: { "qwen3:8b": { content: "OK", metrics: { eval_count: 20, eval_duration: 200_000_000 } } } }, async (server) => {
    const r = await doctor(server.url, { args: ["--probe"] });
    assert.equal(r.code, 0, r.stdout);
    assert.match(line(r.stdout, "ok", "probe (ollama)").message, /^Probe of ollama\/qwen3:8b: first token after \d+ ms, 100\.0 tokens\/s, model load 41 ms$/);
    const chat = server.requests.find((q) => q.path === "/api/chat");
    assert.ok(chat, "the probe sent a chat");
    const body = chat.body as { model: string; options: { num_predict: number } };
    assert.equal(body.model, "qwen3:8b");
    assert.equal(body.options.num_predict, 16);
  });
});

test("a black-holed port: connection timed out, the firewall fix", { timeout: 20_000 }, async () => {
  const { blackHole, connectHangs } = await import("./support/loopback.ts");
  const hole = await blackHole();
  try {
    assert.equal(await connectHangs(hole.port, 300), true, "the helper port must swallow connections");
    const r = await doctor(`http://127.0.0.1:${hole.port}`);
    assert.equal(r.code, 1);
    const check = line(r.stdout, "fail", "reachable (ollama)");
    assert.equal(check.message, `Cannot reach Ollama at http://127.0.0.1:${hole.port}: connection timed out after 5 s`);
    assert.match(check.fix!, /firewall \(ufw, iptables, a cloud security group\) is most likely dropping the packets/);
  } finally {
    hole.stop();
  }
});

test("an OpenAI-compatible provider beside Ollama: reachable through /models, its configured ids checked", async () => {
  await withFakeOllama({}, async ({ url }) => {
    const dir = await tempDir("scenario");
    try {
      const file = await writeConfig(dir, {
        models: {
          providers: {
            ollama: { baseUrl: url },
            vllm: { baseUrl: `${url}/v1`, api: "openai-completions", models: [{ id: "llama3.2:3b" }, { id: "Qwen/Qwen3-8B" }] },
          },
        },
        agents: { defaults: { model: { primary: "ollama/qwen3:8b", fallbacks: ["vllm/llama3.2:3b"] } } },
      });
      const both = await runInProcess(["doctor", "--config", file], { env: {}, homeDir: dir });
      assert.equal(both.code, 0, both.stdout);
      assert.match(line(both.stdout, "ok", "reachable (vllm)").message, new RegExp(`^The server answers at ${url}/v1 \\(models\\.providers\\.vllm\\.baseUrl\\)$`));
      const models = line(both.stdout, "warn", "models (vllm)");
      assert.equal(models.message, `Configured but not on ${url}/v1: Qwen/Qwen3-8B`);
      assert.match(models.fix!, /correct the ids in models\.providers\.vllm\.models/);
      assert.equal(line(both.stdout, "ok", "fallback#1 (vllm)").message, "Fallback #1 vllm/llama3.2:3b is installed and supports tools");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test("colour only on a terminal, and not with NO_COLOR", async () => {
  await withFakeOllama({ ps: [{ name: "qwen3:8b", size_vram: 0 }] }, async ({ url }) => {
    const tty = await doctor(url, { io: { env: {}, stdoutIsTTY: true } });
    assert.ok(tty.stdout.includes("\x1b[32mok  \x1b[0m  config"), tty.stdout);
    assert.ok(tty.stdout.includes("\x1b[33mwarn\x1b[0m  cpu (ollama)"), tty.stdout);
    const plain = await doctor(url, { io: { env: { NO_COLOR: "1" }, stdoutIsTTY: true } });
    assert.ok(!plain.stdout.includes("\x1b["), plain.stdout);
  });
});

test("without an explicit num_ctx/contextWindow the allocated context is reported, never compared: the server's choice stands", async () => {
  // A discovered model (trained context 40960) loaded with the 4096 default, and a configured one without
  // a contextWindow: neither is a warning, and nothing suggests the trained window (out-of-memory loads).
  await withFakeOllama({ ps: [{ name: "qwen3:8b", context_length: 4096 }, { name: "llama3.2:3b", context_length: 8192 }] }, async ({ url }) => {
    const r = await doctor(url, { provider: { models: [{ id: "qwen3:8b" }] }, model: "ollama/qwen3:8b" });
    const context = line(r.stdout, "ok", "context (ollama)");
    assert.equal(context.message, "Context allocated (tokens): ollama/qwen3:8b 4096, ollama/llama3.2:3b 8192");
    assert.doesNotMatch(r.stdout, /131072|40960/);
  });
});
