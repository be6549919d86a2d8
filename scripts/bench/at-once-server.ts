/**
 * The "at once" server for the benchmark: it asks the in-repo fake Ollama (started in this process) for one
 * streamed reply per path, keeps the exact bytes, and then answers every `/api/chat` and
 * `/v1/chat/completions` with those bytes in one write, as fast as the socket drains. Building a reply costs
 * the server nothing per request, so a client's wall time is the client's own cost, not the server's
 * production rate (the paced fake spends ~1 µs of CPU per token on the same two cores). Any other route is
 * passed to the fake, and every request is recorded (`GET /_bench/requests`) so the harness can have curl
 * repeat exactly what oclaw asked.
 *
 *   bun scripts/bench/at-once-server.ts TOKENS [MODELS SHOW_DELAY_MS]
 *
 * prints http://127.0.0.1:PORT once listening. With MODELS the fake holds that many synthetic models (and
 * answers each /api/show after SHOW_DELAY_MS) instead of the fixtures; `bench` is always there.
 */
import http from "node:http";
import process from "node:process";
import { fixtureModel, fixtureModels, startFakeOllama, syntheticModels } from "../../tests/support/fake-ollama.ts";

const [tokens, models, showDelayMs] = process.argv.slice(2, 5).map(Number);
if (!Number.isInteger(tokens) || tokens! <= 0) {
  process.stderr.write("usage: at-once-server.ts TOKENS [MODELS SHOW_DELAY_MS]\n");
  process.exit(2);
}

const fake = await startFakeOllama({
  models: [...(models ? syntheticModels(models) : fixtureModels()), { ...fixtureModel("llama3.2:3b"), name: "bench:latest" }],
  replies: { "*": { bulkTokens: tokens! } },
  ...(showDelayMs ? { showDelayMs } : {}),
});

/** One recorded stream: its content type and every byte the fake sent. */
interface Recorded {
  type: string;
  body: Uint8Array;
}

async function record(route: string): Promise<Recorded> {
  const res = await fetch(`${fake.url}${route}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model: "bench", messages: [{ role: "user", content: "hi" }], stream: true }),
  });
  if (!res.ok) throw new Error(`the fake answered ${route} with ${res.status}`);
  return { type: res.headers.get("content-type") ?? "application/octet-stream", body: new Uint8Array(await res.arrayBuffer()) };
}

const streams: Record<string, Recorded> = {
  "/api/chat": await record("/api/chat"),
  "/v1/chat/completions": await record("/v1/chat/completions"),
};

/** What a client asked, in order: method, path and body. */
const requests: Array<{ method: string; path: string; body: string }> = [];

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const server = http.createServer(async (req, res) => {
  const route = (req.url ?? "/").split("?")[0]!;
  if (req.method === "GET" && route === "/_bench/requests") {
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(requests.splice(0)));
    return;
  }
  const body = await readBody(req);
  requests.push({ method: req.method ?? "GET", path: req.url ?? "/", body: body.toString("utf8") });
  const recorded = req.method === "POST" ? streams[route] : undefined;
  if (recorded) {
    // Chunked, as Ollama streams (no Content-Length): one chunk holding the whole reply.
    res.writeHead(200, { "Content-Type": recorded.type });
    res.end(recorded.body);
    return;
  }
  // Everything else (tags, show, version, ps) is the fake's answer.
  const init: RequestInit = { method: req.method ?? "GET", headers: { "Content-Type": "application/json" } };
  if (body.length) init.body = new Uint8Array(body);
  const answer = await fetch(`${fake.url}${req.url ?? "/"}`, init);
  const bytes = new Uint8Array(await answer.arrayBuffer());
  res.writeHead(answer.status, { "Content-Type": answer.headers.get("content-type") ?? "application/json" }).end(bytes);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") process.stdout.write(`http://127.0.0.1:${address.port}\n`);
});

const stop = () => {
  server.close();
  void fake.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
