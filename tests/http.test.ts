import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { apiRequest } from "../lib/client/server-errors.ts";
import { OclawError } from "../lib/errors.ts";
import { deadline } from "../lib/http/abort.ts";
import { withIdleTimeout } from "../lib/http/body.ts";
import { httpContext } from "../lib/http/context.ts";
import { CHECK_AFTER_MS } from "../lib/http/diagnose.ts";
import { isTransientDns } from "../lib/http/dns.ts";
import { request } from "../lib/http/request.ts";
import { expectOclawError } from "./support/expect-oclaw-error.ts";
import { memoryIo } from "./support/memory-io.ts";
import { createLogger } from "../lib/log.ts";
import { quietHttp } from "./support/http-context.ts";
import { blackHole, closedPort, serve } from "./support/loopback.ts";

test("a refused loopback port is E_UNREACHABLE with the 'ollama serve' hint", async () => {
  const port = await closedPort();
  const error = await expectOclawError(request(quietHttp(), `http://127.0.0.1:${port}/api/tags`));
  assert.equal(error.code, "E_UNREACHABLE");
  assert.equal(error.message, `Cannot reach Ollama at http://127.0.0.1:${port}: connection refused`);
  assert.match(error.hint ?? "", /ollama serve/);
});

test("a refused non-loopback host gets the OLLAMA_HOST=0.0.0.0 hint (resolved name, loopback address)", async () => {
  const port = await closedPort();
  // The name stands for a remote host; the injected resolver maps it to loopback, so no traffic leaves.
  const error = await expectOclawError(
    request(quietHttp({ lookup: () => Promise.resolve(["127.0.0.1"]) }), `http://gpu-box.example:${port}/`),
  );
  assert.equal(error.code, "E_UNREACHABLE");
  assert.match(error.hint ?? "", /OLLAMA_HOST=0\.0\.0\.0/);
});

test("DNS failures are E_DNS; EAI_AGAIN is transient, ENOTFOUND is not", async () => {
  const fail = (code: string) => () => Promise.reject(Object.assign(new Error(`getaddrinfo ${code}`), { code }));
  const again = await expectOclawError(request(quietHttp({ lookup: fail("EAI_AGAIN") }), "http://ollama.internal:11434/"));
  assert.equal(again.code, "E_DNS");
  assert.equal(isTransientDns(again), true);
  assert.match(again.message, /DNS lookup of ollama\.internal failed \(EAI_AGAIN\)/);
  const notFound = await expectOclawError(request(quietHttp({ lookup: fail("ENOTFOUND") }), "http://ollama.internal:11434/"));
  assert.equal(notFound.code, "E_DNS");
  assert.equal(isTransientDns(notFound), false);
});

test("a failed connect check is not cached: the next request tries again", async () => {
  let calls = 0;
  const server = await serve((_req, res) => res.end("{}"));
  const c = quietHttp({
    // The name stands for a host whose resolver recovers; both the resolver and fetch map it to loopback.
    fetch: (input, init) => fetch(String(input).replace("ollama.test", "127.0.0.1"), init),
    lookup: () => {
      calls++;
      return calls === 1
        ? Promise.reject(Object.assign(new Error("temporary"), { code: "EAI_AGAIN" }))
        : Promise.resolve(["127.0.0.1"]);
    },
  });
  const url = server.url.replace("127.0.0.1", "ollama.test");
  await expectOclawError(request(c, url));
  const ok = await request(c, url);
  assert.equal(ok.status, 200);
  assert.equal(calls, 2);
  await server.close();
});

test("Ollama's error bodies become the matching codes and messages", async () => {
  const cases: Array<[number, string, string, RegExp]> = [
    [404, `{"error":"model 'llama9' not found"}`, "E_MODEL_NOT_FOUND", /answered|model 'llama9' not found/],
    [400, `{"error":"registry.ollama.ai/library/gemma:2b does not support tools"}`, "E_NO_TOOLS", /does not support tools/],
    [400, `{"error":"\\"llama3.2\\" does not support thinking"}`, "E_NO_THINKING", /does not support thinking/],
    [500, `{"error":{"message":"boom","type":"api_error","param":null,"code":null}}`, "E_HTTP", /answered 500: boom$/],
    [404, "404 page not found", "E_HTTP", /answered 404: 404 page not found$/],
  ];
  for (const [status, body, code, message] of cases) {
    const server = await serve((_req, res) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(body);
    });
    const error = await expectOclawError(apiRequest(quietHttp(), `${server.url}/api/chat`, { json: {} }));
    assert.equal(error.code, code, body);
    assert.equal(error.status, status);
    assert.match(error.message, message);
    await server.close();
  }
});

