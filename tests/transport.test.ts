/**
 * request.tls and request.proxy end to end (the binary, or the source under the runtime running the tests):
 * an HTTPS front with a private CA made by the test, one that requires a client certificate, and an HTTP
 * proxy (CONNECT for HTTPS). Each test asserts what the front or the proxy saw.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { spawnOclaw } from "./support/cli.ts";
import type { FakeOllama } from "./support/fake-ollama.ts";
import { makeCerts, type Running, startProxy, startTlsFront, type TestCerts } from "./support/tls-front.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";
import { writeConfig } from "./support/scenarios.ts";

interface Scene {
  server: FakeOllama;
  dir: string;
  certs: TestCerts;
  /** A 0600 file holding `text`, for a file SecretRef. */
  secretFile(name: string, text: string): Promise<string>;
  chat(provider: Record<string, unknown>, env?: Record<string, string>, secrets?: Record<string, unknown>): ReturnType<typeof spawnOclaw>;
}

let shared: Promise<TestCerts> | undefined;

function scene(body: (s: Scene) => Promise<void>): Promise<void> {
  return withFakeOllama({}, (server) =>
    withTempDir("transport", async (dir) => {
      // One CA for the whole file: openssl takes a moment per key.
      shared ??= withTempDir("certs", (certDir) => makeCerts(certDir));
      const certs = await shared;
      await body({
        server,
        dir,
        certs,
        async secretFile(name, text) {
          const file = path.join(dir, name);
          await writeFile(file, text);
          await chmod(file, 0o600);
          return file;
        },
        async chat(provider, env = {}, secrets = {}) {
          const file = await writeConfig(dir, {
            secrets: { providers: secrets },
            models: { providers: { ollama: { apiKey: "ollama-local", ...provider } } },
          });
          return await spawnOclaw(["chat", "--config", file, "-m", "ollama/llama3.2:3b", "-v", "hi"], { env: { HOME: dir, ...env } });
        },
      });
    }));
}

async function using<T>(running: Running, body: (r: Running) => Promise<T>): Promise<T> {
  try {
    return await body(running);
  } finally {
    await running.close();
  }
}

test("request.tls.ca: HTTPS to a server with a private CA (read through a file SecretRef); without it the handshake fails", () =>
  scene(async ({ server, certs, chat, secretFile }) => {
    const front = await startTlsFront(certs, server.port);
    await using(front, async () => {
      const baseUrl = `https://127.0.0.1:${front.port}`;
      const refused = await chat({ baseUrl });
      assert.equal(refused.code, 4, refused.stderr);
      assert.match(refused.stderr, /TLS handshake failed/);
      assert.match(refused.stderr, /hint: .*request\.tls\.ca/);
      assert.equal(front.seen.length, 0, "no request got through");

      const caFile = await secretFile("ca.pem", certs.ca);
      const r = await chat(
        { baseUrl, request: { tls: { ca: { source: "file", provider: "pki", id: "value" } } } },
        {},
        { pki: { source: "file", path: caFile, mode: "singleValue" } },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "Hello! How can I help you today?\n");
      const chatSeen = front.seen.find((s) => s.target === "/api/chat");
      assert.ok(chatSeen, `the front saw: ${front.seen.map((s) => s.target).join(", ")}`);
      assert.equal(chatSeen.headers.authorization, "Bearer ollama-local");
    });
  }));

test("request.tls.cert/key: a server that requires a client certificate gets it; without one it refuses", () =>
  scene(async ({ server, certs, chat, secretFile }) => {
    const front = await startTlsFront(certs, server.port, true);
    await using(front, async () => {
      const baseUrl = `https://127.0.0.1:${front.port}`;
      const without = await chat({ baseUrl, request: { tls: { ca: certs.ca } } });
      assert.notEqual(without.code, 0, without.stderr);
      assert.equal(front.seen.length, 0);

      const keyFile = await secretFile("keys.json", JSON.stringify({ ollama: { clientKey: certs.clientKey } }));
      const r = await chat(
        { baseUrl, request: { tls: { ca: certs.ca, cert: certs.clientCert, key: { source: "file", provider: "vault", id: "/ollama/clientKey" } } } },
        {},
        { vault: { source: "file", path: keyFile } },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "Hello! How can I help you today?\n");
      assert.ok(front.seen.length > 0 && front.seen.every((s) => s.clientAuthorized === true), "every request came with the client certificate");
      // The key is a secret: never in -v output.
      assert.ok(!r.stderr.includes("PRIVATE KEY"));
    });
  }));

test("request.proxy explicit-proxy: only the proxy resolves the target (ollama.invalid), with its credentials", () =>
  scene(async ({ server, chat }) => {
    const proxy = await startProxy(() => server.port);
    await using(proxy, async () => {
      const r = await chat({
        baseUrl: `http://ollama.invalid:${server.port}`,
        request: { proxy: { mode: "explicit-proxy", url: `http://squid:pr0xy-pass@127.0.0.1:${proxy.port}` } },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "Hello! How can I help you today?\n");
      const chatSeen = proxy.seen.find((s) => s.target === `http://ollama.invalid:${server.port}/api/chat`);
      assert.ok(chatSeen, `the proxy saw: ${proxy.seen.map((s) => `${s.method} ${s.target}`).join(", ")}`);
      assert.equal(chatSeen.method, "POST");
      assert.equal(chatSeen.headers["proxy-authorization"], `Basic ${btoa("squid:pr0xy-pass")}`);
      assert.ok(!r.stderr.includes("pr0xy-pass"), "the proxy password is redacted from -v");
      assert.ok(server.requests.some((q) => q.path === "/api/chat"));
    });
  }));

test("request.proxy env-proxy: HTTPS_PROXY carries HTTPS as CONNECT to a host only the proxy knows; NO_PROXY bypasses it", () =>
  scene(async ({ server, certs, chat }) => {
    const front = await startTlsFront(certs, server.port);
    await using(front, async () => {
      const proxy = await startProxy((host, port) => (host === "ollama.test" ? front.port : port));
      await using(proxy, async () => {
        const r = await chat(
          { baseUrl: `https://ollama.test:${front.port}`, request: { proxy: { mode: "env-proxy" }, tls: { ca: certs.ca } } },
          { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` },
        );
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, "Hello! How can I help you today?\n");
        assert.ok(proxy.seen.some((s) => s.method === "CONNECT" && s.target === `ollama.test:${front.port}`), JSON.stringify(proxy.seen.map((s) => s.target)));
        assert.ok(front.seen.some((s) => s.target === "/api/chat" && s.headers.host === `ollama.test:${front.port}`));

        const before = proxy.seen.length;
        const direct = await chat(
          { baseUrl: `http://127.0.0.1:${server.port}` },
          { HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: "localhost,127.0.0.1" },
        );
        assert.equal(direct.code, 0, direct.stderr);
        assert.equal(proxy.seen.length, before, "NO_PROXY kept the proxy out");
      });
    });
  }));

test("a proxy that is down is what the error names (not the target the client cannot resolve)", () =>
  scene(async ({ server, chat }) => {
    const proxy = await startProxy(() => server.port);
    const port = proxy.port;
    await proxy.close();
    const r = await chat({
      baseUrl: "http://ollama.invalid:11434",
      request: { proxy: { mode: "explicit-proxy", url: `http://127.0.0.1:${port}` } },
    });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, new RegExp(`Cannot reach the proxy for Ollama at http://127\\.0\\.0\\.1:${port}: connection refused`));
    assert.doesNotMatch(r.stderr, /DNS/);
  }));
