/**
 * The one event stream both chat clients produce (native `/api/chat` and OpenAI-compatible
 * `/v1/chat/completions`). Fallback, rendering, stats and tests see only these events, never NDJSON or SSE.
 */

/** Why the model stopped. */
export type StopReason = "stop" | "length" | "tool_calls";

/** Token counts reported by the server. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** Durations in milliseconds; each present only when known. */
export interface Timings {
  /** Whole request, as measured by the server (Ollama's total_duration) or by oclaw. */
  totalMs?: number;
  /** Model load time (Ollama's load_duration). */
  loadMs?: number;
  /** Prompt evaluation time (Ollama's prompt_eval_duration). */
  promptEvalMs?: number;
  /** Generation time (Ollama's eval_duration). */
  evalMs?: number;
  /** From sending the request to the first thinking, text or tool-call event, measured by oclaw. */
  firstTokenMs?: number;
  /** Output tokens per second of generation. */
  tokensPerSecond?: number;
}

/** What a client yields while a reply streams in. */
export type ChatEvent =
  | { type: "thinking"; text: string }
  | { type: "text"; text: string }
  | {
    type: "tool_call";
    id: string;
    name: string;
    /** The parsed arguments object. */
    arguments: Record<string, unknown>;
    /** True when the model wrote the call as reply text and oclaw turned it into a call. */
    promoted?: true;
  }
  | {
    type: "done";
    stopReason: StopReason;
    usage?: Usage;
    timings: Timings;
  }
  /** Something the user should know that does not stop the reply (W_TOOL_CALL_TRUNCATED ...). */
  | { type: "warning"; code: string; message: string };

/** An error as it appears in events: the stable code, message and optional hint. */
export interface EventError {
  code: string;
  message: string;
  hint?: string;
}

/**
 * What `oclaw chat` emits (and `--json` prints, one per line): the client's events plus the run's own.
 * `done` gains the ref of the model that answered.
 */
export type RunEvent =
  | { type: "start"; model: string; provider: string; api: string }
  | Exclude<ChatEvent, { type: "done" }>
  | (Extract<ChatEvent, { type: "done" }> & { model: string })
  | { type: "fallback"; from: string; to: string; error: EventError }
  /** A tool call that ran, after its `tool_call` event: `output` is what the model is sent. */
  | { type: "tool_result"; id: string; name: string; ok: boolean; output: string }
  | ({ type: "error" } & EventError);
