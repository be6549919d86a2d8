/**
 * Routing of the fake server: records every request, applies the Host check, dispatches to the route
 * handlers, and answers unknown paths and wrong methods the way Ollama's gin router does.
 */
import { Buffer } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import { JSON_TYPE, serveChat } from "./chat.ts";
import { Exchange, now, type ServerState, sleep } from "./exchange.ts";
import { openaiErrorBody } from "./errors.ts";
import { goJson } from "./go-json.ts";
import { hostAllowed } from "./host-check.ts";
import { serveChatCompletions } from "./openai.ts";
import { servePull } from "./pull.ts";
import { findModel, openaiModelsBody, psBody, showBody, tagsBody } from "./store.ts";

/** One request as the server received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. `/api/tags`. */
  path: string;
  /** Lowercased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON, else the raw text; undefined when the body is empty. */
  body: unknown;
  /** Epoch ms (sub-ms precision) when the request head arrived. */
  receivedAt: number;
}

/** Everything the router needs besides the options. */
export interface RouterState extends ServerState {
  requests: RecordedRequest[];
  disconnects(): number;
}

type Handler = (ex: Exchange, body: unknown, text: string, state: RouterState) => void | Promise<void>;

const TEXT_TYPE = "text/plain; charset=utf-8";
const json = (ex: Exchange, value: unknown) => ex.send(200, goJson(value), JSON_TYPE);

const routes: Record<string, Record<string, Handler>> = {
  "/": {
    GET: (ex) => ex.send(200, "Ollama is running", TEXT_TYPE),
    HEAD: (ex) => ex.send(200, "Ollama is running", TEXT_TYPE),
  },
  "/api/version": {
    GET: (ex, _b, _t, s) => json(ex, { version: s.options.version }),
    HEAD: (ex, _b, _t, s) => json(ex, { version: s.options.version }),
  },
  "/api/tags": {
    GET: (ex, _b, _t, s) => json(ex, tagsBody(s.options.models, s.options.version)),
    HEAD: (ex, _b, _t, s) => json(ex, tagsBody(s.options.models, s.options.version)),
  },
  "/api/show": { POST: serveShow },
  "/api/ps": { GET: (ex, _b, _t, s) => json(ex, psBody(s.options.models, s.options.ps, s.options)) },
  "/api/chat": { POST: (ex, body, text, s) => serveChat(ex, body, text, s) },
  "/api/pull": { POST: (ex, body, _t, s) => servePull(ex, body, s) },
  "/v1/models": { GET: (ex, _b, _t, s) => ex.send(200, goJson(openaiModelsBody(s.options.models)) + "\n", "application/json") },
  "/v1/chat/completions": { POST: (ex, body, text, s) => serveChatCompletions(ex, body, text, s) },
  "/_fake/stats": { GET: stats },
  // Alias used by scripts/bench.
  "/__stats": { GET: stats },
};

function stats(ex: Exchange, _body: unknown, _text: string, s: RouterState): void {
  json(ex, { requests: s.requests.length, disconnects: s.disconnects(), ...s.stats });
}

async function serveShow(ex: Exchange, raw: unknown, text: string, state: RouterState): Promise<void> {
  await sleep(state.options.showDelayMs, ex.signal);
  if (text.trim() === "") return ex.send(400, goJson({ error: "missing request body" }), JSON_TYPE);
  const body = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  // `name` is the legacy spelling, still accepted.
  const name = typeof body.model === "string" && body.model ? body.model : typeof body.name === "string" ? body.name : "";
  if (!name) return ex.send(400, goJson({ error: "model is required" }), JSON_TYPE);
  const model = findModel(state.options.models, name);
  if (!model) return ex.send(404, goJson({ error: `model '${name}' not found` }), JSON_TYPE);
  json(ex, showBody(model, state.options.version, body.verbose === true));
}

/** GET /v1/models/{model}: one model as OpenAI describes it, or a not_found_error. */
function retrieveModel(ex: Exchange, name: string, state: RouterState): void {
  const model = findModel(state.options.models, name);
  if (!model) return ex.send(404, goJson(openaiErrorBody(404, `model '${name}' not found`)) + "\n", "application/json");
  const body = { id: name, object: "model", created: Math.floor(Date.parse(model.modified_at) / 1000), owned_by: "library" };
  ex.send(200, goJson(body) + "\n", "application/json");
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    req.on("data", (d: Uint8Array) => parts.push(d));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

/** Handles one request end to end. */
export async function route(req: IncomingMessage, res: ServerResponse, state: RouterState): Promise<void> {
  const receivedAt = now();
  const text = await readBody(req);
  let body: unknown = undefined;
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  const method = req.method ?? "GET";
  const url = req.url ?? "/";
  state.requests.push({ method, path: url, headers, body, receivedAt });
  const ex = new Exchange(req, res, state);

  if (state.options.hostCheck && !hostAllowed(headers.host)) return ex.send(403, "", undefined);
  const path = new URL(url, "http://fake").pathname;
  if (path.startsWith("/v1/models/") && method === "GET") return retrieveModel(ex, decodeURIComponent(path.slice(11)), state);
  const table = routes[path];
  if (!table) return ex.send(404, "404 page not found", "text/plain");
  const handler = table[method];
  if (!handler) return ex.send(405, "405 method not allowed", "text/plain");
  if (path === "/api/chat" || path === "/v1/chat/completions") {
    Object.assign(state.stats, { requestAt: receivedAt, firstTokenAt: undefined, lastWriteAt: undefined, chunks: 0, bytes: 0 });
  }
  try {
    await handler(ex, body, text, state);
  } catch (error) {
    // A bug in the fake must show up in the test that hit it, not hang the client.
    ex.send(500, goJson({ error: `fake-ollama: ${error instanceof Error ? error.message : String(error)}` }), JSON_TYPE);
    throw error;
  }
}
