/**
 * From a scripted {@link Reply} to the chunks a server of a given version would produce: thinking and
 * content tokens, tool calls placed on chosen chunks (or the done line), metrics, and the version quirks
 * (no thinking field before 0.9.0, tool call id/index rules, tool calls not streamed before 0.8.0).
 * Both the native NDJSON and the OpenAI SSE renderers consume the resulting {@link Plan}.
 */
import type { ChatCall, Replies, Reply, ReplyMetrics, ReplyToolCall } from "./types.ts";
import { atLeast } from "./version.ts";

/** A tool call as /api/chat writes it. */
export interface WireToolCall {
  id?: string;
  function: { index?: number; name: string; arguments: Record<string, unknown> };
}

/** The `message` of one native chunk (role is always "assistant"). */
export interface ChunkMessage {
  content: string;
  thinking?: string;
  tool_calls?: WireToolCall[];
}

/** Everything a renderer needs to write one reply. */
export interface Plan {
  /** The done:false chunks, in order (lazy in bulk mode). */
  chunks: Iterable<ChunkMessage>;
  /** What rides on the done:true line. */
  done: ChunkMessage;
  doneReason: string;
  /** Non-zero metrics, in Ollama's field order. */
  metrics: Partial<ReplyMetrics>;
  midStreamError: Reply["midStreamError"];
  truncate: Reply["truncate"];
  bulk: boolean;
  /** A recorded stream to write verbatim instead. */
  raw?: Reply["raw"];
  /** /v1: this reply's tool calls go out in fragments (undefined: the server option decides). */
  fragmentToolCalls: boolean | undefined;
}

/** What of the request shapes the plan. */
export interface PlanContext {
  version: string;
  /** `think` as sent (undefined when absent). */
  think: unknown;
  hasTools: boolean;
  stream: boolean;
  /** The prompt's tokens as the runner evaluated them (after any cut): the default `prompt_eval_count`. */
  promptEvalCount?: number;
}

/** The reply a model gives when none is scripted. */
export const DEFAULT_REPLY: Reply = { content: "Hello! How can I help you today?" };

/** Splits text into word tokens that keep their leading whitespace: "a b" → ["a", " b"]. */
export function tokens(text: string | string[] | undefined): string[] {
  if (text === undefined) return [];
  if (Array.isArray(text)) return text;
  return text.match(/\s*\S+|\s+/g) ?? [];
}

/** Picks the scripted reply for a call: function, exact request string, store name, then "*". */
export function pickReply(replies: Replies, call: ChatCall): Reply {
  if (typeof replies === "function") return replies(call) ?? DEFAULT_REPLY;
  const entry = replies[call.model] ?? replies[call.resolved] ?? replies["*"];
  if (entry === undefined) return DEFAULT_REPLY;
  if (!Array.isArray(entry)) return entry;
  return entry[Math.min(call.turn, entry.length - 1)] ?? DEFAULT_REPLY;
}

const ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `call_` + 8 random lowercase letters and digits, like Ollama's tool call ids. */
export function toolCallId(): string {
  let id = "call_";
  for (let i = 0; i < 8; i++) id += ID_CHARS[Math.floor(Math.random() * ID_CHARS.length)];
  return id;
}

function wireCall(call: ReplyToolCall, position: number, version: string): WireToolCall {
  const out: WireToolCall = { function: { name: call.name, arguments: call.arguments } };
  const id = call.id === undefined ? (atLeast(version, "0.12.10") ? toolCallId() : undefined) : call.id;
  if (id !== null && id !== undefined) out.id = id;
  const index = call.index === undefined ? position : call.index;
  // `index` is always written since 0.12.6; before, Go's omitempty dropped index 0.
  if (index !== null && (index !== 0 || atLeast(version, "0.12.6"))) {
    out.function = { index, name: call.name, arguments: call.arguments };
  }
  return out;
}

function defaultMetrics(evalCount: number, promptEvalCount = 26): ReplyMetrics {
  const load = 41_295_167;
  const promptEval = 24_573_166;
  const evalDuration = Math.max(1, evalCount) * 7_730_000;
  return {
    total_duration: load + promptEval + evalDuration + 1_000_000,
    load_duration: load,
    prompt_eval_count: promptEvalCount,
    prompt_eval_duration: promptEval,
    eval_count: evalCount,
    eval_duration: evalDuration,
  };
}

