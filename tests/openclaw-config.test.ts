/**
 * A real OpenClaw config, end to end: the realistic full fixture (accepted by OpenClaw 2026.9.6, see
 * scripts/openclaw-oracle.sh) validates and drives chat, models list, doctor and health against the test
 * server; headers, request.headers, request.auth and SecretRefs (env, file, exec) arrive as OpenClaw sends
 * them and never show in -v; OLLAMA_HOST credentials become Basic auth; an unset variable in a provider a
 * command does not use only warns.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmod, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { spawnOclaw } from "./support/cli.ts";
import type { FakeOllama } from "./support/fake-ollama.ts";
import { writeConfig } from "./support/scenarios.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

const FULL = new URL("./fixtures/config/openclaw-full.json5", import.meta.url);

interface Setup {
  server: FakeOllama;
  dir: string;
  config: string;
  env: Record<string, string>;
  run(args: string[], extraEnv?: Record<string, string>): ReturnType<typeof spawnOclaw>;
}

/** The full fixture with its secret file (0600) and exec helper, pointed at a fake Ollama. */
function withFullConfig(body: (s: Setup) => Promise<void>): Promise<void> {
  return withFakeOllama({}, (server) =>
    withTempDir("openclaw-full", async (dir) => {
      const secrets = path.join(dir, "secrets.json");
      await writeFile(secrets, JSON.stringify({ ollama: { proxyToken: "pt-file-0001" } }));
      await chmod(secrets, 0o600);
      const helper = path.join(dir, "secret-helper.sh");
      // The exec protocol: {"protocolVersion":1,"provider","ids"} on stdin, {"protocolVersion":1,"values"} out.
      await writeFile(helper, `#!/bin/sh\ncat >/dev/null\necho '{"protocolVersion":1,"values":{"ollama/api-key":"k-exec-0002"}}'\n`);
      await chmod(helper, 0o700);
      const config = await writeConfig(dir, await readFile(FULL, "utf8"));
      const env = {
        HOME: dir,
        OLLAMA_BASE_URL: server.url,
        OLLAMA_API_KEY: "env-key-0003",
        SECRETS_FILE: secrets,
        SECRET_HELPER: helper,
      };
      await body({
        server,
        dir,
        config,
        env,
        run: (args, extraEnv = {}) => spawnOclaw(["--config", config, ...args], { env: { ...env, ...extraEnv } }),
      });
    }));
}

