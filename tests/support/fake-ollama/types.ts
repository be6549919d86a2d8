/**
 * The knobs of the fake Ollama server: its model store, scripted replies and transport behaviour.
 * Documented field by field; `tests/support/fake-ollama.ts` is the public entry that re-exports them.
 */

/** One model in the store, as data (tests/fixtures/models.json holds the default store). */
export interface FakeModel {
  /** Full name with tag, e.g. `qwen3:8b`, `llama3.2:latest`. */
  name: string;
  /** RFC3339 with a variable fraction and an offset, as Ollama writes it. */
  modified_at: string;
  size: number;
  /** Bare hex, 64 chars. */
  digest: string;
  details: {
    parent_model: string;
    format: string;
    family: string;
    families: string[] | null;
    parameter_size: string;
    quantization_level: string;
  };
  /** `/api/show` model_info; arrays longer than 5 items come back as `[]` unless `verbose:true`. */
  model_info: Record<string, unknown>;
  /** Modelfile parameters; rendered into Ollama's one-string form (key padded to 30 columns). */
  parameters?: Record<string, string | number | boolean | Array<string | number>>;
  template?: string;
  system?: string;
  license?: string;
  /** completion, tools, insert, vision, embedding, thinking... (omitted by servers before 0.6.4). */
  capabilities: string[];
  /** A family without context shift: an over-long prompt is a 400, not cut (llama-server, v0.31+). */
  noShift?: boolean;
  /** A cloud model (`gpt-oss:120b-cloud`): answered by ollama.com through this server, which needs a
   * sign-in (see the `cloud` option). `/api/tags` lists it with `remote_host`. */
  remoteHost?: string;
}

/** A scripted tool call. */
export interface ReplyToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** Default: `call_` + 8 random chars on servers ≥ 0.12.10, absent before. `null` omits it. */
  id?: string | null;
  /** Default: the call's position; always sent ≥ 0.12.6, omitted when 0 before. `null` omits it. */
  index?: number | null;
  /**
   * Which stream chunk carries the call: a 0-based chunk number (counting thinking then content tokens;
   * calls with the same number share one chunk; past the end pads with empty chunks) or `"done"` for the
   * done:true line. Default: a chunk of its own after the content.
   */
  chunk?: number | "done";
}

