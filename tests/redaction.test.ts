/**
 * Secrets stay secret: a server that echoes the configured apiKey, a header value or the password of the
 * base URL in its error body gets them printed as `***` by every command and event (models list, health's
 * Nagios line, chat's text and --json error event), not only in -v lines; `config get` masks a password
 * inside a baseUrl unless --reveal. Real processes against a hostile loopback server.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { test } from "node:test";
import { spawnOclaw } from "./support/cli.ts";
import { writeConfig } from "./support/scenarios.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { Secrets } from "../lib/redact.ts";

const API_KEY = "SEKRIT-KEY-123";
const HEADER = "hdr-secret-999";
const PASSWORD = "urlpass-777";
const ALL = [API_KEY, HEADER, PASSWORD];

/** Answers every request 401 with an error body that quotes what it received, as some proxies do. */
async function echoingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization ?? "";
    const basic = auth.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString() : auth;
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: `invalid credentials: ${basic} Bearer ${API_KEY} x-api-key=${req.headers["x-api-key"]}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function assertNoSecret(text: string, what: string): void {
  for (const secret of ALL) assert.ok(!text.includes(secret), `${what} shows ${secret}: ${text}`);
}

test("every message and event redacts the configured secrets a server echoes", async () => {
  const server = await echoingServer();
  try {
    await withTempDir("redact", async (dir) => {
      const config = await writeConfig(dir, {
        models: {
          providers: {
            ollama: { baseUrl: `http://bob:${PASSWORD}@${server.url}`, apiKey: API_KEY, headers: { "X-Api-Key": HEADER } },
          },
        },
        agents: { defaults: { model: { primary: "ollama/qwen3:8b" } } },
      });
      const env = { HOME: dir, XDG_CACHE_HOME: path.join(dir, "cache") };
      const run = (args: string[]) => spawnOclaw(["--config", config, ...args], { env });

      const list = await run(["models", "list"]);
      assert.notEqual(list.code, 0);
      assert.match(list.stderr, /invalid credentials: bob:\*\*\* Bearer \*\*\* x-api-key=\*\*\*/);
      assertNoSecret(list.stdout + list.stderr, "models list");

      const health = await run(["health", "--format", "nagios"]);
      assert.equal(health.code, 2, health.stderr);
      assertNoSecret(health.stdout + health.stderr, "health's Nagios line");

      const chat = await run(["chat", "hi"]);
      assert.notEqual(chat.code, 0);
      assert.match(chat.stderr, /\*\*\*/);
      assertNoSecret(chat.stdout + chat.stderr, "chat");

      const json = await run(["chat", "--json", "hi"]);
      assert.match(json.stdout, /"type":"error"/);
      assertNoSecret(json.stdout + json.stderr, "chat --json's error event");

      const verbose = await run(["chat", "-v", "hi"]);
      assertNoSecret(verbose.stdout + verbose.stderr, "chat -v");
      assert.match(verbose.stderr, /provider ollama: sends the credentials in its baseUrl as Basic auth; its apiKey is not sent/);

      const get = await run(["config", "get", "models"]);
      assert.equal(get.code, 0, get.stderr);
      assert.ok(get.stdout.includes(`http://bob:***@${server.url}`), get.stdout);
      assertNoSecret(get.stdout, "config get models");
      const revealed = await run(["config", "get", "models", "--reveal"]);
      assert.ok(revealed.stdout.includes(`http://bob:${PASSWORD}@${server.url}`), revealed.stdout);
    });
  } finally {
    await server.close();
  }
});

test("the placeholder keys Ollama's docs use (ollama, ollama-local) are not secrets: replies and provider ids keep the word", () => {
  const secrets = new Secrets();
  secrets.add(["ollama", "Ollama-Local", "sk-real-key-123"]);
  assert.equal(secrets.redact("ollama/qwen3:8b via ollama-local, key sk-real-key-123"), "ollama/qwen3:8b via ollama-local, key ***");
});
