/**
 * OpenAI-compatible answers (an SSE stream of chunks, or one chat.completion object) turned into
 * {@link ChatEvent}s: reasoning, text, tool calls once complete, and `done` with stopReason and usage.
 */
import { OclawError } from "../errors.ts";
import { readAtMost } from "../http/body.ts";
import { errorMessageFromBody } from "./server-errors.ts";
import type { ChatEvent, StopReason, Timings, Usage } from "./events.ts";
import { snippet } from "./ndjson.ts";
import { openaiSchemas, plainChunk, simpleChunk, type WireUsage } from "./openai-chunks.ts";
import { EventBatch } from "./event-batch.ts";
import { type SseMessage, SseParser, sseLines } from "./sse.ts";
import { ToolCallBuffer, type ToolCallDelta } from "./tool-calls.ts";

/** Largest non-streamed answer read: the stream's line cap. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * finish_reason → stopReason. A reply with tool calls stopped for them even when the server says "stop"
 * (Ollama did before 0.32.6), as the native client reads it; "content_filter" and others read as "stop".
 */
export function stopReasonOf(finishReason: string | null | undefined, sawToolCalls: boolean): StopReason {
  if (finishReason === "length") return "length";
  if (sawToolCalls || finishReason === "tool_calls" || finishReason === "function_call") return "tool_calls";
  return "stop";
}

function usageOf(usage: WireUsage | null | undefined): Usage | undefined {
  if (!usage || typeof usage.prompt_tokens !== "number" || typeof usage.completion_tokens !== "number") {
    return undefined;
  }
  return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
}

function errorInBody(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return errorMessageFromBody(JSON.stringify({ error: value })) ?? snippet(JSON.stringify(value));
}

/** Measures time to the first output and builds `done`'s timings. */
export type Clock = ReturnType<typeof startClock>;

/** Starts the clock of one request (`now` in ms, monotonic). */
export function startClock(now: () => number) {
  const started = now();
  let first: number | undefined;
  return {
    output(): void {
      first ??= now();
    },
    timings(usage: Usage | undefined): Timings {
      const end = now();
      const timings: Timings = { totalMs: end - started };
      if (first !== undefined) {
        timings.firstTokenMs = first - started;
        const generation = (end - first) / 1000;
        if (usage !== undefined && usage.outputTokens > 0 && generation > 0) {
          timings.tokensPerSecond = usage.outputTokens / generation;
        }
      }
      return timings;
    },
  };
}

/**
 * The events of an SSE reply, text that arrived in one read joined (see {@link EventBatch}). Tool calls
 * are yielded once the server gave a finish_reason (or at the end).
 * @throws OclawError E_STREAM for a chunk that is not JSON, an error chunk or line, a stream without
 *   `[DONE]`, or tool call arguments that are not a JSON object (after the events before it)
 */
export async function* streamEvents(
  body: ReadableStream<Uint8Array>,
  describe: () => string,
  time: Clock,
): AsyncGenerator<ChatEvent, void, undefined> {
  const calls = new ToolCallBuffer();
  const state: StreamState = { finish: undefined, usage: undefined, sawDone: false, sentFirst: false };
  const batch = new EventBatch();
  const parser = new SseParser(describe);
  for await (const lines of sseLines(body, describe)) {
    for (let at = 0; at < lines.length;) {
      at = readLines(lines, at, parser, state, calls, batch, describe, time);
      yield* batch.take();
    }
    if (state.problem !== undefined) throw state.problem;
    if (state.sawDone) break;
  }
  if (!state.sawDone) {
    throw new OclawError("E_STREAM", `${describe()} ended the stream without [DONE]`, {
      hint: "The server may have failed mid-generation; check its log",
    });
  }
  yield* takeCalls(calls, describe, time);
  yield {
    type: "done",
    stopReason: stopReasonOf(state.finish, calls.taken > 0),
    ...(state.usage ? { usage: state.usage } : {}),
    timings: time.timings(state.usage),
  };
}

/** What one SSE reply has said so far. */
interface StreamState {
  finish: string | undefined;
  usage: Usage | undefined;
  sawDone: boolean;
  /** The reply's first output went out (alone, at once). */
  sentFirst: boolean;
  /** What stopped the stream, to be thrown once the events before it are out. */
  problem?: unknown;
}

/**
 * Reads the lines of one network read from `lines[from]` into `batch`, each event as its blank line
 * completes it, in one synchronous pass (a plain function the engine optimises, not a loop inside an async
 * generator; no read's worth of events is kept). Stops after the reply's first output, which goes out
 * alone, at `[DONE]`, or at a problem (kept in `state`).
 * @returns where it stopped
 */
