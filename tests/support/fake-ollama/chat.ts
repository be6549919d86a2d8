/**
 * POST /api/chat: Ollama's request checks in Ollama's order (bad JSON, model, think, capabilities,
 * empty messages), then the scripted reply as NDJSON (default) or one merged object (`stream:false`).
 * {@link decideChat} is shared with the OpenAI-compatible route, which wraps the same handler.
 */
import {
  badJson,
  badThink,
  cloudDisabled,
  cloudUnauthorized,
  type HttpError,
  MID_STREAM_ERROR,
  modelNotFound,
  noChat,
  noThinking,
  noTools,
  thinkAccepted,
} from "./errors.ts";
import { promptOutcome } from "./context.ts";
import type { Exchange, ServerState } from "./exchange.ts";
import { goJson, goTime } from "./go-json.ts";
import { buildPlan, type ChunkMessage, merge, pickReply, type Plan } from "./reply.ts";
import { capabilitiesAt, findModel } from "./store.ts";
import type { Reply } from "./types.ts";
import { atLeast } from "./version.ts";

/** Content type of Ollama's non-streamed JSON answers (gin's c.JSON). */
export const JSON_TYPE = "application/json; charset=utf-8";
/** Content type of Ollama's NDJSON streams. */
export const NDJSON_TYPE = "application/x-ndjson";

/** What the chat handler decided for one request. */
export type Decision =
  | {
    kind: "error";
    error: HttpError;
    afterLoad: boolean;
    body?: string;
    contentType?: string;
    /** An error of the model runner (prompt too long...): 200 + an error line before 0.12.6. */
    runner?: boolean;
  }
  | { kind: "load"; model: string }
  | { kind: "unload"; model: string }
  | { kind: "reply"; model: string; plan: Plan; stream: boolean };

/** Go's api.Duration: a number of seconds or a duration string; 0, "0", "0s", "0m"... are zero. */
function isZeroDuration(value: unknown): boolean {
  if (value === 0) return true;
  return typeof value === "string" && /^0+(\.0*)?(ns|us|µs|ms|s|m|h)?$/.test(value.trim());
}

/** Seconds of a keep_alive Ollama would read (a number, or "90s" / "30m" / "2h"); undefined otherwise. */
function keepAliveSeconds(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  const m = typeof value === "string" ? /^(-?\d+(?:\.\d+)?)(s|m|h)?$/.exec(value.trim()) : null;
  if (m === null) return undefined;
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as Record<string, number>)[m[2] ?? "s"]!;
}

/**
 * A load puts the model in /api/ps, an unload takes it out, as Ollama's scheduler does (server/sched.go):
 * the runner gets the request's num_ctx, and expires keep_alive after the request (default 5m,
 * envconfig.KeepAlive; a negative one is time.Duration's maximum, which Ollama shows as a date in 2318).
 */
function loadedList(state: ServerState, name: string, loaded: boolean, body: Record<string, unknown> = {}): void {
  const { ps } = state.options;
  const at = ps.findIndex((e) => e.name === name);
  const before = at === -1 ? undefined : ps.splice(at, 1)[0];
  if (!loaded) return;
  const seconds = keepAliveSeconds(body.keep_alive) ?? 300;
  const expires = seconds < 0 ? Date.parse("2318-04-11T23:47:16Z") : Date.now() + seconds * 1000;
  const numCtx = (body.options as { num_ctx?: unknown } | undefined)?.num_ctx;
  ps.push({
    ...before,
    name,
    expires_at: new Date(expires).toISOString(),
    ...(typeof numCtx === "number" && numCtx > 0 ? { context_length: numCtx } : {}),
  });
}

function fail(status: number, message: string): Decision {
  return { kind: "error", error: { status, message }, afterLoad: false };
}

