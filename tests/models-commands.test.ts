// `oclaw models show`, `models discover [--write]` and `models pull` against the fake Ollama.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import JSON5 from "json5";
import { run } from "../lib/cli/run.ts";
import { capturedStream, memoryIo } from "./support/memory-io.ts";
import { processorOf } from "../lib/commands/models/show.ts";
import { runInProcess } from "./support/cli.ts";
import type { FakeOllama, FakeOllamaOptions } from "./support/fake-ollama.ts";
import { jsonLines } from "./support/json-lines.ts";
import { closedPort } from "./support/loopback.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

interface Box {
  dir: string;
  config: string;
  env: Record<string, string>;
}

async function withBox(
  configText: string | undefined,
  env: (server: FakeOllama) => Record<string, string>,
  body: (box: Box, server: FakeOllama) => Promise<void>,
  options: Partial<FakeOllamaOptions> = {},
): Promise<void> {
  await withFakeOllama(options, (server) =>
    withTempDir("models-cmd", async (dir) => {
      const config = path.join(dir, "openclaw.json");
      if (configText !== undefined) await writeFile(config, configText);
      await body({ dir, config, env: { XDG_CACHE_HOME: path.join(dir, "cache"), OPENCLAW_CONFIG_PATH: config, ...env(server) } }, server);
    }));
}

const enabled = (server: FakeOllama) => ({ OLLAMA_API_KEY: "x", OLLAMA_HOST: server.url });
const cli = (box: Box, args: string[], extra: { now?: () => number } = {}) =>
  runInProcess(args, { env: box.env, homeDir: box.dir, ...extra });

test("processor like `ollama ps`: all in VRAM → GPU, none → CPU, else the CPU/GPU split", () => {
  assert.equal(processorOf(1000, 1000), "100% GPU");
  assert.equal(processorOf(1000, 0), "100% CPU");
  assert.equal(processorOf(1000, undefined), "100% CPU");
  assert.equal(processorOf(1000, 750), "25%/75% CPU/GPU");
});