/** Model metrics of the done line (ns for durations); a field set to 0 is omitted, as Ollama does. */
export interface ReplyMetrics {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

/** What the server answers to one chat request (native `/api/chat` and `/v1/chat/completions` alike). */
export interface Reply {
  /** Thinking text: a string is split into word tokens (`"a b"` → `"a"`, `" b"`); an array is the tokens. */
  thinking?: string | string[];
  /** Content text, tokenised like `thinking`. */
  content?: string | string[];
  toolCalls?: ReplyToolCall[];
  /** `done_reason` of the last line: "stop" (default), "length", ... */
  doneReason?: string;
  metrics?: Partial<ReplyMetrics>;
  /**
   * An HTTP error instead of a reply: real status, `{"error":message}` (or `body` verbatim). `runner: true`
   * makes it an error of the model runner: before 0.12.6 those came as 200 + an `{"error"}` line
   * (server/routes.go `streamResponse`), a real status since.
   */
  error?: { status: number; message?: string; body?: string; contentType?: string; runner?: boolean };
  /** After this many chunks: one `{"error":message}` line (status stays 200), no done line, end. */
  midStreamError?: { afterChunks: number; message?: string; sseErrorEvent?: boolean };
  /** After this many chunks the response ends without a done line: "end" closes the body cleanly,
   *  "destroy" drops the connection mid-body. */
  truncate?: { afterChunks: number; mode?: "end" | "destroy" };
  /** Recorded stream written verbatim: NDJSON lines for /api/chat (a `\n` is added when missing),
   *  SSE text pieces for /v1/chat/completions (written as given). */
  raw?: { ndjson?: string[]; sse?: string[] };
  /**
   * Bulk mode for benchmarks: this many content tokens generated lazily and written as fast as the
   * socket takes (chunking, tokenDelayMs and stalls do not apply).
   */
  bulkTokens?: number;
  /** /v1 only: stream tool calls in fragments like vLLM/OpenAI (id+name first, then argument pieces). */
  fragmentToolCalls?: boolean;
}

/** What a reply function sees of a chat request. */
export interface ChatCall {
  /** The model string as sent. */
  model: string;
  /** The store name it resolved to. */
  resolved: string;
  /** "native" for /api/chat, "openai" for /v1/chat/completions. */
  api: "native" | "openai";
  body: Record<string, unknown>;
  /** 0-based count of earlier chat requests for this resolved model. */
  turn: number;
}

/**
 * Scripted replies: by model (request string or resolved store name; `"*"` for any model). An array is
 * played in order, one reply per request, the last one repeating. A function decides per request.
 */
export type Replies = Record<string, Reply | Reply[]> | ((call: ChatCall) => Reply | undefined);

/** How response bytes are cut into separate writes (each flushed on its own). */
export type Chunking =
  | "lines"
  | { bytes: number; gapMs?: number }
  | { random: number; maxBytes?: number; gapMs?: number };

/** One loaded model as `/api/ps` reports it; size and details come from the store. */
export interface PsEntry {
  name: string;
  size_vram?: number;
  context_length?: number;
  expires_at?: string;
}

/** Options of {@link startFakeOllama}; every field can be changed later with `set()`. */
export interface FakeOllamaOptions {
  /** Server version ("0.12.3"). Drives every version quirk (see the entry file's JSDoc). */
  version: string;
  /** The model store (default: tests/fixtures/models.json). */
  models: FakeModel[];
  /** Scripted replies; without one a model answers "Hello! How can I help you today?". */
  replies: Replies;
  /** Write cutting: "lines" (default: one write per NDJSON line / SSE event), N bytes, or random sizes. */
  chunking: Chunking;
  /** Cold load: the status line of chat responses comes only after this delay. */
  headerDelayMs: number;
  /** Delay between stream chunks. */
  tokenDelayMs: number;
  /**
   * Stop writing after this many stream chunks (chat, /v1, pull) but keep the connection open until the
   * client aborts or the server closes; 0 stalls before the status line. Not applied in bulk mode.
   */
  stallAfterChunks: number | undefined;
  /** Latency added to every /api/show. */
  showDelayMs: number;
  /** The loaded models /api/ps reports. */
  ps: PsEntry[];
  /**
   * Ollama bound to loopback checks the Host header (server/routes.go `allowedHostsMiddleware`): 403 with an
   * empty body unless it names an IP that is loopback, private, unspecified or the machine's own,
   * `localhost`, the machine's hostname, or a name under `.localhost`, `.local` or `.internal`.
   */
  hostCheck: boolean;
  /** Progress lines per model name for /api/pull (default: generated for store models; other names fail). */
  pullScript: Record<string, Array<Record<string, unknown>>>;
  /** /v1 chunk layout: "auto" follows `version` (≥ 0.32.6 = "current"), or force "legacy" / "current". */
  sseLayout: "auto" | "legacy" | "current";
  /** /v1: fragment every tool call like vLLM/OpenAI (per-reply `fragmentToolCalls` wins). */
  fragmentToolCalls: boolean;
  /** Total GPU memory in GiB: picks the default context from 0.15.5 (≥ 47 → 262144, ≥ 23 → 32768, else 4096). */
  gpuGiB: number;
  /** OLLAMA_CONTEXT_LENGTH on the server (undefined: not set). */
  contextLength: number | undefined;
  /** Cloud models: "ok" (signed in), "signed-out" (401 with `signin_url`), "disabled" (403, OLLAMA_NO_CLOUD). */
  cloud: "ok" | "signed-out" | "disabled";
}
