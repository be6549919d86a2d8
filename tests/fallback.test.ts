import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import type { Api, CatalogModel, Provider } from "../lib/catalog/types.ts";
import { type Candidate, runWithFallback } from "../lib/chat/fallback.ts";
import type { RunEvent } from "../lib/client/events.ts";
import { ollamaChat } from "../lib/client/ollama.ts";
import { openAiClient } from "../lib/client/openai.ts";
import type { ChatClient, ChatContext } from "../lib/client/request.ts";
import { exitCodeFor, OclawError } from "../lib/errors.ts";
import { httpContext } from "../lib/http/context.ts";
import type { Lookup } from "../lib/io.ts";
import { memoryIo } from "./support/memory-io.ts";
import { createLogger } from "../lib/log.ts";
import { startFakeOllama } from "./support/fake-ollama.ts";
import { closedPort } from "./support/loopback.ts";
import { catalogModel } from "./support/models.ts";
import { ollamaProvider } from "./support/providers.ts";

/** Every request any test server received, in order: "<server name> <path>". */
type Log = string[];

interface Server {
  url: string;
  close: () => Promise<void>;
}

/** A loopback server named `name` that records each request in `log` and answers with `handler`. */
async function serve(
  name: string,
  log: Log,
  handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
): Promise<Server> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (d: string) => (body += d)).on("end", () => {
      log.push(`${name} ${req.url}`);
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (res: http.ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(value));
};

/** A native /api/chat reply streaming `text` in one chunk, then done. */
function nativeReply(text: string) {
  return (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    res.write(
      `${JSON.stringify({ model: "m", message: { role: "assistant", content: text }, done: false })}\n`,
    );
    res.end(
      `${
        JSON.stringify({
          model: "m",
          message: { role: "assistant", content: "" },
          done: true,
          done_reason: "stop",
          prompt_eval_count: 3,
          eval_count: 1,
        })
      }\n`,
    );
  };
}

/** An OpenAI-compatible SSE reply streaming `text`, then usage and [DONE]. */
function sseReply(text: string) {
  return (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = (delta: unknown, finish: string | null) =>
      `data: ${
        JSON.stringify({
          id: "c",
          object: "chat.completion.chunk",
          choices: [{ index: 0, delta, finish_reason: finish }],
        })
      }\n\n`;
    res.write(chunk({ role: "assistant", content: text }, null));
    res.write(chunk({}, "stop"));
    res.write(
      `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 1 } })}\n\n`,
    );
    res.end("data: [DONE]\n\n");
  };
}

interface Target {
  ref: string;
  api: Api;
  baseUrl: string;
}

function provider(target: Target): Provider {
  const id = target.ref.slice(0, target.ref.indexOf("/"));
  return ollamaProvider(target.baseUrl, { id, api: target.api, discover: false, enabledBy: "config" });
}

function targetModel(target: Target): CatalogModel {
  const slash = target.ref.indexOf("/");
  return catalogModel(target.ref.slice(slash + 1), { ref: target.ref, provider: target.ref.slice(0, slash), api: target.api });
}

const CLIENTS: Record<Api, ChatClient> = { ollama: ollamaChat, "openai-completions": openAiClient };

interface RunOptions {
  lookup?: Lookup;
  idleMs?: number;
  noFallback?: boolean;
  signal?: AbortSignal;
}

/** Runs the chain over real clients; returns the events and the error it ended with, plus the sleeps. */
async function runChain(targets: Target[], options: RunOptions = {}) {
  const io = memoryIo({
    ...(options.lookup ? { lookup: options.lookup } : {}),
    // Names in these tests stand for remote hosts; the injected resolver and this fetch keep traffic on loopback.
    fetch: (input, init) => fetch(String(input).replace(/\/\/[a-z.-]+\.test:/, "//127.0.0.1:"), init),
  });
  const log = createLogger(io.stderr, false);
  const http = httpContext(io, log);
  const signal = options.signal ?? new AbortController().signal;
  const byRef = new Map(targets.map((t) => [t.ref, t]));
  const candidates: Candidate[] = targets.map((t) => ({ ref: t.ref, provider: provider(t).id, api: t.api }));
  const sleeps: number[] = [];
  const events: RunEvent[] = [];
  let error: OclawError | undefined;
  try {
    const run = runWithFallback(candidates, (candidate, attemptSignal) => {
      const target = byRef.get(candidate.ref)!;
      const context: ChatContext = {
        http,
        signal: attemptSignal,
        timeouts: options.idleMs === undefined ? {} : { idleMs: options.idleMs },
      };
      const request = {
        provider: provider(target),
        model: targetModel(target),
        messages: [{ role: "user" as const, content: "hi" }],
        stream: true,
      };
      return CLIENTS[target.api](request, context);
    }, {
      signal,
      log,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      ...(options.noFallback ? { noFallback: true } : {}),
    });
    for await (const event of run) events.push(event);
  } catch (e) {
    assert.ok(e instanceof OclawError, `expected an OclawError, got ${e}`);
    error = e;
  }
  return { events, error, sleeps };
}

/** The events without timings (they vary), for deepEqual. */
function shape(events: RunEvent[]): unknown[] {
  return events.map((e) => {
    if (e.type === "done") return { type: "done", model: e.model, stopReason: e.stopReason };
    if (e.type === "fallback") return { type: "fallback", from: e.from, to: e.to, code: e.error.code };
    return e;
  });
}

const nativeAnswer = (ref: string, text: string) => [
  { type: "start", model: ref, provider: ref.split("/")[0], api: "ollama" },
  { type: "text", text },
  { type: "done", model: ref, stopReason: "stop" },
];

/** Two native servers: `first` answers with `handler`, `second` answers "from b". */
async function twoServers(handler: Parameters<typeof serve>[2]) {
  const log: Log = [];
  const a = await serve("a", log, handler);
  const b = await serve("b", log, nativeReply("from b"));
  const targets: Target[] = [
    { ref: "ollama/a", api: "ollama", baseUrl: a.url },
    { ref: "ollama/b", api: "ollama", baseUrl: b.url },
  ];
  return { log, targets, close: async () => void await Promise.all([a.close(), b.close()]) };
}

test("a refused connection moves on to the next model", async () => {
  const log: Log = [];
  const port = await closedPort();
  const b = await serve("b", log, nativeReply("from b"));
  try {
    const { events, error } = await runChain([
      { ref: "ollama/a", api: "ollama", baseUrl: `http://127.0.0.1:${port}` },
      { ref: "ollama/b", api: "ollama", baseUrl: b.url },
    ]);
    assert.equal(error, undefined);
    assert.deepEqual(log, ["b /api/chat"]);
    assert.deepEqual(shape(events), [
      { type: "start", model: "ollama/a", provider: "ollama", api: "ollama" },
      { type: "fallback", from: "ollama/a", to: "ollama/b", code: "E_UNREACHABLE" },
      ...nativeAnswer("ollama/b", "from b"),
    ]);
    const fallback = events.find((e) => e.type === "fallback");
    assert.match(fallback?.type === "fallback" ? fallback.error.message : "", /connection refused/);
  } finally {
    await b.close();
  }
});

for (
  const [status, message, code] of [
    [404, "model 'a' not found", "E_MODEL_NOT_FOUND"],
    [500, "model requires more system memory (12 GiB) than is available (8 GiB)", "E_HTTP"],
    [503, "server busy, please try again.  maximum pending requests exceeded", "E_HTTP"],
    [429, "too many requests", "E_HTTP"],
    [400, "registry.ollama.ai/library/a:latest does not support tools", "E_NO_TOOLS"],
  ] as const
) {
  test(`HTTP ${status} (${message}) moves on to the next model`, async () => {
    const { log, targets, close } = await twoServers((_req, res) => json(res, status, { error: message }));
    try {
      const { events, error } = await runChain(targets);
      assert.equal(error, undefined);
      assert.deepEqual(log, ["a /api/chat", "b /api/chat"]);
      assert.deepEqual(shape(events), [
        nativeAnswer("ollama/a", "")[0],
        { type: "fallback", from: "ollama/a", to: "ollama/b", code },
        ...nativeAnswer("ollama/b", "from b"),
      ]);
    } finally {
      await close();
    }
  });
}

test("another 400 stops the chain with that error (exit 1), the next model is never asked", async () => {
  const { log, targets, close } = await twoServers((_req, res) =>
    json(res, 400, { error: 'invalid think value: "extreme"' })
  );
  try {
    const { events, error } = await runChain(targets);
    assert.deepEqual(log, ["a /api/chat"]);
    assert.equal(error?.code, "E_HTTP");
    assert.match(error?.message ?? "", /answered 400: invalid think value/);
    assert.equal(exitCodeFor(error), 1);
    assert.deepEqual(shape(events), [nativeAnswer("ollama/a", "")[0]]);
  } finally {
    await close();
  }
});

test("a stream that dies after text is an error, with no fallback", async () => {
  const { log, targets, close } = await twoServers((_req, res) => {
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    res.write(
      `${
        JSON.stringify({ model: "a", message: { role: "assistant", content: "Half an ans" }, done: false })
      }\n`,
    );
    setTimeout(() => res.destroy(), 20);
  });
  try {
    const { events, error } = await runChain(targets);
    assert.deepEqual(log, ["a /api/chat"]);
    assert.equal(error?.code, "E_STREAM");
    assert.equal(exitCodeFor(error), 1);
    assert.deepEqual(shape(events), [nativeAnswer("ollama/a", "")[0], { type: "text", text: "Half an ans" }]);
  } finally {
    await close();
  }
});

test("a stream that ends before any output moves on", async () => {
  const { log, targets, close } = await twoServers((_req, res) => {
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    res.end(`${JSON.stringify({ model: "a", message: { role: "assistant", content: "" }, done: false })}\n`);
  });
  try {
    const { events, error } = await runChain(targets);
    assert.equal(error, undefined);
    assert.deepEqual(log, ["a /api/chat", "b /api/chat"]);
    assert.deepEqual(shape(events)[1], {
      type: "fallback",
      from: "ollama/a",
      to: "ollama/b",
      code: "E_STREAM",
    });
  } finally {
    await close();
  }
});

test("an idle timeout before the first token moves on", async () => {
  const { log, targets, close } = await twoServers((_req, res) => {
    // Headers, then nothing: a stalled runner.
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    res.flushHeaders();
  });
  try {
    const { events, error } = await runChain(targets, { idleMs: 150 });
    assert.equal(error, undefined);
    assert.deepEqual(log, ["a /api/chat", "b /api/chat"]);
    assert.deepEqual(shape(events), [
      nativeAnswer("ollama/a", "")[0],
      { type: "fallback", from: "ollama/a", to: "ollama/b", code: "E_TIMEOUT" },
      ...nativeAnswer("ollama/b", "from b"),
    ]);
  } finally {
    await close();
  }
});

/** A resolver for the test hosts: `a.test` fails with `codes` in turn (then resolves), others resolve. */
function flakyLookup(codes: string[], calls: string[]): Lookup {
  return (hostname) => {
    calls.push(hostname);
    if (hostname === "a.test") {
      const code = codes.shift();
      if (code !== undefined) {
        return Promise.reject(Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code }));
      }
    }
    return Promise.resolve(["127.0.0.1"]);
  };
}