test("show: capabilities, architecture, context, parameters, and where the loaded model runs", async () => {
  await withBox("{}", enabled, async (box) => {
    const r = await cli(box, ["models", "show", "qwen3:8b"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Model: +ollama\/qwen3:8b$/m);
    assert.match(r.stdout, /^Capabilities: +completion, tools, thinking$/m);
    assert.match(r.stdout, /^Architecture: +qwen3$/m);
    assert.match(r.stdout, /^Trained context: +40960$/m);
    assert.match(r.stdout, /^Context window: +40960$/m);
    assert.match(r.stdout, /^Loaded: +yes, 100% CPU, context 4096/m);
    // deno-lint-ignore no-regex-spaces -- the two spaces are the block's indent
    assert.match(r.stdout, /^Modelfile parameters:\n(  .*\n)*  temperature +0\.6$/m);
    // The parameter count is labelled as `ollama show` does, not "Size" (issue 15 §13).
    assert.match(r.stdout, /^Parameters: +8\.2B$/m);
    assert.match(r.stdout, /^Quantization: +Q4_K_M$/m);
    assert.doesNotMatch(r.stdout, /^Size:/m);

    const json = await cli(box, ["models", "show", "ollama/qwen3:8b", "--json"]);
    const out = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(out.ref, "ollama/qwen3:8b");
    assert.deepEqual(out.capabilities, ["completion", "tools", "thinking"]);
    assert.equal(out.architecture, "qwen3");
    assert.equal(out.contextLength, 40960);
    assert.deepEqual((out.parameters as Record<string, string[]>).stop, ["<|im_start|>", "<|im_end|>"]);
    assert.deepEqual((out.loaded as Record<string, unknown>).processor, "100% CPU");
    assert.equal((out.loaded as Record<string, unknown>).contextLength, 4096);
  }, { ps: [{ name: "qwen3:8b", size_vram: 0, context_length: 4096 }] });
});

test("show: a model that is not loaded says so; a v0.6.0 server's missing capabilities are explained", async () => {
  await withBox("{}", enabled, async (box) => {
    const r = await cli(box, ["models", "show", "gemma:2b"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Loaded: +no$/m);
    assert.match(r.stdout, /^Tools: +no \(server reports no capabilities: Ollama < 0\.6\.4\)$/m);
    assert.match(r.stdout, /^Capabilities: +\(not reported by this server\)$/m);
  }, { version: "0.6.0" });
});

test("show: a model the server does not have is exit 5 with the server's message", async () => {
  await withBox("{}", enabled, async (box) => {
    const r = await cli(box, ["models", "show", "llama9:1b"]);
    assert.equal(r.code, 5);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^oclaw: Ollama at http:\/\/127\.0\.0\.1:\d+: model 'llama9:1b' not found\nhint: /);
  });
});

test("show: a configured model whose server is down prints what config knows, the error, exit 4", async () => {
  const dead = `http://127.0.0.1:${await closedPort()}`;
  await withBox(`{ models: { providers: { ollama: { baseUrl: "${dead}", models: [{ id: "qwen3:8b", contextWindow: 16384 }] } } } }`, () => ({}), async (box) => {
    const r = await cli(box, ["models", "show", "qwen3:8b"]);
    assert.equal(r.code, 4);
    assert.match(r.stdout, /^Source: +configured$/m);
    assert.match(r.stdout, /^Context window: +16384$/m);
    assert.match(r.stderr, /connection refused/);
  });
});

test("discover prints a models.providers block of the tool models (and selected ones), skipped ones on stderr", async () => {
  await withBox(`{ agents: { defaults: { model: { primary: "ollama/gemma:2b" } } } }`, enabled, async (box, server) => {
    const r = await cli(box, ["models", "discover"]);
    assert.equal(r.code, 0, r.stderr);
    const block = JSON5.parse(r.stdout) as { models: { providers: { ollama: { baseUrl: string; api: string; models: Array<{ id: string }> } } } };
    const ollama = block.models.providers.ollama;
    assert.equal(ollama.baseUrl, server.url);
    assert.equal(ollama.api, "ollama");
    assert.deepEqual(ollama.models.map((m) => m.id).sort(), [
      "gemma:2b",
      "gpt-oss:20b",
      "hermes-tools:latest",
      "llama3.2:3b",
      "qwen2.5vl:7b",
      "qwen3:8b",
    ]);
    assert.deepEqual(ollama.models.find((m) => m.id === "qwen2.5vl:7b"), {
      id: "qwen2.5vl:7b",
      name: "qwen2.5vl:7b",
      reasoning: false,
      input: ["text", "image"],
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      contextWindow: 128000,
      maxTokens: 1280000,
    });
    assert.match(r.stderr, /nomic-embed-text:latest: the model does not report tool support/);
  });
});

test("discover --base-url asks that server even when no provider is enabled", async () => {
  await withBox(undefined, () => ({}), async (box, server) => {
    const host = `0.0.0.0:${server.port}`;
    const r = await cli(box, ["models", "discover", "--base-url", host, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { models: { providers: { ollama: { baseUrl: string; models: unknown[] } } } };
    assert.equal(out.models.providers.ollama.baseUrl, `http://127.0.0.1:${server.port}`);
    assert.equal(out.models.providers.ollama.models.length, 5);
    assert.equal(server.requests[0]!.path, "/api/tags");
  });
});

test("discover --write stores the block, keeps comments and other keys; list then uses it without discovery", async () => {
  const original = `{
  // my settings
  gateway: { mode: "local" },
  models: { providers: { ollama: { apiKey: "ollama-local" } } },
}
`;
  await withBox(original, (s) => ({ OLLAMA_HOST: s.url }), async (box, server) => {
    const r = await cli(box, ["models", "discover", "--write"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote models\.providers\.ollama \(5 model\(s\)\) to /);
    const text = await readFile(box.config, "utf8");
    assert.ok(text.startsWith("{\n  // my settings\n  gateway: { mode: \"local\" },"), text);
    const data = JSON5.parse(text) as { models: { providers: { ollama: Record<string, unknown> } } };
    assert.equal(data.models.providers.ollama.apiKey, "ollama-local");
    assert.equal(data.models.providers.ollama.baseUrl, server.url);
    assert.equal((data.models.providers.ollama.models as unknown[]).length, 5);
    assert.equal(await readFile(`${box.config}.bak`, "utf8"), original);

    server.requests.length = 0;
    const list = await cli(box, ["models", "list", "--json"]);
    assert.equal(list.code, 0);
    const out = JSON.parse(list.stdout) as { models: Array<{ source: string }> };
    assert.equal(out.models.length, 5);
    assert.ok(out.models.every((m) => m.source === "configured"));
    assert.equal(server.requests.length, 0);
  });
});

test("discover --write for another provider id writes api ollama, so it is not read as OpenAI-compatible", async () => {
  await withBox("{}", () => ({}), async (box, server) => {
    const r = await cli(box, ["models", "discover", "--provider", "gpu", "--base-url", server.url, "--write"]);
    assert.equal(r.code, 0, r.stderr);
    const list = await cli(box, ["models", "list", "--json"]);
    const out = JSON.parse(list.stdout) as { models: Array<{ ref: string; api: string }> };
    assert.equal(out.models.length, 5);
    assert.ok(out.models.every((m) => m.ref.startsWith("gpu/") && m.api === "ollama"));
  });
});

test("pull --json: one progress event per line, percent where known, then done; the request names the model", async () => {
  await withBox("{}", enabled, async (box, server) => {
    const r = await cli(box, ["models", "pull", "ollama/llama3.2:3b", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const events = jsonLines(r.stdout);
    assert.deepEqual(events[0], { type: "progress", status: "pulling manifest" });
    assert.deepEqual(events.at(-1), { type: "done", model: "llama3.2:3b" });
    assert.deepEqual(events.at(-2), { type: "progress", status: "success" });
    const withTotal = events.filter((e) => e.total !== undefined);
    assert.equal(withTotal.length, 12);
    assert.ok(withTotal.every((e) => typeof e.percent === "number"));
    assert.deepEqual(withTotal.slice(0, 4).map((e) => e.percent), [24, 50, 75, 100], "rounded down: 100 only when complete");
    const pull = server.requests.find((q) => q.path === "/api/pull")!;
    assert.deepEqual(pull.body, { model: "llama3.2:3b", stream: true });
  });
});

test("pull off a terminal: each step once, percentage lines at most once a second", async () => {
  await withBox("{}", enabled, async (box) => {
    const still = await cli(box, ["models", "pull", "llama3.2:3b"], { now: () => 5000 });
    assert.equal(still.code, 0, still.stderr);
    assert.equal(still.stdout, "");
    const percentLines = (s: string) => s.split("\n").filter((l) => /\d+% \(/.test(l));
    // The first sample, then where the layer ended, however little time passed (issue 15 §14).
    assert.deepEqual(percentLines(still.stderr), [
      "pulling a80c4f17acd5: 24% (505 MB/2.0 GB)",
      "pulling a80c4f17acd5: 100% (2.0 GB/2.0 GB)",
      "pulling 966de95ca8a6: 100% (1.4 KB/1.4 KB)",
      "pulling fcc5a6bec9da: 100% (7.7 KB/7.7 KB)",
    ]);
    assert.match(still.stderr, /^pulling manifest\n/);
    assert.match(still.stderr, /verifying sha256 digest\nwriting manifest\nsuccess\n$/);
    // deno-lint-ignore no-control-regex -- the progress line is drawn with CR and ESC[K
    assert.doesNotMatch(still.stderr, /\r|\x1b/);

    let t = 0;
    const moving = await cli(box, ["models", "pull", "llama3.2:3b"], { now: () => (t += 1000) });
    assert.equal(percentLines(moving.stderr).length, 12);
  });
});

test("pull on a terminal draws a bar on stderr, redrawn in place", async () => {
  await withBox("{}", enabled, async (box) => {
    const io = { ...memoryIo({ env: box.env, homeDir: box.dir }), stderr: capturedStream(true, 100) };
    const code = await run(["models", "pull", "llama3.2:3b"], io);
    assert.equal(code, 0);
    const err = io.stderr.text();
    // deno-lint-ignore no-control-regex -- the progress line is drawn with CR and ESC[K
    assert.match(err, /\r\x1b\[Kpulling a80c4f17acd5 +100% █+ 2\.0 GB\/2\.0 GB/);
    assert.ok(err.endsWith("success\n"));
  });
});

test("pull of an unknown model: the error line fails it, exit 5; --json ends with an error event", async () => {
  await withBox("{}", enabled, async (box) => {
    const r = await cli(box, ["models", "pull", "nope:1b"]);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /^pulling manifest\noclaw: Pulling nope:1b from Ollama at http:\/\/127\.0\.0\.1:\d+: pull model manifest: file does not exist\n/);
    const json = await cli(box, ["models", "pull", "nope:1b", "--json"]);
    assert.equal(json.code, 5);
    const last = JSON.parse(json.stdout.trimEnd().split("\n").at(-1)!) as Record<string, unknown>;
    assert.equal(last.type, "error");
    assert.equal(last.code, "E_MODEL_NOT_FOUND");
  });
});

test("pull: a stream that ends before success is a failure; a name with slashes is sent as is", async () => {
  await withBox("{}", enabled, async (box, server) => {
    const r = await cli(box, ["models", "pull", "hf.co/org/repo:Q4"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the stream ended before success/);
    assert.deepEqual(server.requests.find((q) => q.path === "/api/pull")!.body, { model: "hf.co/org/repo:Q4", stream: true });
  }, { pullScript: { "hf.co/org/repo:Q4": [{ status: "pulling manifest" }, { status: "pulling abc", total: 10, completed: 5 }] } });
});