function messageError(messages: unknown[]): Decision | undefined {
  for (const m of messages) {
    if (typeof m !== "object" || m === null) continue;
    const msg = m as Record<string, unknown>;
    const images = Array.isArray(msg.images) ? msg.images : [];
    // Go decodes images as base64: a data: URL fails at its ':' (byte 4).
    if (images.some((i) => typeof i === "string" && i.startsWith("data:"))) {
      return fail(400, "illegal base64 data at input byte 4");
    }
    const calls = Array.isArray(msg.tool_calls) ? msg.tool_calls : [];
    for (const c of calls) {
      const args = (c as { function?: { arguments?: unknown } })?.function?.arguments;
      if (typeof args === "string") {
        return fail(
          400,
          "json: cannot unmarshal string into Go struct field ToolCallFunction.messages.tool_calls.function.arguments of type api.ToolCallFunctionArguments",
        );
      }
    }
  }
  return undefined;
}

/**
 * Decides the answer to a chat request body, as Ollama's ChatHandler would, and consumes one scripted
 * reply turn for the model.
 */
export function decideChat(raw: unknown, rawText: string, api: "native" | "openai", state: ServerState): Decision {
  const { version, models, replies } = state.options;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    const e = badJson(rawText);
    return fail(e.status, e.message);
  }
  const body = raw as Record<string, unknown>;
  const model = typeof body.model === "string" ? body.model : "";
  if (!model) return fail(400, "model is required");
  const found = findModel(models, model);
  if (!found) return { kind: "error", error: modelNotFound(model, version), afterLoad: false };
  const messages = Array.isArray(body.messages) ? body.messages : [];
  // server/routes.go ChatHandler (since v0.3.11): no messages and keep_alive 0 expires the runner before any
  // capability check or load, answering done_reason "unload" at once.
  if (messages.length === 0 && isZeroDuration(body.keep_alive)) {
    loadedList(state, found.name, false);
    return { kind: "unload", model };
  }
  const bad = messageError(messages);
  if (bad) return bad;

  if (found.remoteHost !== undefined) {
    // A cloud model goes through ollama.com (server/cloud_proxy.go, server/routes.go).
    if (state.options.cloud === "disabled") return { kind: "error", error: cloudDisabled(), afterLoad: false };
    if (state.options.cloud === "signed-out") {
      const e = cloudUnauthorized();
      return { kind: "error", error: e, afterLoad: false, body: e.body, contentType: "application/json; charset=utf-8" };
    }
  }
  const caps = capabilitiesAt(found, version);
  const think = body.think;
  if (atLeast(version, "0.9.0") && think !== undefined && think !== null) {
    if (!thinkAccepted(think, version)) return { kind: "error", error: badThink(think, version), afterLoad: false };
    if (think !== false && !caps.includes("thinking")) {
      return { kind: "error", error: noThinking(model, version), afterLoad: false };
    }
  }
  const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
  if (!caps.includes("completion")) return { kind: "error", error: noChat(model), afterLoad: false };
  if (hasTools && !caps.includes("tools")) return { kind: "error", error: noTools(model, version), afterLoad: false };
  if (messages.length === 0) {
    loadedList(state, found.name, true, body);
    return { kind: "load", model };
  }

  const resolved = found.name;
  const turn = state.turns.get(resolved) ?? 0;
  state.turns.set(resolved, turn + 1);
  const reply: Reply = pickReply(replies, { model, resolved, api, body, turn });
  if (reply.error) {
    const e = reply.error;
    return {
      kind: "error",
      error: { status: e.status, message: e.message ?? "" },
      afterLoad: true,
      ...(e.body !== undefined ? { body: e.body } : {}),
      ...(e.contentType !== undefined ? { contentType: e.contentType } : {}),
      ...(e.runner === true ? { runner: true } : {}),
    };
  }
  // The prompt meets the context (server/prompt.go, the runner): cut, refused, or evaluated whole.
  const outcome = promptOutcome(body, found, state.options);
  if (outcome.kind === "error") {
    return { kind: "error", error: { status: outcome.status, message: outcome.message }, afterLoad: true, runner: true };
  }
  const stream = body.stream !== false;
  const plan = buildPlan(reply, { version, think: think ?? undefined, hasTools, stream, promptEvalCount: outcome.promptEvalCount });
  if (reply.raw) plan.raw = reply.raw;
  return { kind: "reply", model, plan, stream };
}

