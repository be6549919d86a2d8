/**
 * What a chat client is asked to do, independent of the wire format. Both the native client
 * (`/api/chat`) and the OpenAI-compatible client (`/v1/chat/completions`) take a {@link ChatRequest}
 * and yield {@link ChatEvent}s.
 */
import type { CatalogModel, Provider } from "../catalog/types.ts";
import type { HttpContext } from "../http/context.ts";
import type { ChatEvent } from "./events.ts";

/** A tool the model may call (the `--tools FILE` entries). */
export interface ToolDefinition {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** The conversation's message type lives with its schema in lib/chat/messages.ts (a leaf: types only here). */
import type { Message } from "../chat/messages.ts";
export type { Image, Message, ToolCall } from "../chat/messages.ts";

/** `think`: on/off or an effort level. */
export type Think = boolean | "low" | "medium" | "high" | "max";

/** One chat turn to send. */
export interface ChatRequest {
  provider: Provider;
  /** The model (its `id` is sent, without the provider prefix). */
  model: CatalogModel;
  messages: Message[];
  tools?: ToolDefinition[];
  /** Omitted → the server's default (thinking models think by default since Ollama 0.12.4). */
  think?: Think;
  /** "json" or a JSON schema. */
  format?: "json" | Record<string, unknown>;
  /** `truncate` (false: Ollama refuses an over-long prompt instead of cutting it; v0.12.6+). */
  truncate?: boolean;
  /** Stream the reply (default true; `params.streaming: false` or `--no-stream` turn it off). */
  stream: boolean;
}

/** Timers a chat request runs under; each optional. */
export interface ChatTimeouts {
  /** Opening the connection. */
  connectMs?: number;
  /** From request to response headers (generous: cold loads on CPU take minutes). */
  headersMs?: number;
  /** Longest gap between two chunks of the body. */
  idleMs?: number;
}

/** What a client needs besides the request. */
export interface ChatContext {
  http: HttpContext;
  /** Ctrl-C, the run's `--timeout`, or the reader of stdout going away. */
  signal: AbortSignal;
  timeouts: ChatTimeouts;
}

/** A chat client: one per wire format. */
export type ChatClient = (request: ChatRequest, context: ChatContext) => AsyncIterable<ChatEvent>;
