/**
 * Never a silent truncation: Ollama cuts a prompt longer than the context it allocated (its default is
 * small: 2048 up to v0.6.6, 4096 since, more only on large-VRAM hosts since v0.15.5). Before the request
 * oclaw compares an estimate of the prompt with what the model will get; after the reply it compares the
 * estimate with the tokens Ollama says it evaluated. Either mismatch is a W_TRUNCATED warning with the fix.
 */
import { providerHeaders } from "../catalog/provider-headers.ts";
import type { Usage } from "../client/events.ts";
import type { ToolDefinition } from "../client/request.ts";
import type { Message } from "./messages.ts";
import type { CatalogModel, Provider } from "../catalog/types.ts";
import { catalogTimeoutMs, fetchJson, PsSchema } from "../catalog/ollama-api.ts";
import { sameModelId } from "../catalog/selection.ts";
import type { HttpContext } from "../http/context.ts";

/** Rough characters per token for English text and code (the estimate only has to be "likely"). */
export const CHARS_PER_TOKEN = 4;

/** The context a modern Ollama (v0.6.7+) gives a model nobody configured (on hosts under 24 GiB VRAM). */
export const OLLAMA_DEFAULT_CONTEXT = 4096;

/** Below this estimate no Ollama default (2048 at the smallest) can cut the prompt: no `/api/ps` request. */
const SMALLEST_DEFAULT_CONTEXT = 2048;

/** The warning's code. */
export const TRUNCATED = "W_TRUNCATED";

/** A warning for the run's event stream. */
export interface Warning {
  type: "warning";
  code: string;
  message: string;
}

/** Where the allocated context figure came from. */
export type ContextSource = "num_ctx" | "ps" | "default";

/** Estimates the prompt's tokens: messages, plus tool definitions (the server renders them into the prompt). */
export function estimatePromptTokens(messages: Message[], tools: ToolDefinition[] = []): number {
  let chars = 0;
  for (const message of messages) {
    chars += message.content.length;
    if (message.role === "assistant" && message.toolCalls?.length) chars += JSON.stringify(message.toolCalls).length;
  }
  if (tools.length > 0) chars += JSON.stringify(tools).length;
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/**
 * The context Ollama will give the model: `num_ctx` when sent, else `/api/ps` context_length when the model
 * is loaded, else the server default. Asks `/api/ps` only when the prompt could exceed the smallest default.
 */
export async function allocatedContext(
  provider: Provider,
  model: CatalogModel,
  estimate: number,
  http: HttpContext,
  signal: AbortSignal,
): Promise<{ tokens: number; source: ContextSource } | undefined> {
  const numCtx = model.params.num_ctx;
  if (typeof numCtx === "number" && numCtx > 0) return { tokens: numCtx, source: "num_ctx" };
  if (provider.api !== "ollama" || estimate <= SMALLEST_DEFAULT_CONTEXT * 0.75) return undefined;
  try {
    const ps = await fetchJson(http, `${provider.baseUrl}/api/ps`, PsSchema, {
      signal,
      timeoutMs: Math.min(catalogTimeoutMs(provider), 10_000),
      headers: providerHeaders(provider),
    });
    const loaded = ps.models.find((m) => sameModelId(model.id, m.name) || sameModelId(model.id, m.model ?? ""));
    if (loaded?.context_length !== undefined && loaded.context_length > 0) {
      return { tokens: loaded.context_length, source: "ps" };
    }
  } catch (error) {
    if (signal.aborted) throw error;
    http.log.debug(`/api/ps failed (${(error as Error).message}); assuming the default context`);
  }
  return { tokens: OLLAMA_DEFAULT_CONTEXT, source: "default" };
}

/** A context size to suggest: a power of two with room for the prompt and a reply, within the model's window. */
export function suggestedContext(estimate: number, contextWindow: number): number {
  let size = 8192;
  while (size < estimate * 1.25 && size < 1 << 20) size *= 2;
  return contextWindow > 0 ? Math.min(size, Math.max(contextWindow, 2048)) : size;
}

function fix(ref: string, estimate: number, contextWindow: number): string {
  const size = suggestedContext(estimate, contextWindow);
  return `raise the model's context: oclaw config set 'agents.defaults.models["${ref}"].params.num_ctx' ${size}` +
    ` (or set OLLAMA_CONTEXT_LENGTH on the Ollama server)`;
}

/** The warning before sending, when the estimate exceeds the context the model will get. */
export function truncationBefore(
  model: Pick<CatalogModel, "ref" | "contextWindow">,
  estimate: number,
  context: { tokens: number; source: ContextSource } | undefined,
): Warning | undefined {
  if (context === undefined || estimate <= context.tokens) return undefined;
  const { ref } = model;
  const what = context.source === "num_ctx"
    ? `num_ctx ${context.tokens}`
    : context.source === "ps"
    ? `the ${context.tokens}-token context Ollama allocated for it`
    : `Ollama's default context (${context.tokens} tokens on most hosts)`;
  return {
    type: "warning",
    code: TRUNCATED,
    message: `The prompt (~${estimate} tokens) is likely longer than ${what} for ${ref}, and Ollama cuts it ` +
      `silently; ${fix(ref, estimate, model.contextWindow)}`,
  };
}

/**
 * The warning after the reply, when the server evaluated far fewer prompt tokens than were sent (Ollama
 * reports the full count even for a cached prompt since v0.2, so a low count means the prompt was cut).
 */
export function truncationAfter(
  model: Pick<CatalogModel, "ref" | "contextWindow">,
  estimate: number,
  usage: Usage | undefined,
): Warning | undefined {
  if (usage === undefined || usage.inputTokens <= 0) return undefined;
  if (estimate < SMALLEST_DEFAULT_CONTEXT / 2 || usage.inputTokens >= estimate / 2) return undefined;
  return {
    type: "warning",
    code: TRUNCATED,
    message: `${model.ref} read only ${usage.inputTokens} prompt tokens of about ${estimate} sent: the prompt was ` +
      `likely cut to fit its context; ${fix(model.ref, estimate, model.contextWindow)}`,
  };
}
