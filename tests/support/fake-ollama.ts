/**
 * A fake Ollama server for tests, demos and benchmarks: real HTTP on 127.0.0.1 (port 0 by default),
 * answering like Ollama byte for byte where it matters (see /work/shared/reference/ollama-wire.md).
 *
 *   const server = await startFakeOllama({ replies: { "qwen3:8b": { thinking: "Hmm", content: "Hi" } } });
 *   ... fetch(server.url + "/api/chat", ...) ...
 *   server.requests  // what the client sent
 *   await server.close();
 *
 * Routes: `GET|HEAD /`, `GET|HEAD /api/version`, `GET|HEAD /api/tags`, `POST /api/show`, `GET /api/ps`,
 * `POST /api/chat`, `POST /api/pull`, `GET /v1/models[/{model}]`, `POST /v1/chat/completions`, `GET /_fake/stats`
 * (the fake's own: request count, disconnects, first-token wall-clock time). Unknown path: 404 text/plain
 * `404 page not found`; wrong method: 405 `405 method not allowed`. Every JSON body uses Go's escaping.
 *
 * Options (all changeable between requests with `set()`), see {@link FakeOllamaOptions}:
 * - `version` ("0.12.3"): < 0.6.4 no `capabilities` in /api/show; < 0.9.0 no `thinking` (capability or
 *   field: thinking goes into the content as `<think>…</think>`) and `think` is ignored; < 0.10.0 no
 *   /api/ps `context_length`; < 0.12.0 old not-found and thinking error texts; < 0.12.4 an omitted `think`
 *   leaves thinking in the content; tool call `index` always sent ≥ 0.12.6 (omitted when 0 before) and
 *   `id` sent ≥ 0.12.10; with tools and streaming, < 0.8.0 buffers the whole output into one chunk and
 *   ≤ 0.4.5 writes tool calls as raw JSON text in the content; /v1 chunk layout changes at 0.32.6.
 * - `models` (tests/fixtures/models.json; {@link syntheticModels} for scale), `replies` (per model,
 *   see {@link Reply}: thinking, content tokens, tool calls on chosen chunks, done_reason, metrics, an HTTP
 *   error, a mid-stream error line, a truncated stream, raw recorded lines, bulk tokens), `chunking`
 *   ("lines" | {bytes} | {random seed}), `headerDelayMs`, `tokenDelayMs`, `stallAfterChunks`,
 *   `showDelayMs`, `ps`, `hostCheck`, `pullScript`, `sseLayout`, `fragmentToolCalls`.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { StreamStats } from "./fake-ollama/exchange.ts";
import { type RecordedRequest, route, type RouterState } from "./fake-ollama/router.ts";
import { fixtureModels } from "./fake-ollama/store.ts";
import type { FakeOllamaOptions } from "./fake-ollama/types.ts";

export type { RecordedRequest } from "./fake-ollama/router.ts";
export type { StreamStats } from "./fake-ollama/exchange.ts";
export type {
  ChatCall,
  Chunking,
  FakeModel,
  FakeOllamaOptions,
  PsEntry,
  Replies,
  Reply,
  ReplyMetrics,
  ReplyToolCall,
} from "./fake-ollama/types.ts";
export { fixtureModel, fixtureModels, parametersText, syntheticModels } from "./fake-ollama/store.ts";
export { goJson } from "./fake-ollama/go-json.ts";

/** A running fake Ollama. */
export interface FakeOllama {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** How many responses the client aborted before their end (streams, or during a header delay). */
  readonly disconnects: number;
  /** Wall-clock times of the latest chat response (first token written...), for benchmarks. */
  readonly stats: StreamStats;
  /**
   * Resolves on a client abort of a response; each call consumes one abort, so an abort that happened
   * before the call resolves it at once. @throws after `timeoutMs` (default 5000) without one
   */
  waitForDisconnect(timeoutMs?: number): Promise<void>;
  /** Changes knobs for the following requests (new `replies` restart their turn count). */
  set(options: Partial<FakeOllamaOptions>): void;
  /** Stops listening and drops every open connection (stalled streams included). */
  close(): Promise<void>;
}

/** The options every server starts from. */
export function defaultOptions(): FakeOllamaOptions {
  return {
    version: "0.12.3",
    models: fixtureModels(),
    replies: {},
    chunking: "lines",
    headerDelayMs: 0,
    tokenDelayMs: 0,
    stallAfterChunks: undefined,
    showDelayMs: 0,
    ps: [],
    hostCheck: false,
    pullScript: {},
    sseLayout: "auto",
    fragmentToolCalls: false,
    gpuGiB: 0,
    contextLength: undefined,
    cloud: "ok",
  };
}

/**
 * Starts a fake Ollama on 127.0.0.1: `port` 0 (default) picks an ephemeral port; a fixed one serves
 * tests of fixed addresses (OLLAMA_HOST=0.0.0.0:11500). @throws when the port is taken
 */
export async function startFakeOllama(options: Partial<FakeOllamaOptions> & { port?: number } = {}): Promise<FakeOllama> {
  const { port: wantedPort = 0, ...rest } = options;
  const closing = new AbortController();
  let disconnects = 0;
  let consumed = 0;
  const waiters = new Set<() => void>();
  const state: RouterState = {
    options: { ...defaultOptions(), ...rest },
    stats: { requestAt: undefined, firstTokenAt: undefined, lastWriteAt: undefined, chunks: 0, bytes: 0 },
    turns: new Map(),
    closing: closing.signal,
    requests: [],
    disconnects: () => disconnects,
    onDisconnect() {
      disconnects++;
      for (const wake of waiters) wake();
    },
  };

  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    route(req, res, state).catch((error: unknown) => {
      console.error("fake-ollama: handler failed:", error);
    });
  });
  // Go's server keeps idle connections open; a 5 s idle cut would race clients reusing them.
  server.keepAliveTimeout = 0;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(wantedPort, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: state.requests,
    get disconnects() {
      return disconnects;
    },
    get stats() {
      return state.stats;
    },
    waitForDisconnect(timeoutMs = 5000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (disconnects <= consumed) return false;
          consumed++;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake-ollama: no client disconnect within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    set(changes) {
      Object.assign(state.options, changes);
      // A new script starts from its first reply.
      if (changes.replies) state.turns.clear();
    },
    async close() {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections?.();
      await closed;
    },
  };
}