function readLines(
  lines: string[],
  from: number,
  parser: SseParser,
  state: StreamState,
  calls: ToolCallBuffer,
  batch: EventBatch,
  describe: () => string,
  time: Clock,
): number {
  for (let i = from; i < lines.length; i++) {
    try {
      const message = parser.line(lines[i]!);
      if (message === undefined) continue;
      readMessage(message, state, calls, batch, describe, time);
    } catch (error) {
      state.problem = error;
      return lines.length;
    }
    if (state.sawDone) return lines.length;
    if (!state.sentFirst && batch.holding) {
      state.sentFirst = true;
      return i + 1;
    }
  }
  return lines.length;
}

/**
 * Reads one SSE event into `state`, `calls` and `batch`.
 * @throws OclawError E_STREAM for an event that is not JSON, not a chunk, or an error
 */
function readMessage(
  message: SseMessage,
  state: StreamState,
  calls: ToolCallBuffer,
  batch: EventBatch,
  describe: () => string,
  time: Clock,
): void {
  if (message.data === "[DONE]") {
    state.sawDone = true;
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(message.data);
  } catch (error) {
    throw new OclawError("E_STREAM", `${describe()} sent an event that is not JSON: ${snippet(message.data)}`, {
      cause: error,
    });
  }
  const plain = message.event === "error" ? undefined : plainChunk(json) ?? simpleChunk(json);
  const parsed = plain === undefined ? openaiSchemas().chunk.safeParse(json) : { success: true as const, data: plain };
  if (!parsed.success) {
    throw new OclawError("E_STREAM", `${describe()} sent an unexpected chunk: ${snippet(message.data)}`, {
      cause: parsed.error,
    });
  }
  const chunk = parsed.data;
  const failure = message.event === "error" ? errorInBody(chunk.error ?? json) : errorInBody(chunk.error);
  if (failure !== undefined) {
    throw new OclawError("E_STREAM", `${describe()} failed mid-stream: ${failure}`);
  }
  state.usage = usageOf(chunk.usage) ?? state.usage;
  const choice = chunk.choices?.[0];
  if (choice === undefined) return;
  const delta = choice.delta;
  const thinking = delta?.reasoning ?? delta?.reasoning_content;
  if (thinking) {
    time.output();
    batch.append("thinking", thinking);
  }
  if (delta?.content) {
    time.output();
    batch.append("text", delta.content);
  }
  if (delta?.tool_calls) for (const call of delta.tool_calls) calls.add(call as ToolCallDelta);
  if (choice.finish_reason) {
    state.finish = choice.finish_reason;
    // Calls are complete once the server says why it stopped (the usage chunk may still follow).
    for (const event of takeCalls(calls, describe, time)) batch.add(event);
  }
}

function* takeCalls(
  calls: ToolCallBuffer,
  describe: () => string,
  time: Clock,
): Generator<ChatEvent, void, undefined> {
  if (!calls.pending) return;
  for (const call of calls.take(describe)) {
    time.output();
    yield { type: "tool_call", ...call };
  }
}

/**
 * The events of a non-streamed answer, all at once.
 * @throws OclawError E_STREAM for an answer that is not a chat completion
 */
export async function* completionEvents(
  body: ReadableStream<Uint8Array>,
  describe: () => string,
  time: Clock,
): AsyncGenerator<ChatEvent, void, undefined> {
  const read = await readAtMost(body, MAX_ANSWER_BYTES);
  if (read.over) throw new OclawError("E_STREAM", `${describe()} sent an answer longer than 16 MiB`);
  const text = read.text;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OclawError("E_STREAM", `${describe()} sent an answer that is not JSON: ${snippet(text)}`, {
      cause: error,
    });
  }
  const parsed = openaiSchemas().completion.safeParse(json);
  if (!parsed.success) {
    throw new OclawError("E_STREAM", `${describe()} sent an unexpected answer: ${snippet(text)}`, {
      cause: parsed.error,
    });
  }
  const failure = errorInBody(parsed.data.error);
  if (failure !== undefined) throw new OclawError("E_STREAM", `${describe()} failed: ${failure}`);
  const choice = parsed.data.choices?.[0];
  if (choice === undefined) throw new OclawError("E_STREAM", `${describe()} sent an answer without choices`);
  const message = choice.message;
  const usage = usageOf(parsed.data.usage);
  const thinking = message?.reasoning ?? message?.reasoning_content;
  if (thinking) {
    time.output();
    yield { type: "thinking", text: thinking };
  }
  if (message?.content) {
    time.output();
    yield { type: "text", text: message.content };
  }
  const calls = new ToolCallBuffer();
  // A non-streamed answer lists whole calls, often without an index: their position is one.
  for (const [index, call] of (message?.tool_calls ?? []).entries()) {
    calls.add({ ...call, index } as ToolCallDelta);
  }
  yield* takeCalls(calls, describe, time);
  yield {
    type: "done",
    stopReason: stopReasonOf(choice.finish_reason, calls.taken > 0),
    ...(usage ? { usage } : {}),
    timings: time.timings(usage),
  };
}
