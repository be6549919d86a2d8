// `oclaw models list` as users run it: the binary/source as a process, and in-process for the rest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { runInProcess, spawnOclaw } from "./support/cli.ts";
import { startFakeOllama } from "./support/fake-ollama.ts";
import { closedPort } from "./support/loopback.ts";
import { tempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";
import { catalogRequests } from "./support/catalog-requests.ts";

interface Sandbox {
  dir: string;
  config: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** A temp home with a config file and a cache directory; the ollama provider enabled at `server`. */
async function sandbox(configText: string, env: Record<string, string> = {}): Promise<Sandbox> {
  const dir = await tempDir("models");
  const config = path.join(dir, "openclaw.json");
  await writeFile(config, configText);
  return {
    dir,
    config,
    env: { HOME: dir, XDG_CACHE_HOME: path.join(dir, "cache"), OPENCLAW_CONFIG_PATH: config, ...env },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

const SELECTION = `{
  // the team's models
  agents: { defaults: { model: { primary: "ollama/qwen3:8b", fallbacks: ["ollama/gemma:2b", "ollama/absent:1b"] } } },
}`;

function inProcess(box: Sandbox, args: string[], extra: { stdoutIsTTY?: boolean } = {}) {
  return runInProcess(args, { env: box.env, homeDir: box.dir, ...extra });
}

test("e2e: the table lists tool models with columns, tags and sources; OLLAMA_HOST=0.0.0.0:<port> reaches 127.0.0.1", async () => {
  await withFakeOllama({}, async (server) => {
    const box = await sandbox(SELECTION, { OLLAMA_API_KEY: "ollama-local", OLLAMA_HOST: `0.0.0.0:${server.port}` });
    try {
      const r = await spawnOclaw(["models", "list", "--wide"], { env: box.env });
      assert.equal(r.stderr, "");
      assert.equal(r.code, 0);
      const lines = r.stdout.trimEnd().split("\n");
      assert.match(lines[0]!, /^MODEL\s+INPUT\s+CTX\s+MAX OUT\s+REASONING\s+SOURCE\s+TAGS$/);
      // deno-lint-ignore no-control-regex -- ESC is what a colour code starts with
      assert.doesNotMatch(r.stdout, /\x1b\[/, "no colour when stdout is not a terminal");
      const row = (ref: string) => lines.find((l) => l.startsWith(`${ref} `))?.split(/\s{2,}/);
      assert.deepEqual(row("ollama/qwen3:8b"), ["ollama/qwen3:8b", "text", "40960", "409600", "yes", "discovered", "default"]);
      assert.deepEqual(row("ollama/qwen2.5vl:7b"), ["ollama/qwen2.5vl:7b", "text+image", "128000", "1280000", "no", "discovered", "-"]);
      assert.deepEqual(row("ollama/gemma:2b"), ["ollama/gemma:2b", "text", "8192", "81920", "no", "discovered", "fallback#1,no-tools"]);
      assert.deepEqual(row("ollama/absent:1b"), ["ollama/absent:1b", "-", "-", "-", "-", "configured", "fallback#2,missing"]);
      assert.equal(row("ollama/nomic-embed-text:latest"), undefined);
      assert.equal(lines.length, 1 + 7);
      assert.equal(server.requests[0]!.headers.host, `127.0.0.1:${server.port}`);
    } finally {
      await box.cleanup();
    }
  });
});

test("e2e: --json has exactly the documented shape", async () => {
  await withFakeOllama({}, async (server) => {
    const box = await sandbox(SELECTION, { OLLAMA_API_KEY: "x", OLLAMA_HOST: server.url });
    try {
      const r = await spawnOclaw(["models", "list", "--json"], { env: box.env });
      assert.equal(r.code, 0);
      assert.equal(r.stderr, "");
      const out = JSON.parse(r.stdout) as { models: Array<Record<string, unknown>>; errors: unknown[] };
      assert.deepEqual(Object.keys(out), ["models", "errors"]);
      assert.deepEqual(out.errors, []);
      const keys = ["ref", "provider", "id", "name", "api", "reasoning", "input", "contextWindow", "maxTokens", "cost", "tools", "source", "tags"];
      for (const m of out.models) assert.deepEqual(Object.keys(m), keys);
      assert.deepEqual(out.models.find((m) => m.ref === "ollama/gpt-oss:20b"), {
        ref: "ollama/gpt-oss:20b",
        provider: "ollama",
        id: "gpt-oss:20b",
        name: "gpt-oss:20b",
        api: "ollama",
        reasoning: true,
        input: ["text"],
        contextWindow: 131072,
        maxTokens: 1310720,
        cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
        tools: true,
        source: "discovered",
        tags: [],
      });
    } finally {
      await box.cleanup();
    }
  });
});

test("e2e: --plain prints refs one per line; --all adds the models without tools", async () => {
  await withFakeOllama({}, async (server) => {
    const box = await sandbox("{}", { OLLAMA_API_KEY: "x", OLLAMA_HOST: server.url });
    try {
      const r = await spawnOclaw(["models", "list", "--plain"], { env: box.env });
      assert.equal(r.code, 0);
      assert.deepEqual(r.stdout.split("\n").filter(Boolean).sort(), [
        "ollama/gpt-oss:20b",
        "ollama/hermes-tools:latest",
        "ollama/llama3.2:3b",
        "ollama/qwen2.5vl:7b",
        "ollama/qwen3:8b",
      ]);
      const all = await inProcess(box, ["models", "list", "--plain", "--all"]);
      assert.equal(all.stdout.split("\n").filter(Boolean).length, 7);
      assert.ok(all.stdout.includes("ollama/nomic-embed-text:latest\n"));
    } finally {
      await box.cleanup();
    }
  });
});

test("e2e: unreachable server → configured models still printed, the error on stderr, exit 4", async () => {
  const port = await closedPort();
  await withFakeOllama({}, async (other) => {
    const box = await sandbox(`{
      models: { providers: {
        ollama: { baseUrl: "http://127.0.0.1:${port}" },
        box: { baseUrl: "${other.url}/v1", api: "openai-completions", models: [{ id: "served-model" }] },
      } },
      agents: { defaults: { model: "ollama/qwen3:8b" } },
    }`);
    try {
      const r = await spawnOclaw(["models", "list", "--plain"], { env: box.env });
      assert.equal(r.code, 4);
      assert.equal(r.stdout, "box/served-model\nollama/qwen3:8b\n");
      assert.equal(
        r.stderr,
        `oclaw: Cannot reach Ollama at http://127.0.0.1:${port}: connection refused\n` +
          "hint: Start Ollama with 'ollama serve' (or 'systemctl start ollama')\n",
      );
      const json = await inProcess(box, ["models", "list", "--json"]);
      assert.equal(json.code, 4);
      const out = JSON.parse(json.stdout) as { models: Array<{ ref: string; tags: string[] }>; errors: unknown[] };
      assert.deepEqual(out.errors, [{
        provider: "ollama",
        code: "E_UNREACHABLE",
        message: `Cannot reach Ollama at http://127.0.0.1:${port}: connection refused`,
      }]);
      assert.deepEqual(out.models.map((m) => [m.ref, m.tags]), [["box/served-model", []], ["ollama/qwen3:8b", ["default", "unverified"]]]);
      assert.equal(other.requests.length, 0, "an explicit catalogue asks its server nothing");
    } finally {
      await box.cleanup();
    }
  });
});

test("explicit models: listed as configured, zero requests to the server", async () => {
  await withFakeOllama({}, async (server) => {
    const box = await sandbox(`{
      models: { providers: { ollama: { baseUrl: "${server.url}", models: [{ id: "gemma:2b", contextWindow: 4096 }] } } },
    }`);
    try {
      const r = await inProcess(box, ["models", "list", "--json"]);
      assert.equal(r.code, 0);
      const out = JSON.parse(r.stdout) as { models: Array<Record<string, unknown>> };
      assert.deepEqual(out.models.map((m) => [m.ref, m.source, m.tools, m.contextWindow, m.maxTokens]), [
        ["ollama/gemma:2b", "configured", true, 4096, 40960],
      ]);
      assert.equal(catalogRequests(server).length, 0);
    } finally {
      await box.cleanup();
    }
  });
});

test("a provider entry with only baseUrl discovers at that URL (also under another id with api ollama)", async () => {
  const decoy = await startFakeOllama({ models: [] });
  await withFakeOllama({}, async (server) => {
    await withFakeOllama({}, async (second) => {
      const box = await sandbox(
        `{ models: { providers: { ollama: { baseUrl: "${server.url}/" }, gpu: { baseUrl: "${second.url}/v1", api: "ollama" } } } }`,
        // OLLAMA_HOST must lose to the configured baseUrl.
        { OLLAMA_HOST: decoy.url },
      );
      try {
        const r = await inProcess(box, ["models", "list", "--plain"]);
        assert.equal(r.code, 0, r.stderr);
        const refs = r.stdout.split("\n").filter(Boolean);
        assert.equal(refs.filter((x) => x.startsWith("ollama/")).length, 5);
        assert.equal(refs.filter((x) => x.startsWith("gpu/")).length, 5);
        assert.deepEqual(server.requests[0]!.path, "/api/tags");
        assert.deepEqual(second.requests[0]!.path, "/api/tags");
        assert.equal(decoy.requests.length, 0);
      } finally {
        await box.cleanup();
      }
    });
  }).finally(() => decoy.close());
});

test("a repeated list costs one /api/tags request; --refresh asks /api/show again", async () => {
  await withFakeOllama({}, async (server) => {
    const box = await sandbox("{}", { OLLAMA_API_KEY: "x", OLLAMA_HOST: server.url });
    try {
      await inProcess(box, ["models", "list"]);
      assert.equal(catalogRequests(server).length, 8);
      server.requests.length = 0;
      const again = await inProcess(box, ["models", "list"]);
      assert.equal(again.code, 0);
      assert.deepEqual(catalogRequests(server).map((r) => r.path), ["/api/tags"]);
      server.requests.length = 0;
      await inProcess(box, ["models", "list", "--refresh"]);
      assert.equal(catalogRequests(server).length, 8);
    } finally {
      await box.cleanup();
    }
  });
});

test("a v0.6.0 server: nothing tool-capable by default, and stderr and --json say why; --all shows every model tagged no-tools", { timeout: 60_000 }, async () => {
  await withFakeOllama({ version: "0.6.0" }, async (server) => {
    const box = await sandbox("{}", { OLLAMA_API_KEY: "x", OLLAMA_HOST: server.url });
    try {
      const r = await spawnOclaw(["models", "list"], { env: box.env });
      assert.equal(r.code, 0);
      assert.equal(r.stdout.trimEnd().split("\n").length, 1, "only the header");
      assert.equal(
        r.stderr,
        `oclaw: Ollama at ${server.url} reports no model capabilities (it is older than 0.6.4), so none of its 7 models ` +
          "can be shown to support tools\nhint: Upgrade Ollama to 0.6.4 or later, or list the models in " +
          "models.providers.ollama.models (then no discovery runs); --all shows them anyway\n",
      );
      const json = await spawnOclaw(["models", "list", "--json"], { env: box.env });
      assert.equal(json.code, 0);
      const listed = JSON.parse(json.stdout) as { models: unknown[]; errors: Array<{ provider: string; code: string; message: string }> };
      assert.deepEqual(listed.models, []);
      assert.equal(listed.errors.length, 1);
      assert.equal(listed.errors[0]!.code, "E_NO_TOOLS");
      assert.match(listed.errors[0]!.message, /older than 0\.6\.4/);
      const all = await inProcess(box, ["models", "list", "--all", "--json"]);
      const out = JSON.parse(all.stdout) as { models: Array<{ tags: string[]; tools: boolean }> };
      assert.equal(out.models.length, 7);
      assert.ok(out.models.every((m) => !m.tools && m.tags.includes("no-tools")));
    } finally {
      await box.cleanup();
    }
  });
});

test("colour only on a terminal: a bold header on a TTY, none with --no-color", async () => {
  await withFakeOllama({}, async (server) => {
    const box = await sandbox("{}", { OLLAMA_API_KEY: "x", OLLAMA_HOST: server.url });
    try {
      const tty = await inProcess(box, ["models", "list"], { stdoutIsTTY: true });
      assert.ok(tty.stdout.startsWith("\x1b[1mMODEL"));
      const plain = await inProcess(box, ["models", "list", "--no-color"], { stdoutIsTTY: true });
      // deno-lint-ignore no-control-regex -- ESC is what a colour code starts with
      assert.doesNotMatch(plain.stdout, /\x1b\[/);
    } finally {
      await box.cleanup();
    }
  });
});

test("--provider: only that provider; an unknown id is a config error (exit 3) with a hint", async () => {
  await withFakeOllama({}, async (server) => {
    const box = await sandbox(`{ models: { providers: { box: { baseUrl: "http://127.0.0.1:1/v1", models: [{ id: "m" }] } } } }`, {
      OLLAMA_API_KEY: "x",
      OLLAMA_HOST: server.url,
    });
    try {
      const only = await inProcess(box, ["models", "list", "--provider", "box", "--plain"]);
      assert.equal(only.stdout, "box/m\n");
      assert.equal(catalogRequests(server).length, 0);
      const bad = await inProcess(box, ["models", "list", "--provider", "nope"]);
      assert.equal(bad.code, 3);
      assert.match(bad.stderr, /^oclaw: Provider 'nope' is not configured\nhint: /);
    } finally {
      await box.cleanup();
    }
  });
});

test("no enabled provider: E_NO_PROVIDER with how to enable Ollama, exit 3 (as chat and health)", async () => {
  const box = await sandbox("{}");
  try {
    const r = await inProcess(box, ["models", "list"]);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^oclaw: No provider is enabled/);
    assert.match(r.stderr, /hint: Set OLLAMA_API_KEY/);
  } finally {
    await box.cleanup();
  }
});

test("e2e: without --wide the table fits 80 columns, token counts 128K-style; --json says null for what is unknown", async () => {
  await withFakeOllama({}, async (server) => {
    const box = await sandbox(SELECTION, { OLLAMA_API_KEY: "x", OLLAMA_HOST: server.url });
    try {
      const r = await spawnOclaw(["models", "list"], { env: box.env });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split("\n");
      for (const line of lines) assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
      assert.match(lines[0]!, /^MODEL\s+INPUT\s+CTX\s+REASONING\s+TAGS$/);
      const row = (ref: string) => lines.find((l) => l.startsWith(`${ref} `))?.split(/\s{2,}/);
      assert.deepEqual(row("ollama/qwen3:8b"), ["ollama/qwen3:8b", "text", "40K", "yes", "default"]);
      assert.deepEqual(row("ollama/qwen2.5vl:7b"), ["ollama/qwen2.5vl:7b", "text+image", "125K", "no", "-"]);
      assert.deepEqual(row("ollama/absent:1b"), ["ollama/absent:1b", "-", "-", "-", "fallback#2,missing"]);

      const json = await spawnOclaw(["models", "list", "--json"], { env: box.env });
      const models = JSON.parse(json.stdout).models as Array<Record<string, unknown>>;
      const absent = models.find((m) => m.ref === "ollama/absent:1b")!;
      assert.equal(absent.tools, null);
      assert.equal(absent.contextWindow, null);
      assert.equal(absent.maxTokens, null);
      assert.equal(absent.reasoning, null);
      const known = models.find((m) => m.ref === "ollama/qwen3:8b")!;
      assert.equal(known.tools, true);
      assert.equal(known.contextWindow, 40960);
    } finally {
      await box.cleanup();
    }
  });
});