function metricsOf(reply: Reply, evalCount: number, promptEvalCount?: number): Partial<ReplyMetrics> {
  const all = { ...defaultMetrics(evalCount, promptEvalCount), ...reply.metrics };
  const out: Partial<ReplyMetrics> = {};
  for (const key of Object.keys(all) as Array<keyof ReplyMetrics>) if (all[key]) out[key] = all[key];
  return out;
}

const BULK_WORDS = [" the", " quick", " brown", " fox", " jumps", " over", " a", " lazy", " dog", "."];

/** The lazy chunks of a bulk reply: `count` content tokens, never all in memory. */
export function* bulkChunks(count: number): Generator<ChunkMessage> {
  for (let i = 0; i < count; i++) yield { content: BULK_WORDS[i % BULK_WORDS.length]! };
}

/** Builds the plan a server of `ctx.version` would stream for `reply`. */
export function buildPlan(reply: Reply, ctx: PlanContext): Plan {
  const base = {
    doneReason: reply.doneReason ?? "stop",
    midStreamError: reply.midStreamError,
    truncate: reply.truncate,
    fragmentToolCalls: reply.fragmentToolCalls,
  };
  if (reply.bulkTokens !== undefined) {
    return { ...base, chunks: bulkChunks(reply.bulkTokens), done: { content: "" }, metrics: metricsOf(reply, reply.bulkTokens, ctx.promptEvalCount), bulk: true };
  }

  const { version } = ctx;
  let thinking = tokens(reply.thinking);
  let content = tokens(reply.content);
  if (ctx.think === false) thinking = [];
  // Before 0.9.0 there is no thinking field, and before 0.12.4 an omitted `think` does not separate it:
  // the model's raw <think> block lands in the content.
  const separate = atLeast(version, "0.9.0") && (ctx.think !== undefined || atLeast(version, "0.12.4"));
  if (thinking.length && !separate) {
    content = ["<think>", ...thinking, "</think>\n\n", ...content];
    thinking = [];
  }

  const chunks: ChunkMessage[] = [
    ...thinking.map((t) => ({ content: "", thinking: t })),
    ...content.map((t) => ({ content: t })),
  ];
  const evalCount = chunks.length + (reply.toolCalls?.length ?? 0);
  const done: ChunkMessage = { content: "" };
  const calls = (reply.toolCalls ?? []).map((c, i) => ({ call: c, wire: wireCall(c, i, version) }));

  if (ctx.stream && ctx.hasTools && calls.length && !atLeast(version, "0.4.6")) {
    // ≤ 0.4.5 streamed tool calls as raw JSON text in the content.
    const text = calls.map(({ call }) => JSON.stringify({ name: call.name, arguments: call.arguments })).join("\n");
    chunks.push({ content: text });
  } else {
    for (const { call, wire } of calls) {
      if (call.chunk === "done") {
        (done.tool_calls ??= []).push(wire);
      } else if (typeof call.chunk === "number") {
        while (chunks.length <= call.chunk) chunks.push({ content: "" });
        (chunks[call.chunk]!.tool_calls ??= []).push(wire);
      } else {
        chunks.push({ content: "", tool_calls: [wire] });
      }
    }
  }

  if (ctx.stream && ctx.hasTools && !atLeast(version, "0.8.0") && chunks.length > 1) {
    // 0.4.6–0.7.x buffered the whole output when tools were sent: one chunk, then done.
    return { ...base, chunks: [merge(chunks)], done, metrics: metricsOf(reply, evalCount, ctx.promptEvalCount), bulk: false };
  }
  return { ...base, chunks, done, metrics: metricsOf(reply, evalCount, ctx.promptEvalCount), bulk: false };
}

/** Merges chunks into one message: content and thinking concatenated, tool calls in order. */
export function merge(chunks: Iterable<ChunkMessage>): ChunkMessage {
  let content = "";
  let thinking = "";
  const calls: WireToolCall[] = [];
  for (const c of chunks) {
    content += c.content;
    thinking += c.thinking ?? "";
    calls.push(...(c.tool_calls ?? []));
  }
  const out: ChunkMessage = { content };
  if (thinking) out.thinking = thinking;
  if (calls.length) out.tool_calls = calls;
  return out;
}