test("the realistic OpenClaw config validates (exit 0) and drives chat, models list, doctor and health", () =>
  withFullConfig(async ({ server, run }) => {
    const validate = await run(["config", "validate"]);
    assert.deepEqual([validate.code, validate.stdout], [0, ""], validate.stderr);
    // As `openclaw config validate` warns: the provider-level contextTokens is an older form it moves.
    assert.match(validate.stderr, /^warning: models\.providers\.ollama\.contextTokens: OpenClaw moves it into the model entries/);
    assert.match(validate.stderr, /is valid\n$/);

    const chat = await run(["chat", "-v", "hi"]);
    assert.equal(chat.code, 0, chat.stderr);
    assert.equal(chat.stdout, "Hello! How can I help you today?\n");
    const sent = server.requests.find((r) => r.path === "/api/chat")!;
    assert.equal((sent.body as { model: string }).model, "qwen3:8b");
    // Provider headers (one from a file SecretRef), the model's, request.headers, then request.auth's header
    // (an exec SecretRef) which replaces the default Authorization: Bearer <apiKey>.
    assert.equal(sent.headers["x-team"], "infra");
    assert.equal(sent.headers["x-proxy-token"], "pt-file-0001");
    assert.equal(sent.headers["x-model-route"], "gpu-a");
    assert.equal(sent.headers["x-request-source"], "openclaw");
    // OpenClaw trims the prefix ("Key " → "Key") before joining it to the value; oclaw sends what it sends.
    assert.equal(sent.headers["x-api-key"], "Keyk-exec-0002");
    assert.equal(sent.headers.authorization, undefined);
    for (const secret of ["pt-file-0001", "k-exec-0002", "env-key-0003"]) {
      assert.ok(!chat.stderr.includes(secret), `${secret} is redacted from -v`);
    }

    const list = await run(["models", "list", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout).models as Array<{ ref: string; api: string; tags: string[] }>;
    assert.deepEqual(rows.map((m) => m.ref), ["ollama/qwen3:8b", "ollama/llama3.2:3b", "anthropic/claude-sonnet-4-5"]);
    const claude = rows.find((m) => m.ref === "anthropic/claude-sonnet-4-5")!;
    assert.deepEqual([claude.api, claude.tags], ["anthropic-messages", ["fallback#1", "unsupported-api"]]);
    // Discovery is off (plugin switch and an explicit list): only /api/chat's own requests reached the server.
    assert.ok(!server.requests.some((r) => r.path === "/api/tags" && r.receivedAt > sent.receivedAt));

    const doctor = await run(["doctor"]);
    assert.equal(doctor.code, 0, doctor.stdout);
    assert.match(doctor.stdout, /warn\s+fallback#1\s+Fallback #1 anthropic\/claude-sonnet-4-5 uses api 'anthropic-messages'/);

    const health = await run(["health"]);
    assert.equal(health.code, 1, health.stdout);
    assert.match(health.stdout, /^WARNING: ollama 0\.12\.3 at http:\/\/127\.0\.0\.1:\d+, ollama\/qwen3:8b ready .*api 'anthropic-messages' not spoken by oclaw/);
  }));

test("contextTokens (a model's own, or the provider's older form OpenClaw migrates) is the context chat asks for", () =>
  withFullConfig(async ({ server, config, env }) => {
    // ~20 000 tokens: within qwen3:8b's 32768, over the provider-level 16384 that goes to llama3.2:3b's entry.
    const stdin = "word ".repeat(16_000);
    const numCtx = () => ((server.requests.at(-1)!.body as { options?: { num_ctx?: number } }).options?.num_ctx);
    const qwen = await spawnOclaw(["--config", config, "chat", "--json", "-m", "ollama/qwen3:8b", "sum up"], { env, stdin });
    assert.equal(qwen.code, 0, qwen.stderr);
    assert.equal(numCtx(), 32768);
    const llama = await spawnOclaw(["--config", config, "chat", "--json", "-m", "ollama/llama3.2:3b", "sum up"], { env, stdin });
    assert.equal(llama.code, 0, llama.stderr);
    assert.equal(numCtx(), 16384);
    const warning = llama.stdout.trim().split("\n").map((l) => JSON.parse(l)).find((e) => e.type === "warning");
    assert.equal(warning?.code, "W_TRUNCATED");
    assert.match(warning.message, /longer than num_ctx 16384 for ollama\/llama3\.2:3b/);
  }));

test("chat skips a model whose api oclaw cannot speak with a fallback event and the reason", () =>
  withFullConfig(async ({ run }) => {
    const r = await run(["chat", "--json", "-m", "anthropic/claude-sonnet-4-5", "-m", "ollama/llama3.2:3b", "hi"]);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split("\n").map((line) => JSON.parse(line));
    const fallback = events.find((e) => e.type === "fallback");
    assert.equal(fallback.from, "anthropic/claude-sonnet-4-5");
    assert.equal(fallback.to, "ollama/llama3.2:3b");
    assert.equal(fallback.error.code, "E_UNSUPPORTED_API");
    assert.match(fallback.error.message, /uses api 'anthropic-messages', which oclaw does not speak/);
    const only = await run(["chat", "-m", "anthropic/claude-sonnet-4-5", "hi"]);
    assert.equal(only.code, 1);
    assert.match(only.stderr, /^oclaw: anthropic\/claude-sonnet-4-5 uses api 'anthropic-messages'.*\nhint: /);
  }));

test("a SecretRef that does not resolve stops its provider where it is needed: chat exit 3, validate reports it", () =>
  withFullConfig(async ({ run }) => {
    const r = await run(["chat", "-m", "ollama/qwen3:8b", "hi"], { SECRET_HELPER: "/nonexistent/helper" });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /Cannot resolve the secret at models\.providers\.ollama\.request\.auth\.value \(exec:pass:ollama\/api-key\)/);
    const v = await run(["config", "validate"], { SECRET_HELPER: "/nonexistent/helper" });
    assert.equal(v.code, 3);
    assert.match(v.stdout, /^models\.providers\.ollama: Provider|Cannot resolve the secret/m);
  }));

test("request.auth authorization-bearer replaces the apiKey's Bearer; authHeader and headers SecretRefs from env", () =>
  withFakeOllama({}, (server) =>
    withTempDir("bearer", async (dir) => {
      const config = await writeConfig(dir, {
        models: {
          providers: {
            ollama: {
              baseUrl: server.url,
              apiKey: "ollama-local",
              authHeader: true,
              headers: { "X-Org": { source: "env", provider: "default", id: "ORG_ID" } },
              request: { auth: { mode: "authorization-bearer", token: { source: "env", provider: "default", id: "GATEWAY_TOKEN" } } },
            },
          },
        },
      });
      const r = await spawnOclaw(["--config", config, "chat", "-v", "-m", "llama3.2:3b", "hi"], {
        env: { HOME: dir, GATEWAY_TOKEN: "gw-tok-0004", ORG_ID: "org-0005" },
      });
      assert.equal(r.code, 0, r.stderr);
      const sent = server.requests.find((q) => q.path === "/api/chat")!;
      assert.equal(sent.headers.authorization, "Bearer gw-tok-0004");
      assert.equal(sent.headers["x-org"], "org-0005");
      assert.ok(!r.stderr.includes("gw-tok-0004") && !r.stderr.includes("org-0005"), r.stderr);
      const unset = await spawnOclaw(["--config", config, "chat", "-m", "llama3.2:3b", "hi"], { env: { HOME: dir, ORG_ID: "o" } });
      assert.equal(unset.code, 3);
      assert.match(unset.stderr, /request\.auth\.token \(env:default:GATEWAY_TOKEN\): environment variable GATEWAY_TOKEN is not set\nhint: export GATEWAY_TOKEN/);
    })));

test("OLLAMA_HOST with credentials and a port is kept: Basic auth is sent, the password never shown", () =>
  withFakeOllama({}, (server) =>
    withTempDir("ollama-host", async (dir) => {
      const env = { HOME: dir, OLLAMA_API_KEY: "", OLLAMA_HOST: `http://user:pa55@127.0.0.1:${server.port}` };
      const r = await spawnOclaw(["chat", "-v", "-m", "llama3.2:3b", "hi"], { env });
      assert.equal(r.code, 0, r.stderr);
      const sent = server.requests.find((q) => q.path === "/api/chat")!;
      assert.equal(sent.headers.authorization, `Basic ${btoa("user:pa55")}`);
      assert.ok(!r.stderr.includes("pa55"), r.stderr);
      const discover = await spawnOclaw(["models", "discover", "--base-url", `http://u2:s3cret@127.0.0.1:${server.port}`], { env: { HOME: dir } });
      assert.equal(discover.code, 0, discover.stderr);
      assert.equal(server.requests.at(-1)!.headers.authorization, `Basic ${btoa("u2:s3cret")}`);
      assert.ok(!discover.stdout.includes("s3cret"));
    })));

test("an unset ${VAR} in a provider the command does not use only warns; where it is needed it is the error", () =>
  withFakeOllama({}, (server) =>
    withTempDir("unset-var", async (dir) => {
      const config = await writeConfig(dir, {
        agents: { defaults: { model: { primary: "ollama/llama3.2:3b" } } },
        models: {
          providers: {
            ollama: { baseUrl: server.url },
            vllm: { baseUrl: "http://vllm.invalid:8000/v1", apiKey: "${VLLM_KEY}", models: [{ id: "q", name: "Q" }] },
          },
        },
      });
      const env = { HOME: dir };
      const health = await spawnOclaw(["health", "--config", config], { env });
      assert.equal(health.code, 0, health.stdout + health.stderr);
      assert.match(health.stdout, /^OK: /);
      const chat = await spawnOclaw(["chat", "--config", config, "hi"], { env });
      assert.equal(chat.code, 0, chat.stderr);
      const needed = await spawnOclaw(["chat", "--config", config, "-m", "vllm/q", "hi"], { env });
      assert.equal(needed.code, 3);
      assert.match(needed.stderr, /^oclaw: Provider 'vllm' cannot be used: Environment variable VLLM_KEY is not set \(used at models\.providers\.vllm\.apiKey/);
      const healthNeeded = await spawnOclaw(["health", "--config", config, "--model", "vllm/q"], { env });
      assert.equal(healthNeeded.code, 2, healthNeeded.stdout);
      assert.match(healthNeeded.stdout, /^CRITICAL: Provider 'vllm' cannot be used: Environment variable VLLM_KEY is not set/);
      assert.match(healthNeeded.stderr, /hint: Export VLLM_KEY/);
      const validate = await spawnOclaw(["config", "validate", "--config", config], { env });
      assert.equal(validate.code, 3);
      assert.match(validate.stdout, /models\.providers\.vllm\.apiKey: environment variable VLLM_KEY is not set/);
    })));
