/**
 * The OpenAI-compatible routes: POST /v1/chat/completions (a wrapper over the native chat handler, as in
 * Ollama's middleware) and GET /v1/models. SSE in both chunk layouts (before/after v0.32.6), tool calls
 * whole (Ollama) or in fragments (vLLM/OpenAI), `delta.reasoning`, the usage chunk, OpenAI error bodies.
 */
import { decideChat, JSON_TYPE } from "./chat.ts";
import { MID_STREAM_ERROR, openaiErrorBody } from "./errors.ts";
import type { Exchange, ServerState } from "./exchange.ts";
import { goJson } from "./go-json.ts";
import { type ChunkMessage, merge, type Plan, type WireToolCall } from "./reply.ts";
import { atLeast } from "./version.ts";

const SSE_TYPE = "text/event-stream";
// Ollama's middleware writes /v1 bodies with json.Encoder: plain application/json and a trailing newline.
const V1_JSON_TYPE = "application/json";

interface OpenaiToolCall {
  id?: string;
  index: number;
  type?: string;
  function: { name?: string; arguments: string };
}

/** Ollama's /v1 layer makes up an id when the model's call has none: `call_` + 8 lowercase letters/digits. */
function callId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return "call_" + Array.from({ length: 8 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
}

function toOpenaiCalls(calls: WireToolCall[]): OpenaiToolCall[] {
  return calls.map((c) => ({
    id: c.id ?? callId(),
    index: c.function.index ?? 0,
    type: "function",
    function: { name: c.function.name, arguments: goJson(c.function.arguments) },
  }));
}

/**
 * `reasoning_effort` (or `reasoning.effort`) as the middleware of `version` reads it (openai/openai.go):
 * from 0.12.4 it must be high/medium/low/none ("max" too from 0.21.3; anything else is a 400 of its own) and
 * "none" turns thinking off; before, the value is handed on as `think` and judged by the native handler.
 */
function effortProblem(effort: unknown, version: string): string | undefined {
  if (effort === undefined || effort === "" || !atLeast(version, "0.12.4")) return undefined;
  const levels = atLeast(version, "0.21.3") ? ["high", "medium", "low", "max", "none"] : ["high", "medium", "low", "none"];
  if (typeof effort === "string" && levels.includes(effort)) return undefined;
  const words = levels.map((l) => `"${l}"`);
  return `invalid reasoning value: '${String(effort)}' (must be ${words.slice(0, -1).join(", ")}, or ${words.at(-1)})`;
}

/** Turns the OpenAI request into the native one Ollama's middleware forwards. */
function nativeBody(body: Record<string, unknown>, version: string): Record<string, unknown> {
  const messages = (Array.isArray(body.messages) ? body.messages : []).map((m) => {
    const msg = { ...(m as Record<string, unknown>) };
    if (Array.isArray(msg.tool_calls)) {
      msg.tool_calls = msg.tool_calls.map((c: { function?: { name?: string; arguments?: unknown } }) => ({
        function: {
          name: c.function?.name,
          arguments: typeof c.function?.arguments === "string" ? JSON.parse(c.function.arguments || "{}") : c.function?.arguments,
        },
      }));
    }
    return msg;
  });
  const effort = body.reasoning_effort ?? (body.reasoning as { effort?: unknown } | undefined)?.effort;
  const out: Record<string, unknown> = { model: body.model, messages, stream: body.stream === true };
  if (body.tools !== undefined) out.tools = body.tools;
  if (effort !== undefined && effort !== "") out.think = effort === "none" && atLeast(version, "0.12.4") ? false : effort;
  return out;
}

/** Writes SSE events for a plan: pieces of `data: {json}\n\n`, ending with `data: [DONE]\n\n`. */
function* ssePieces(model: string, plan: Plan, legacy: boolean, fragment: boolean, usage: boolean): Generator<string> {
  const id = `chatcmpl-${Math.floor(Math.random() * 999)}`;
  const head = () => ({ id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model, system_fingerprint: "fp_ollama" });
  const event = (value: unknown) => `data: ${goJson(value)}\n\n`;
  let first = true;
  let toolCallSent = false;
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    event({ ...head(), choices: [{ index: 0, delta, finish_reason: finish }] });
  const delta = (fields: Record<string, unknown>): Record<string, unknown> => {
    if (legacy) return { role: "assistant", content: "", ...fields };
    const out = first ? { role: "assistant", ...fields } : fields;
    first = false;
    return out;
  };
  function* contentEvents(m: ChunkMessage, finish: string | null): Generator<string> {
    const fields: Record<string, unknown> = {};
    if (m.content || legacy || first) fields.content = m.content;
    if (m.thinking) fields.reasoning = m.thinking;
    const calls = toOpenaiCalls(m.tool_calls ?? []);
    if (calls.length) toolCallSent = true;
    if (calls.length && fragment) {
      if (fields.content || fields.reasoning || finish) yield chunk(delta(fields), null);
      for (const c of calls) yield chunk(delta({ tool_calls: [{ index: c.index, id: c.id, type: "function", function: { name: c.function.name, arguments: "" } }] }), null);
      // Arguments in small fragments, calls interleaved, like vLLM streaming several calls.
      const pieces = calls.map((c) => c.function.arguments.match(/[\s\S]{1,7}/g) ?? []);
      for (let k = 0; k < Math.max(...pieces.map((p) => p.length)); k++) {
        for (const [n, c] of calls.entries()) {
          const piece = pieces[n]![k];
          if (piece !== undefined) yield chunk(delta({ tool_calls: [{ index: c.index, function: { arguments: piece } }] }), null);
        }
      }
      if (finish) yield chunk(delta({}), finish);
      return;
    }
    if (calls.length) fields.tool_calls = calls;
    if (!legacy && !finish && Object.keys(fields).length === 0 && !first) return;
    yield chunk(delta(fields), finish);
  }

  let i = 0;
  for (const m of plan.chunks) {
    if (plan.midStreamError && i >= plan.midStreamError.afterChunks) return yield* failure();
    if (plan.truncate && i >= plan.truncate.afterChunks) return;
    yield* contentEvents(m, null);
    i++;
  }
  if (plan.midStreamError) return yield* failure();
  if (plan.truncate) return;
  const hasDoneContent = plan.done.content || plan.done.thinking || plan.done.tool_calls?.length;
  if (hasDoneContent && !legacy) yield* contentEvents(plan.done, null);
  const finish = toolCallSent || plan.done.tool_calls?.length ? "tool_calls" : plan.doneReason;
  if (legacy) yield* contentEvents(plan.done, finish);
  else yield chunk(delta({}), finish);
  if (usage) {
    const p = plan.metrics.prompt_eval_count ?? 0;
    const c = plan.metrics.eval_count ?? 0;
    yield event({ ...head(), choices: [], usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c } });
  }
  yield "data: [DONE]\n\n";

  function* failure(): Generator<string> {
    if (plan.midStreamError?.sseErrorEvent) {
      yield event(openaiErrorBody(500, plan.midStreamError.message ?? MID_STREAM_ERROR));
      return;
    }
    // Ollama's middleware decodes the {"error"} line as an empty chat response: one empty chunk, no [DONE].
    yield event({ ...head(), model: "", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
  }
}

function sendOpenaiError(ex: Exchange, status: number, message: string, direct: boolean): void {
  // Errors from the middleware itself go through gin's JSON (charset, no newline); errors from the
  // wrapped handler through the middleware's json.Encoder.
  if (direct) ex.send(status, goJson(openaiErrorBody(status, message)), JSON_TYPE);
  else ex.send(status, goJson(openaiErrorBody(status, message)) + "\n", V1_JSON_TYPE);
}

/** Serves POST /v1/chat/completions. */
export async function serveChatCompletions(ex: Exchange, raw: unknown, text: string, state: ServerState): Promise<void> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return sendOpenaiError(ex, 400, text.trim() ? `invalid character '${text.trim()[0]}' looking for beginning of value` : "EOF", true);
  }
  const body = raw as Record<string, unknown>;
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return sendOpenaiError(ex, 400, "[] is too short - 'messages'", true);
  }
  const effort = body.reasoning_effort ?? (body.reasoning as { effort?: unknown } | undefined)?.effort;
  const bad = effortProblem(effort, state.options.version);
  if (bad !== undefined) return sendOpenaiError(ex, 400, bad, true);
  const d = decideChat(nativeBody(body, state.options.version), text, "openai", state);
  if (d.kind === "error") {
    if (d.afterLoad) await ex.delayHeaders();
    if (d.runner === true && !atLeast(state.options.version, "0.12.6")) {
      // Before 0.12.6 the runner's error was a 200 + error line, which the middleware turns into an empty
      // chunk and no [DONE] (streamed), or a 500 (not streamed).
      if (body.stream !== true) return sendOpenaiError(ex, 500, d.error.message, false);
      const empty = { id: "chatcmpl-0", object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: "", system_fingerprint: "fp_ollama", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] };
      return ex.stream(200, SSE_TYPE, [`data: ${goJson(empty)}\n\n`]);
    }
    if (d.body !== undefined) return ex.send(d.error.status, d.body, d.contentType ?? V1_JSON_TYPE);
    return sendOpenaiError(ex, d.error.status, d.error.message, false);
  }
  await ex.delayHeaders();
  if (d.kind === "load" || d.kind === "unload") return sendOpenaiError(ex, 400, "[] is too short - 'messages'", true);
  const { plan, model } = d;
  const { options } = state;
  if (plan.raw?.sse) return ex.stream(200, SSE_TYPE, plan.raw.sse);
  if (!d.stream) {
    if (plan.midStreamError) return sendOpenaiError(ex, 500, plan.midStreamError.message ?? MID_STREAM_ERROR, false);
    if (plan.truncate) return ex.stream(200, V1_JSON_TYPE, [], "destroy");
    const m = merge([...plan.chunks, plan.done]);
    const calls = toOpenaiCalls(m.tool_calls ?? []);
    const message: Record<string, unknown> = { role: "assistant", content: m.content };
    if (m.thinking) message.reasoning = m.thinking;
    if (calls.length) message.tool_calls = calls;
    const p = plan.metrics.prompt_eval_count ?? 0;
    const c = plan.metrics.eval_count ?? 0;
    const completion = {
      id: `chatcmpl-${Math.floor(Math.random() * 999)}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: "fp_ollama",
      choices: [{ index: 0, message, finish_reason: calls.length ? "tool_calls" : plan.doneReason }],
      usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c },
    };
    return ex.send(200, goJson(completion) + "\n", V1_JSON_TYPE);
  }
  const legacy = options.sseLayout === "legacy" || (options.sseLayout === "auto" && !atLeast(options.version, "0.32.6"));
  const fragment = plan.fragmentToolCalls ?? options.fragmentToolCalls;
  const usage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const pieces = ssePieces(model, plan, legacy, fragment, usage);
  if (plan.bulk) return ex.bulk(200, SSE_TYPE, pieces);
  return ex.stream(200, SSE_TYPE, pieces, plan.truncate?.mode ?? "end");
}
