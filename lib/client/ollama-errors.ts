/**
 * Errors of Ollama's own that a user meets and oclaw names: a prompt longer than the context (E_CONTEXT:
 * Ollama's 400 without context shift, the runner's `truncate:false` refusal, or llama-server's raw
 * `exceed_context_size_error` body passed on as the message), and a cloud model's sign-in (401 with
 * `signin_url`, server/cloud_proxy.go) or a server with cloud turned off (403). The same texts come as an
 * HTTP status (Ollama 0.12.6+) or as an `{"error"}` line under a 200 before that: both are read here.
 */
import { OclawError } from "../errors.ts";

/** The hint for a prompt that does not fit: raise the context for this model, or for every client. */
export const CONTEXT_HINT = "Raise the model's context (params.num_ctx, or OLLAMA_CONTEXT_LENGTH on the Ollama " +
  "server), shorten the prompt, or use a model with a longer context";

const CONTEXT_PATTERNS = [
  /prompt is longer than the context length/i,
  /input length exceeds the context length/i,
  /exceed_context_size_error/,
  /exceeds the available context size/i,
];

/**
 * The readable message inside a server's error text: llama.cpp's JSON error body (which Ollama passes on as a
 * string, `{"error":{"message":…,"type":"exceed_context_size_error"}}`) gives its `message`; other text stays.
 */
export function unwrapMessage(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return trimmed;
  try {
    const parsed = JSON.parse(trimmed) as { error?: unknown; message?: unknown };
    const inner = typeof parsed.error === "object" && parsed.error !== null
      ? (parsed.error as { message?: unknown }).message
      : parsed.error ?? parsed.message;
    if (typeof inner === "string" && inner !== "") return unwrapMessage(inner);
  } catch {
    // Not JSON after all.
  }
  return trimmed;
}

/** The `signin_url` of a cloud 401 body, when there is one. */
export function signinUrl(body: string): string | undefined {
  try {
    const url = (JSON.parse(body) as { signin_url?: unknown }).signin_url;
    return typeof url === "string" && url !== "" ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Names an Ollama error that oclaw knows, from the status (undefined for an error line), the server's
 * message and the whole body; undefined for the others.
 * @param at who answered, for the message: "Ollama at http://127.0.0.1:11434"
 */
export function knownOllamaError(
  at: string,
  status: number | undefined,
  message: string,
  body = "",
  url?: string,
): OclawError | undefined {
  const base = { status, url };
  if (CONTEXT_PATTERNS.some((p) => p.test(message))) {
    return new OclawError("E_CONTEXT", `${at}: ${unwrapMessage(message)}`, { ...base, hint: CONTEXT_HINT });
  }
  const signin = signinUrl(body);
  if (status === 401 && (signin !== undefined || message === "unauthorized")) {
    return new OclawError("E_HTTP", `${at} answered 401: not signed in to ollama.com, which this cloud model needs`, {
      ...base,
      signinUrl: signin,
      hint: `Run 'ollama signin' on the Ollama host${signin === undefined ? "" : ` (or open ${signin})`}, or use a local model`,
    });
  }
  if (status === 403 && /ollama cloud is disabled/i.test(message)) {
    return new OclawError("E_HTTP", `${at} answered 403: ${message}`, {
      ...base,
      hint: "Cloud models are turned off on that server (OLLAMA_NO_CLOUD or its config): use a local model",
    });
  }
  return undefined;
}

/** True for a cloud model's ref (`gpt-oss:120b-cloud`, `qwen3-coder:480b-cloud`, `x:cloud`). */
export function isCloudRef(ref: string): boolean {
  return /(?::|-)cloud$/i.test(ref);
}