function messageJson(m: ChunkMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { role: "assistant", content: m.content };
  if (m.thinking) out.thinking = m.thinking;
  if (m.tool_calls?.length) out.tool_calls = m.tool_calls;
  return out;
}

/** One done:false NDJSON line. */
export function chunkLine(model: string, m: ChunkMessage): string {
  return goJson({ model, created_at: goTime(), message: messageJson(m), done: false }) + "\n";
}

/** The done:true object (the last NDJSON line, or the whole non-streamed answer). */
export function doneObject(model: string, m: ChunkMessage, plan: Plan): Record<string, unknown> {
  return { model, created_at: goTime(), message: messageJson(m), done: true, done_reason: plan.doneReason, ...plan.metrics };
}

function* ndjsonPieces(model: string, plan: Plan): Generator<string> {
  const errorLine = () => goJson({ error: plan.midStreamError?.message ?? MID_STREAM_ERROR }) + "\n";
  let i = 0;
  for (const chunk of plan.chunks) {
    if (plan.midStreamError && i >= plan.midStreamError.afterChunks) return yield errorLine();
    if (plan.truncate && i >= plan.truncate.afterChunks) return;
    yield chunkLine(model, chunk);
    i++;
  }
  if (plan.midStreamError) return yield errorLine();
  if (plan.truncate) return;
  yield goJson(doneObject(model, plan.done, plan)) + "\n";
}

/** Writes an error decision as Ollama does: status + `{"error":msg}` (or the scripted body). */
export function sendNativeError(ex: Exchange, d: Extract<Decision, { kind: "error" }>): void {
  ex.send(d.error.status, d.body ?? goJson({ error: d.error.message }), d.contentType ?? JSON_TYPE);
}

/** Serves POST /api/chat. */
export async function serveChat(ex: Exchange, body: unknown, text: string, state: ServerState): Promise<void> {
  const d = decideChat(body, text, "native", state);
  if (d.kind === "error") {
    if (d.afterLoad) await ex.delayHeaders();
    if (d.runner === true && !atLeast(state.options.version, "0.12.6")) {
      // server/routes.go before v0.12.6: a runner error reached streamResponse as an error line under the
      // 200 already decided (streamed), or as a 500 from the non-streaming collector.
      const line = goJson({ error: d.error.message });
      const streamed = (body as { stream?: unknown } | null)?.stream !== false;
      return streamed ? ex.stream(200, NDJSON_TYPE, [line + "\n"]) : ex.send(500, line, JSON_TYPE);
    }
    return sendNativeError(ex, d);
  }
  if (d.kind === "unload") {
    const unload = { model: d.model, created_at: goTime(), message: { role: "assistant", content: "" }, done: true, done_reason: "unload" };
    return ex.send(200, goJson(unload), JSON_TYPE);
  }
  await ex.delayHeaders();
  if (d.kind === "load") {
    const load = { model: d.model, created_at: goTime(), message: { role: "assistant", content: "" }, done: true, done_reason: "load" };
    return ex.send(200, goJson(load), JSON_TYPE);
  }
  const { plan, model } = d;
  if (plan.raw?.ndjson) {
    const lines = plan.raw.ndjson.map((l) => (l.endsWith("\n") ? l : l + "\n"));
    return ex.stream(200, NDJSON_TYPE, lines);
  }
  if (!d.stream) {
    if (plan.midStreamError) return ex.send(500, goJson({ error: plan.midStreamError.message ?? MID_STREAM_ERROR }), JSON_TYPE);
    if (plan.truncate) return ex.stream(200, JSON_TYPE, [], "destroy");
    const merged = merge([...plan.chunks, plan.done]);
    return ex.send(200, goJson(doneObject(model, merged, plan)), JSON_TYPE);
  }
  const pieces = ndjsonPieces(model, plan);
  if (plan.bulk) return ex.bulk(200, NDJSON_TYPE, pieces);
  return ex.stream(200, NDJSON_TYPE, pieces, plan.truncate?.mode ?? "end");
}
