/**
 * The native Ollama client: one `POST /api/chat` turned into {@link ChatEvent}s. The NDJSON reply is read
 * through a streaming decoder, each line parsed loosely (Ollama adds fields), and every protocol violation
 * (an `{"error"}` line, a malformed line, an end without `done:true`) is an E_STREAM error.
 */
import { providerHeaders, providerTransport } from "../catalog/provider-headers.ts";
import { clip, MAX_MESSAGE_CHARS } from "../clip.ts";
import { OclawError } from "../errors.ts";
import { withIdleTimeout } from "../http/body.ts";
import { apiRequest } from "./server-errors.ts";
import { warmOnce } from "./warm-up.ts";
import type { ChatEvent, StopReason, Timings, Usage } from "./events.ts";
import { EventBatch } from "./event-batch.ts";
import { ndjsonLines, parseNdjsonLine, snippet } from "./ndjson.ts";
import { type ChatLine, chatLineSchema, plainLine, simpleLine } from "./ollama-lines.ts";
import { knownOllamaError } from "./ollama-errors.ts";
import { isInvalidThink } from "./think.ts";
import { splitParams } from "./ollama-options.ts";
import type { ChatClient, ChatContext, ChatRequest, Message } from "./request.ts";

/**
 * Ollama `options` from the model's params: only the keys Ollama knows (lib/client/ollama-options.ts).
 * `num_ctx` is sent only when params set it (chat folds an explicitly configured contextWindow into params).
 * @throws OclawError E_CONFIG_INVALID for a known key with a wrong type
 */
export function ollamaOptions(model: ChatRequest["model"]): Record<string, unknown> {
  return splitParams(model.params, `params of ${model.ref}`).options;
}

function wireMessage(message: Message): Record<string, unknown> {
  switch (message.role) {
    case "system":
      return { role: "system", content: message.content };
    case "user":
      // Plain base64: a `data:` prefix is a 400 (server/routes.go decodes `images` as raw bytes).
      return message.images?.length
        ? { role: "user", content: message.content, images: message.images.map((image) => image.data) }
        : { role: "user", content: message.content };
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.thinking === undefined ? {} : { thinking: message.thinking }),
        ...(message.toolCalls?.length
          ? {
            tool_calls: message.toolCalls.map((c) => ({ id: c.id, function: { name: c.name, arguments: c.arguments } })),
          }
          : {}),
      };
    case "tool":
      return {
        role: "tool",
        content: message.content,
        ...(message.toolName === undefined ? {} : { tool_name: message.toolName }),
        ...(message.toolCallId === undefined ? {} : { tool_call_id: message.toolCallId }),
      };
  }
}

/**
 * The `/api/chat` request body for a {@link ChatRequest}: known options in `options`, `format`,
 * `keep_alive`, `truncate` and `shift` at the top level (api/types.go `ChatRequest`).
 * @throws OclawError E_CONFIG_INVALID for a param of a known key with a wrong type
 */
export function ollamaRequestBody(request: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model.id,
    messages: request.messages.map(wireMessage),
    stream: request.stream,
  };
  if (request.tools?.length) body.tools = request.tools;
  if (request.think !== undefined) body.think = request.think;
  const { options, topLevel } = splitParams(request.model.params, `params of ${request.model.ref}`);
  // Not beside tools: a schema-held reply cannot call them (lib/chat/server-rules.ts warns).
  const format = request.tools?.length ? undefined : request.format ?? topLevel.format;
  if (format !== undefined) body.format = format;
  if (Object.keys(options).length > 0) body.options = options;
  if (topLevel.keep_alive !== undefined) body.keep_alive = topLevel.keep_alive;
  const truncate = request.truncate ?? topLevel.truncate;
  if (truncate !== undefined) body.truncate = truncate;
  if (topLevel.shift !== undefined) body.shift = topLevel.shift;
  return body;
}

const ms = (ns: number | undefined) => (ns === undefined ? undefined : ns / 1e6);

