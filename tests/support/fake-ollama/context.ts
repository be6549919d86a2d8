/**
 * The fake's context length, as Ollama decides it, and what happens to a prompt that does not fit.
 *
 * - num_ctx: the request's `options.num_ctx`, else the Modelfile's (`parameters.num_ctx`), else
 *   OLLAMA_CONTEXT_LENGTH (`contextLength` knob), else the server default: 2048 before 0.6.7
 *   (api/types.go DefaultOptions), 4096 since, and from 0.15.5 by total VRAM (`gpuGiB` knob; server/routes.go
 *   `Serve`: ≥ 47 GiB → 262144, ≥ 23 GiB → 32768, else 4096). Capped at the trained context
 *   (server/sched.go `effectiveContext`).
 * - An over-long prompt: server/prompt.go `chatPrompt` first drops the oldest messages (system messages
 *   stay, the last message always stays) unless `truncate:false`; what is still too long is cut by the runner.
 *   Before 0.31 (runner/ollamarunner/runner.go v0.12.6, runner/llamarunner) the runner keeps exactly num_ctx
 *   tokens, or with `truncate:false` (a field since 0.12.6) answers 400 "the input length exceeds the context
 *   length". From 0.31 models run through llama-server (llm/llama_server.go `completionPromptForRequest`):
 *   it keeps num_ctx − (num_ctx − num_keep)/2 tokens (num_keep 4, plus BOS: about num_ctx/2 + 2); without
 *   context shift (a model flagged `noShift`, or `shift:false`) it answers 400 "the prompt is longer than the
 *   context length currently available…"; with `truncate:false` llama-server itself refuses and Ollama passes
 *   its raw JSON body on as the error text (`statusErrorMessage`).
 * The fake's tokenizer: 4 characters per token, 4 tokens of template per message, plus the tools' JSON.
 */
import type { FakeModel, FakeOllamaOptions } from "./types.ts";
import { atLeast } from "./version.ts";

/** Tokens of a text by the fake's tokenizer. */
const textTokens = (text: string) => Math.ceil(text.length / 4);

function messageTokens(message: unknown): number {
  const m = (typeof message === "object" && message !== null ? message : {}) as Record<string, unknown>;
  return 4 + textTokens(typeof m.content === "string" ? m.content : "");
}

/** The model's trained context (`<arch>.context_length`), 0 when unknown. */
export function trainedContext(model: FakeModel): number {
  const arch = model.model_info["general.architecture"];
  const n = typeof arch === "string" ? model.model_info[`${arch}.context_length`] : undefined;
  return typeof n === "number" && n > 0 ? n : 0;
}

/** The default context of a server version on the fake's GPU (no request or Modelfile value). */
export function serverDefaultContext(options: Pick<FakeOllamaOptions, "version" | "gpuGiB" | "contextLength">): number {
  if (options.contextLength !== undefined && options.contextLength > 0) return options.contextLength;
  if (!atLeast(options.version, "0.6.7")) return 2048;
  if (!atLeast(options.version, "0.15.5")) return 4096;
  const gpu = options.gpuGiB;
  return gpu >= 47 ? 262144 : gpu >= 23 ? 32768 : 4096;
}

/** The context a model gets for a request (`options` = the request's `options`, if any). */
export function effectiveContext(model: FakeModel, requestOptions: unknown, options: FakeOllamaOptions): number {
  const asked = (requestOptions as { num_ctx?: unknown } | undefined)?.num_ctx;
  const modelfile = model.parameters?.num_ctx;
  let numCtx = typeof asked === "number" && asked > 0
    ? Math.floor(asked)
    : typeof modelfile === "number" && modelfile > 0
    ? modelfile
    : serverDefaultContext(options);
  numCtx = Math.max(numCtx, 4);
  const trained = trainedContext(model);
  return trained > 0 ? Math.min(numCtx, trained) : numCtx;
}

/** What the runner does with a prompt. */
export type PromptOutcome =
  | { kind: "fits"; promptEvalCount: number; numCtx: number }
  | { kind: "cut"; promptEvalCount: number; numCtx: number }
  | { kind: "error"; status: number; message: string; numCtx: number };

/** The message of llama-server's refusal as Ollama passes it on (its raw body). */
export function exceedContextBody(tokens: number, numCtx: number): string {
  return JSON.stringify({
    error: {
      code: 400,
      message: `request (${tokens} tokens) exceeds the available context size (${numCtx} tokens), try increasing it`,
      type: "exceed_context_size_error",
      n_prompt_tokens: tokens,
      n_ctx: numCtx,
    },
  });
}

/** llm/llama_server.go: the 400 when context shift is off. */
export const PROMPT_TOO_LONG = "the prompt is longer than the context length currently available to the model; " +
  "shorten the prompt, adjust the context length in settings, or use a model with a longer context length";

/** runner/ollamarunner/runner.go (v0.12.6–v0.30): the 400 for `truncate:false`. */
export const INPUT_TOO_LONG = "the input length exceeds the context length";

/** Decides what happens to the request's prompt on a model with `numCtx` tokens of context. */
export function promptOutcome(body: Record<string, unknown>, model: FakeModel, options: FakeOllamaOptions): PromptOutcome {
  const { version } = options;
  const numCtx = effectiveContext(model, body.options, options);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const tools = Array.isArray(body.tools) && body.tools.length > 0 ? textTokens(JSON.stringify(body.tools)) : 0;
  // `truncate` exists since 0.12.6; older servers ignore the field.
  const truncate = body.truncate !== false || !atLeast(version, "0.12.6");
  let kept = messages;
  const total = (list: unknown[]) => tools + list.reduce((n: number, m) => n + messageTokens(m), 0);
  if (truncate) {
    // server/prompt.go: drop the oldest messages until the rest fits; system messages and the last stay.
    for (let i = 0; i < messages.length - 1 && total(kept) > numCtx; i++) {
      kept = [...messages.slice(0, i + 1).filter((m) => (m as { role?: unknown })?.role === "system"), ...messages.slice(i + 1)];
    }
  }
  const tokens = total(kept);
  const llamaServer = atLeast(version, "0.31.0");
  const limit = llamaServer ? numCtx - 1 : numCtx;
  if (tokens <= limit) return { kind: "fits", promptEvalCount: tokens, numCtx };
  if (llamaServer) {
    if (!truncate) return { kind: "error", status: 400, message: exceedContextBody(tokens, numCtx), numCtx };
    if (model.noShift === true || body.shift === false) return { kind: "error", status: 400, message: PROMPT_TOO_LONG, numCtx };
    const keep = Math.min(4 + 1, numCtx - 1);
    return { kind: "cut", promptEvalCount: numCtx - Math.max(Math.floor((numCtx - keep) / 2), 1), numCtx };
  }
  if (!truncate) return { kind: "error", status: 400, message: INPUT_TOO_LONG, numCtx };
  return { kind: "cut", promptEvalCount: numCtx, numCtx };
}