test("a 403 with no body is explained as Ollama's Host check", async () => {
  const server = await serve((_req, res) => {
    res.writeHead(403);
    res.end();
  });
  const error = await expectOclawError(apiRequest(quietHttp(), `${server.url}/api/tags`));
  assert.equal(error.code, "E_HTTP");
  assert.match(error.hint ?? "", /Host/);
  await server.close();
});

test("a headers timeout fails with E_TIMEOUT; without one a slow server is waited for", async () => {
  const server = await serve((_req, res) => setTimeout(() => res.end("ok"), 300));
  const error = await expectOclawError(request(quietHttp(), server.url, { headersTimeoutMs: 50 }));
  assert.equal(error.code, "E_TIMEOUT");
  const slow = await request(quietHttp(), server.url);
  assert.equal(await slow.text(), "ok");
  await server.close();
});

test("the caller's abort reason is thrown as is", async () => {
  const server = await serve((_req, res) => setTimeout(() => res.end("late"), 2000));
  const signal = deadline(50, () => new OclawError("E_RUN_TIMEOUT", "Gave up after 0.05 s"));
  const error = await expectOclawError(request(quietHttp(), server.url, { signal }));
  assert.equal(error.code, "E_RUN_TIMEOUT");
  await server.close();
});

test("withIdleTimeout fails a stalled body with E_TIMEOUT and passes a steady one through", async () => {
  const server = await serve((_req, res) => {
    res.writeHead(200);
    res.write("first\n");
    // then nothing: a stall
  });
  const response = await request(quietHttp(), server.url);
  const reader = withIdleTimeout(response.body!, 100, () => "reading").getReader();
  const first = await reader.read();
  assert.equal(new TextDecoder().decode(first.value), "first\n");
  const error = await expectOclawError(reader.read());
  assert.equal(error.code, "E_TIMEOUT");
  await server.close();
});

test("a connection that breaks mid-body is E_STREAM", async () => {
  const server = await serve((_req, res) => {
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    res.write("partial");
    setTimeout(() => res.socket?.destroy(), 30);
  });
  const response = await request(quietHttp(), server.url);
  const reader = withIdleTimeout(response.body!, 5000, () => "reading").getReader();
  let error: OclawError | undefined;
  try {
    while (!(await reader.read()).done);
  } catch (e) {
    error = e as OclawError;
  }
  assert.equal(error?.code, "E_STREAM");
  await server.close();
});

test("a server that accepts the connection and drops the request is E_STREAM, not unreachable", async () => {
  const server = net.createServer((socket) => socket.once("data", () => socket.destroy()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const error = await expectOclawError(request(quietHttp(), `http://127.0.0.1:${port}/api/chat`, { json: {} }));
  assert.equal(error.code, "E_STREAM");
  assert.equal(error.message, `Ollama at http://127.0.0.1:${port} closed the connection before answering`);
  await new Promise((resolve) => server.close(resolve));
});

/** A loopback HTTP server that counts the TCP connections it accepts. */
async function countingServer(delayMs: number) {
  const server = http.createServer((_req, res) => setTimeout(() => res.end("ok"), delayMs));
  let connections = 0;
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/version`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

test("a quick answer costs one connection: no connect check goes out beside it", async () => {
  const server = await countingServer(0);
  const response = await request(quietHttp(), server.url);
  assert.equal(await response.text(), "ok");
  assert.equal(server.connections(), 1);
  await server.close();
});

test("an answer slower than CHECK_AFTER_MS gets one connect check beside it, and is still waited for", async () => {
  const slow = await countingServer(CHECK_AFTER_MS + 300);
  const io = memoryIo();
  const ctx = httpContext(io, createLogger(io.stderr, true));
  const response = await request(ctx, slow.url);
  assert.equal(await response.text(), "ok");
  assert.equal(slow.connections(), 2);
  assert.match(io.stderr.text(), /connected to 127\.0\.0\.1:\d+ \(127\.0\.0\.1\) in/);
  // The origin answered: the next slow request runs no check of its own.
  await (await request(ctx, slow.url)).text();
  assert.equal(io.stderr.text().match(/connected to/g)?.length, 1);
  await slow.close();
});

test("a black-holed port fails with the connect timeout while fetch is still trying to connect", async () => {
  const hole = await blackHole();
  try {
    const error = await expectOclawError(request(quietHttp(), `http://127.0.0.1:${hole.port}/api/version`, { connectTimeoutMs: 600 }));
    assert.equal(error.code, "E_UNREACHABLE");
    assert.equal(error.message, `Cannot reach Ollama at http://127.0.0.1:${hole.port}: connection timed out after 0.6 s`);
    assert.match(error.hint ?? "", /firewall/);
  } finally {
    hole.stop();
  }
});