function doneEvent(line: ChatLine, sawToolCalls: boolean, measured: Timings): Extract<ChatEvent, { type: "done" }> {
  const stopReason: StopReason = line.done_reason === "length" ? "length" : sawToolCalls ? "tool_calls" : "stop";
  const timings: Timings = {};
  const set = (key: keyof Timings, value: number | undefined) => {
    if (value !== undefined) timings[key] = value;
  };
  set("totalMs", ms(line.total_duration) ?? measured.totalMs);
  set("loadMs", ms(line.load_duration));
  set("promptEvalMs", ms(line.prompt_eval_duration));
  set("evalMs", ms(line.eval_duration));
  set("firstTokenMs", measured.firstTokenMs);
  if (line.eval_count !== undefined && line.eval_duration !== undefined && line.eval_duration > 0) {
    timings.tokensPerSecond = line.eval_count / (line.eval_duration / 1e9);
  }
  // Ollama omits zero counts; any count present means the server reported usage.
  const usage: Usage | undefined = line.prompt_eval_count === undefined && line.eval_count === undefined
    ? undefined
    : { inputTokens: line.prompt_eval_count ?? 0, outputTokens: line.eval_count ?? 0 };
  return usage === undefined ? { type: "done", stopReason, timings } : { type: "done", stopReason, usage, timings };
}

/**
/** The warning code for tool calls dropped because the reply hit its length limit. */
export const TOOL_CALL_TRUNCATED = "W_TOOL_CALL_TRUNCATED";

/** `call_` + 8 random lowercase letters and digits, the shape of Ollama's own tool call ids. */
export function toolCallId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return "call_" + Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

/** What one `/api/chat` reply has said so far, beyond its text. */
interface ReplyState {
  source: string;
  /** Tool calls seen (the done event's stopReason). */
  calls: number;
  /** When the first output was read (ms since the request), once it was. */
  firstTokenMs?: number;
  /** The done:true line, once it came. */
  doneLine?: ChatLine;
  /** What stopped the stream, to be thrown once the events before it are out. */
  problem?: unknown;
}

/**
 * Reads a line that is not a plain token line into `batch` and `state`: an `{"error"}` line, a line the
 * schema must judge, tool calls, the done line.
 * @throws OclawError E_STREAM for an error line, a line of the wrong shape or tool-call arguments that are
 *   not an object
 */
function readLine(value: unknown, state: ReplyState, batch: EventBatch): void {
  const { source } = state;
  if (value !== null && typeof value === "object" && "error" in value) {
    const error = (value as { error: unknown }).error;
    const raw = typeof error === "string" ? error : JSON.stringify(error);
    // Before 0.12.6 an error before any output came this way too (200, then the line): the same
    // errors as an HTTP status are named the same way.
    throw knownOllamaError(source, undefined, raw) ??
      new OclawError("E_STREAM", `${source} failed mid-stream: ${clip(raw, MAX_MESSAGE_CHARS)}`);
  }
  const simple = simpleLine(value);
  const parsed = simple === undefined ? chatLineSchema().safeParse(value) : { success: true as const, data: simple };
  if (!parsed.success) {
    throw new OclawError("E_STREAM", `${source} sent an unexpected line: ${snippet(JSON.stringify(value))}`, {
      cause: parsed.error,
    });
  }
  const line = parsed.data;
  const message = line.message;
  // Every line, the done:true one included, may carry thinking, content and tool calls.
  if (message?.thinking) batch.append("thinking", message.thinking);
  if (message?.content) batch.append("text", message.content);
  const toolCalls = message?.tool_calls ?? [];
  if (line.done === true && line.done_reason === "length" && toolCalls.length > 0) {
    // llama-server (0.31+) parses calls at the end: with done_reason "length" the model was cut off while
    // writing them, and their arguments are whatever was parsed of a half-written call.
    const what = toolCalls.map((c) => `${c.function.name} ${snippet(JSON.stringify(c.function.arguments ?? {}))}`);
    batch.add({
      type: "warning",
      code: TOOL_CALL_TRUNCATED,
      message: `${source} stopped at its length limit while writing ${toolCalls.length === 1 ? "a tool call" : "tool calls"}; ` +
        `dropped: ${what.join(", ")} (raise num_predict or num_ctx)`,
    });
    toolCalls.length = 0;
  }
  for (const call of toolCalls) {
    // Servers before 0.12.10 send no id: make one up as Ollama does, unique across turns.
    const id = call.id ?? toolCallId();
    state.calls++;
    batch.add({ type: "tool_call", id, name: call.function.name, arguments: toolArguments(call.function.arguments, source) });
  }
  if (line.done === true) state.doneLine = line;
}