test("a transient DNS failure is retried on the same model with backoff, then the chain moves on", async () => {
  const log: Log = [];
  const a = await serve("a", log, nativeReply("from a"));
  const b = await serve("b", log, nativeReply("from b"));
  const lookups: string[] = [];
  try {
    const { events, error, sleeps } = await runChain([
      { ref: "ollama/a", api: "ollama", baseUrl: a.url.replace("127.0.0.1", "a.test") },
      { ref: "ollama-gpu/b", api: "ollama", baseUrl: b.url.replace("127.0.0.1", "b.test") },
    ], { lookup: flakyLookup(["EAI_AGAIN", "EAI_AGAIN", "EAI_AGAIN", "EAI_AGAIN", "EAI_AGAIN"], lookups) });
    assert.equal(error, undefined);
    assert.deepEqual(sleeps, [500, 1000, 2000]);
    assert.deepEqual(lookups, ["a.test", "a.test", "a.test", "a.test", "b.test"]);
    assert.deepEqual(log, ["b /api/chat"]);
    assert.deepEqual(shape(events), [
      nativeAnswer("ollama/a", "")[0],
      { type: "fallback", from: "ollama/a", to: "ollama-gpu/b", code: "E_DNS" },
      ...nativeAnswer("ollama-gpu/b", "from b"),
    ]);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("a DNS failure that recovers during the retries is answered by the same model", async () => {
  const log: Log = [];
  const a = await serve("a", log, nativeReply("from a"));
  const lookups: string[] = [];
  try {
    const { events, error, sleeps } = await runChain([
      { ref: "ollama/a", api: "ollama", baseUrl: a.url.replace("127.0.0.1", "a.test") },
      { ref: "ollama/b", api: "ollama", baseUrl: "http://b.test:1" },
    ], { lookup: flakyLookup(["EAI_AGAIN", "EAI_AGAIN"], lookups) });
    assert.equal(error, undefined);
    assert.deepEqual(sleeps, [500, 1000]);
    assert.deepEqual(lookups, ["a.test", "a.test", "a.test"]);
    assert.deepEqual(log, ["a /api/chat"]);
    assert.deepEqual(shape(events), nativeAnswer("ollama/a", "from a"));
  } finally {
    await a.close();
  }
});

test("a permanent DNS failure (ENOTFOUND) is not retried", async () => {
  const log: Log = [];
  const b = await serve("b", log, nativeReply("from b"));
  const lookups: string[] = [];
  try {
    const { error, sleeps } = await runChain([
      { ref: "ollama/a", api: "ollama", baseUrl: "http://a.test:11434" },
      { ref: "ollama/b", api: "ollama", baseUrl: b.url },
    ], { lookup: flakyLookup(["ENOTFOUND"], lookups) });
    assert.equal(error, undefined);
    assert.deepEqual(sleeps, []);
    assert.deepEqual(lookups, ["a.test"]);
    assert.deepEqual(log, ["b /api/chat"]);
  } finally {
    await b.close();
  }
});

test("a mixed chain: native host 1 → native second host → OpenAI-compatible server", async () => {
  const log: Log = [];
  const host1 = await serve("host1", log, (_req, res) => json(res, 404, { error: "model 'a' not found" }));
  const host2 = await serve(
    "host2",
    log,
    (_req, res) => json(res, 500, { error: "llama runner process has terminated" }),
  );
  const vllm = await serve("vllm", log, sseReply("from c"));
  try {
    const { events, error } = await runChain([
      { ref: "ollama/a", api: "ollama", baseUrl: host1.url },
      { ref: "ollama-gpu/b", api: "ollama", baseUrl: host2.url },
      { ref: "vllm/c", api: "openai-completions", baseUrl: `${vllm.url}/v1` },
    ]);
    assert.equal(error, undefined);
    assert.deepEqual(log, ["host1 /api/chat", "host2 /api/chat", "vllm /v1/chat/completions"]);
    assert.deepEqual(shape(events), [
      { type: "start", model: "ollama/a", provider: "ollama", api: "ollama" },
      { type: "fallback", from: "ollama/a", to: "ollama-gpu/b", code: "E_MODEL_NOT_FOUND" },
      { type: "start", model: "ollama-gpu/b", provider: "ollama-gpu", api: "ollama" },
      { type: "fallback", from: "ollama-gpu/b", to: "vllm/c", code: "E_HTTP" },
      { type: "start", model: "vllm/c", provider: "vllm", api: "openai-completions" },
      { type: "text", text: "from c" },
      { type: "done", model: "vllm/c", stopReason: "stop" },
    ]);
    const done = events.at(-1);
    assert.deepEqual(done?.type === "done" ? done.usage : undefined, { inputTokens: 3, outputTokens: 1 });
  } finally {
    await Promise.all([host1.close(), host2.close(), vllm.close()]);
  }
});

test("every model unreachable: the last error, exit 4", async () => {
  const [p1, p2] = [await closedPort(), await closedPort()];
  const { events, error } = await runChain([
    { ref: "ollama/a", api: "ollama", baseUrl: `http://127.0.0.1:${p1}` },
    { ref: "vllm/b", api: "openai-completions", baseUrl: `http://127.0.0.1:${p2}/v1` },
  ]);
  assert.equal(error?.code, "E_UNREACHABLE");
  assert.match(error?.message ?? "", new RegExp(`127\\.0\\.0\\.1:${p2}: connection refused`));
  assert.equal(exitCodeFor(error), 4);
  assert.equal(events.filter((e) => e.type === "fallback").length, 1);
});

test("every model missing: exit 5; missing and unreachable mixed: exit 1", async () => {
  const log: Log = [];
  const a = await serve("a", log, (_req, res) => json(res, 404, { error: "model 'a' not found" }));
  const v = await serve(
    "v",
    log,
    (_req, res) =>
      json(res, 404, { error: { message: "The model `b` does not exist.", type: "NotFoundError" } }),
  );
  const port = await closedPort();
  try {
    const missing = await runChain([
      { ref: "ollama/a", api: "ollama", baseUrl: a.url },
      { ref: "vllm/b", api: "openai-completions", baseUrl: `${v.url}/v1` },
    ]);
    assert.deepEqual(log, ["a /api/chat", "v /v1/chat/completions"]);
    assert.equal(missing.error?.code, "E_MODEL_NOT_FOUND");
    assert.equal(exitCodeFor(missing.error), 5);

    const mixed = await runChain([
      { ref: "ollama/a", api: "ollama", baseUrl: a.url },
      { ref: "ollama/b", api: "ollama", baseUrl: `http://127.0.0.1:${port}` },
    ]);
    assert.equal(exitCodeFor(mixed.error), 1);
    assert.match(mixed.error?.message ?? "", /ollama\/a: .*not found; ollama\/b: .*connection refused/);
  } finally {
    await Promise.all([a.close(), v.close()]);
  }
});

test("--no-fallback tries only the first model", async () => {
  const { log, targets, close } = await twoServers((_req, res) => json(res, 500, { error: "boom" }));
  try {
    const { events, error } = await runChain(targets, { noFallback: true });
    assert.deepEqual(log, ["a /api/chat"]);
    assert.equal(error?.code, "E_HTTP");
    assert.equal(events.some((e) => e.type === "fallback"), false);
  } finally {
    await close();
  }
});

test("a user abort stops the chain: no fallback, E_ABORTED", async () => {
  const controller = new AbortController();
  const { log, targets, close } = await twoServers((_req, res) => {
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    res.flushHeaders();
    controller.abort();
  });
  try {
    const { events, error } = await runChain(targets, { signal: controller.signal });
    assert.deepEqual(log, ["a /api/chat"]);
    assert.equal(error?.code, "E_ABORTED");
    assert.equal(exitCodeFor(error), 130);
    assert.equal(events.some((e) => e.type === "fallback"), false);
  } finally {
    await close();
  }
});

test("a reader that stops after the first text (stdout closed) aborts the request: the server sees the disconnect", async () => {
  const server = await startFakeOllama({
    tokenDelayMs: 20,
    replies: { "*": { content: "one two three four five six" } },
  });
  try {
    const io = memoryIo();
    const log = createLogger(io.stderr, false);
    const http = httpContext(io, log);
    const target: Target = { ref: "ollama/qwen3:8b", api: "ollama", baseUrl: server.url };
    const run = runWithFallback(
      [{ ref: target.ref, provider: "ollama", api: "ollama" }],
      (_c, signal) =>
        ollamaChat(
          {
            provider: provider(target),
            model: targetModel(target),
            messages: [{ role: "user", content: "hi" }],
            stream: true,
          },
          { http, signal, timeouts: {} },
        ),
      { signal: new AbortController().signal, log },
    );
    const seen: RunEvent[] = [];
    for await (const event of run) {
      seen.push(event);
      if (event.type === "text") break;
    }
    await server.waitForDisconnect();
    assert.equal(server.disconnects, 1);
    assert.deepEqual(seen.map((e) => e.type), ["start", "text"]);
  } finally {
    await server.close();
  }
});
