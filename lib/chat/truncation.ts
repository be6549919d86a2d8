/**
 * Never a silent truncation: Ollama cuts a prompt longer than the context it allocated. Before the request
 * oclaw compares an estimate of the prompt with the context the rules of lib/catalog/context.ts say the
 * model will get (warning only when that context is known); after the reply it reads `prompt_eval_count`,
 * which Ollama reports after cutting (about num_ctx/2 tokens kept by llama-server since 0.31, exactly num_ctx
 * by the runners before). Either is a W_TRUNCATED warning with a fix that never lowers the context.
 */
import { providerHeaders, providerTransport } from "../catalog/provider-headers.ts";
import type { Usage } from "../client/events.ts";
import type { ToolDefinition } from "../client/request.ts";
import type { Message } from "./messages.ts";
import type { CatalogModel, Provider } from "../catalog/types.ts";
import { catalogTimeoutMs, fetchJson, ollamaApi } from "../catalog/ollama-api.ts";
import { describeContext, modelContextFacts, type PlannedContext, plannedContext } from "../catalog/context.ts";
import { SINCE, serverVersion, versionAtLeast } from "../catalog/ollama-version.ts";
import { sameModelId } from "../catalog/selection.ts";
import type { HttpContext } from "../http/context.ts";
import { acceptPs } from "../catalog/answer-checks.ts";

/** Rough characters per token for English text and code (the estimate only has to be "likely"). */
export const CHARS_PER_TOKEN = 4;

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
 * The context the model will get, by the context rules. Asks `/api/ps` (is it loaded, with how much?) and
 * `/api/version` (what is the default?) only when nothing closer is known and the prompt could exceed the
 * smallest default.
 */
export async function contextForRequest(
  provider: Provider,
  model: CatalogModel,
  data: Record<string, unknown>,
  estimate: number,
  http: HttpContext,
  signal: AbortSignal,
): Promise<PlannedContext & { version?: string | undefined }> {
  const facts = modelContextFacts(model, data);
  const known = plannedContext(facts);
  if (known.tokens !== undefined || provider.api !== "ollama" || estimate <= SMALLEST_DEFAULT_CONTEXT * 0.75) {
    return known;
  }
  const version = serverVersion(provider, http, signal);
  try {
    const ps = await fetchJson(http, `${provider.baseUrl}/api/ps`, () => ollamaApi().ps, {
      accept: acceptPs,
      signal,
      timeoutMs: Math.min(catalogTimeoutMs(provider), 10_000),
      headers: providerHeaders(provider),
      transport: providerTransport(provider),
    });
    const loaded = ps.models.find((m) => sameModelId(model.id, m.name) || sameModelId(model.id, m.model ?? ""));
    if (loaded?.context_length !== undefined && loaded.context_length > 0) facts.allocated = loaded.context_length;
  } catch (error) {
    if (signal.aborted) throw error;
    http.log.debug(`/api/ps failed (${(error as Error).message}); going by the server's version`);
  }
  facts.version = await version;
  return { ...plannedContext(facts), version: facts.version };
}

/**
 * A context size to suggest: a power of two with room for the prompt and a reply, never below `floor`
 * (what the server already picks: suggesting less would lower it and force a reload), within the model's
 * trained window when known.
 */
export function suggestedContext(estimate: number, trained: number, floor = 0): number {
  let size = 8192;
  while ((size < estimate * 1.25 || size <= floor) && size < 1 << 20) size *= 2;
  return trained > 0 ? Math.min(size, Math.max(trained, 2048)) : size;
}

function fix(model: Pick<CatalogModel, "ref" | "contextWindow" | "source">, estimate: number, floor: number): string {
  const trained = model.source === "discovered" ? model.contextWindow : 0;
  const size = suggestedContext(estimate, trained, floor);
  if (trained > 0 && size <= floor) {
    return `the model's trained context (${trained} tokens) is too small for it: shorten the prompt or use a ` +
      "model with a longer context";
  }
  return `raise the model's context: oclaw config set 'agents.defaults.models["${model.ref}"].params.num_ctx' ${size}` +
    ` (or set OLLAMA_CONTEXT_LENGTH on the Ollama server), or send --no-truncate to have Ollama refuse instead`;
}

/** The warning before sending, when the estimate exceeds a known context the model will get. */
export function truncationBefore(
  model: Pick<CatalogModel, "ref" | "contextWindow" | "source">,
  estimate: number,
  context: PlannedContext | undefined,
): Warning | undefined {
  if (context?.tokens === undefined || estimate <= context.tokens) return undefined;
  return {
    type: "warning",
    code: TRUNCATED,
    message: `The prompt (~${estimate} tokens) is likely longer than ${describeContext(context)} for ${model.ref}, ` +
      `and Ollama cuts it silently; ${fix(model, estimate, context.tokens)}`,
  };
}

/** Context sizes Ollama allocates by default or users commonly pick: a prompt cut to exactly one was cut. */
const COMMON_SIZES = new Set([2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144]);

/**
 * The warning after the reply, when Ollama evaluated fewer prompt tokens than were sent: far fewer than the
 * estimate, or exactly a common context size (the runners before 0.31 cut to num_ctx) below it. Ollama reports
 * the full count even for a cached prompt, so a low count means the prompt was cut.
 */
export function truncationAfter(
  model: Pick<CatalogModel, "ref" | "contextWindow" | "source">,
  estimate: number,
  usage: Usage | undefined,
  version?: string,
): Warning | undefined {
  if (usage === undefined || usage.inputTokens <= 0 || estimate < SMALLEST_DEFAULT_CONTEXT / 2) return undefined;
  const read = usage.inputTokens;
  const halved = read < estimate / 2;
  const atSize = COMMON_SIZES.has(read) && estimate > read * 1.1;
  if (!halved && !atSize) return undefined;
  // What the server gave: llama-server (0.31+) keeps about half the context, the runners before all of it.
  const given = atSize ? read : versionAtLeast(version, SINCE.llamaServer) === false ? read : read * 2;
  return {
    type: "warning",
    code: TRUNCATED,
    message: `${model.ref} read only ${read} prompt tokens of about ${estimate} sent: Ollama cut the prompt to fit ` +
      `its context; ${fix(model, estimate, given)}`,
  };
}