/**
 * Reads the lines of one network read from `items[from]` into `batch`, in one synchronous pass (a plain
 * function the engine optimises, not a loop inside an async generator); `valueOf` parses a raw line (or
 * passes a parsed value through). Stops after the reply's first output, which goes out alone, after the
 * done line, or at a problem (kept in `state`).
 * @returns where it stopped
 */
function readItems<T>(
  items: T[],
  from: number,
  valueOf: (item: T) => unknown,
  state: ReplyState,
  batch: EventBatch,
  since: () => number,
): number {
  for (let i = from; i < items.length; i++) {
    try {
      const value = valueOf(items[i]!);
      if (value === undefined) continue;
      // Nearly every line is a token line: its text is appended to the batch's, with no event of its own.
      const plain = plainLine(value)?.message;
      if (plain !== undefined) {
        if (plain.thinking) batch.append("thinking", plain.thinking);
        if (plain.content) batch.append("text", plain.content);
      } else {
        readLine(value, state, batch);
        if (state.doneLine !== undefined) return items.length;
      }
    } catch (error) {
      state.problem = error;
      return items.length;
    }
    if (state.firstTokenMs === undefined && batch.holding) {
      state.firstTokenMs = since();
      return i + 1;
    }
  }
  return items.length;
}

/**
 * Turns an `/api/chat` reply, a batch of lines per network read, into events. The text (or thinking) of one
 * batch is appended to one string and becomes one event: those tokens arrived at the same moment, so
 * nothing waits, and a fast stream costs no event per token. `now` and `startedAt` measure time to first
 * token.
 * @throws OclawError E_STREAM for an `{"error"}` line, a line of the wrong shape, or an end before `done:true`
 *   (after the events of the lines before it)
 */
async function* replyEvents<T>(
  reads: AsyncIterable<T[]>,
  valueOf: (item: T) => unknown,
  source: string,
  now: () => number,
  startedAt: number,
): AsyncGenerator<ChatEvent, void, undefined> {
  const state: ReplyState = { source, calls: 0 };
  const since = () => now() - startedAt;
  const batch = new EventBatch();
  for await (const items of reads) {
    for (let at = 0; at < items.length;) {
      at = readItems(items, at, valueOf, state, batch, since);
      yield* batch.take();
    }
    if (state.problem !== undefined) throw state.problem;
    if (state.doneLine !== undefined) {
      const measured: Timings = { totalMs: since() };
      if (state.firstTokenMs !== undefined) measured.firstTokenMs = state.firstTokenMs;
      yield doneEvent(state.doneLine, state.calls > 0, measured);
      return;
    }
  }
  throw new OclawError("E_STREAM", `${source}: stream ended before done`, {
    hint: "The server closed the reply early (crashed, restarted, or a proxy cut it); try again",
  });
}

/**
 * The events of an `/api/chat` body: each line parsed as it is read and dropped (no read's worth of parsed
 * lines is kept alive; see lib/client/ndjson.ts's {@link ndjsonLines}).
 * @throws OclawError as {@link replyEvents}, E_STREAM for a malformed line or one over the cap, and the
 *   body's own errors
 */
export function ollamaBodyEvents(
  body: ReadableStream<Uint8Array>,
  source: string,
  now: () => number = () => performance.now(),
  startedAt: number = now(),
): AsyncGenerator<ChatEvent, void, undefined> {
  return replyEvents(ndjsonLines(body, { source }), (line: string) => parseNdjsonLine(line, source), source, now, startedAt);
}

/**
 * The same reading of lines already parsed, a batch per read (tests).
 * @throws OclawError as {@link replyEvents}
 */
export function ollamaEvents(
  batches: AsyncIterable<unknown[]>,
  source: string,
  now: () => number = () => performance.now(),
  startedAt: number = now(),
): AsyncGenerator<ChatEvent, void, undefined> {
  return replyEvents(batches, (value) => value, source, now, startedAt);
}

function toolArguments(raw: Record<string, unknown> | string | undefined, source: string): Record<string, unknown> {
  if (raw === undefined) return {};
  if (typeof raw !== "string") return raw;
  try {
    const parsed: unknown = JSON.parse(raw === "" ? "{}" : raw);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // Reported below.
  }
  throw new OclawError("E_STREAM", `${source} sent tool-call arguments that are not a JSON object: ${snippet(raw)}`);
}

async function post(request: ChatRequest, context: ChatContext, body: Record<string, unknown>): Promise<Response> {
  const { connectMs, headersMs } = context.timeouts;
  return await apiRequest(context.http, `${request.provider.baseUrl}/api/chat`, {
    method: "POST",
    json: body,
    headers: providerHeaders(request.provider, request.model),
    transport: providerTransport(request.provider),
    signal: context.signal,
    ...(connectMs === undefined ? {} : { connectTimeoutMs: connectMs }),
    ...(headersMs === undefined ? {} : { headersTimeoutMs: headersMs }),
  });
}

/** Runs a two-line reply through the stream path (lib/client/warm-up.ts says why). */
async function warmUp(): Promise<void> {
  const reply = '{"message":{"role":"assistant","content":"."},"done":false}\n{"message":{"role":"assistant","content":""},"done":true}\n';
  const body = withIdleTimeout(new Response(reply).body!, 60_000, () => "warm-up");
  for await (const _ of ollamaBodyEvents(body, "warm-up")) void _;
}

/**
 * The native `/api/chat` client. A 400 "does not support thinking" is retried once without `think`, and a
 * 400 "invalid think value" once with the nearest value an older server takes ("max" → "high" → true).
 * @throws OclawError from lib/http and lib/client/server-errors.ts (E_UNREACHABLE, E_DNS, E_TIMEOUT, E_HTTP, E_MODEL_NOT_FOUND, E_NO_TOOLS,
 *   the signal's reason), E_TIMEOUT when the stream stalls, E_STREAM for protocol violations
 */
export const ollamaChat: ChatClient = async function* (request, context) {
  const log = context.http.log;
  const now = context.http.now;
  const source = `Ollama at ${new URL(request.provider.baseUrl).origin}`;
  const body = ollamaRequestBody(request);
  const startedAt = now();
  let response: Response;
  try {
    const answer = post(request, context, body);
    answer.catch(() => {});
    await warmOnce("ollama", warmUp);
    response = await answer;
  } catch (error) {
    if (!("think" in body)) throw error;
    if (error instanceof OclawError && error.code === "E_NO_THINKING") {
      log.debug(`${request.model.ref} does not support thinking; retrying without think`);
      delete body.think;
    } else if (isInvalidThink(error) && typeof body.think === "string") {
      // An older server: "max" is known since 0.21.3, levels since 0.11.0; ask for the nearest it takes.
      const lower = body.think === "max" ? "high" : true;
      log.debug(`${request.model.ref}: Ollama refused think ${JSON.stringify(body.think)}; retrying with ${JSON.stringify(lower)}`);
      body.think = lower;
    } else {
      throw error;
    }
    response = await post(request, context, body);
  }
  if (response.body === null) throw new OclawError("E_STREAM", `${source} sent an empty reply`);
  const stream = withIdleTimeout(response.body, context.timeouts.idleMs, () => source, context.signal);
  yield* ollamaBodyEvents(stream, source, now, startedAt);
};
