/**
 * The context length rules: which context a model gets from an Ollama server, as far as a client can know.
 * In order: an explicit `params.num_ctx` (or the model entry's `contextTokens` / an explicitly written
 * `contextWindow`, which chat sends as num_ctx), the Modelfile's `num_ctx` (`/api/show` `parameters`),
 * the context `/api/ps` says was allocated for the loaded model, else the server's default — known only
 * on servers before 0.15.5 (2048 before 0.6.7, 4096 since); from 0.15.5 it depends on the GPU's memory
 * (server/routes.go: ≥ 47 GiB → 262144, ≥ 23 GiB → 32768, else 4096) and OLLAMA_CONTEXT_LENGTH, which a
 * client cannot see, so it is unknown. Every value is capped at the model's trained context (server/sched.go).
 * Chat, doctor and health all plan with {@link plannedContext}.
 */
import { SINCE, versionAtLeast } from "./ollama-version.ts";
import type { CatalogModel } from "./types.ts";

/** Where a planned context figure came from. */
export type ContextSource =
  | "num_ctx"
  | "contextTokens"
  | "contextWindow"
  | "modelfile"
  | "ps"
  | "default"
  | "unknown";

/** The context a model will get, and why oclaw thinks so. */
export interface PlannedContext {
  /** Tokens; undefined when the server decides by what oclaw cannot see (its GPU memory, its environment). */
  tokens: number | undefined;
  source: ContextSource;
  /** True when the user's config asked for it (only then is a smaller allocation worth a warning). */
  explicit: boolean;
}

/** What {@link plannedContext} looks at; every fact optional. */
export interface ContextFacts {
  /** `params.num_ctx`. */
  numCtx?: number | undefined;
  /** The model entry's `contextTokens`. */
  contextTokens?: number | undefined;
  /** A `contextWindow` written in the config (a defaulted or discovered one does not count). */
  contextWindow?: number | undefined;
  /** `num_ctx` of the model's Modelfile (`/api/show` `parameters`). */
  modelfile?: number | undefined;
  /** `/api/ps` `context_length` of the loaded model. */
  allocated?: number | undefined;
  /** The server's version (undefined: not known). */
  version?: string | undefined;
  /** The model's trained context (`<arch>.context_length`); 0 or undefined: not known. */
  trained?: number | undefined;
}

const positive = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n > 0;

/** The server default a client can know: 2048 before 0.6.7, 4096 before 0.15.5; undefined from 0.15.5 or for an unknown version. */
export function serverDefaultContext(version: string | undefined): number | undefined {
  if (versionAtLeast(version, SINCE.context4096) === false) return 2048;
  if (versionAtLeast(version, SINCE.vramContext) === false) return 4096;
  return undefined;
}

/** The context Ollama picks by default on a host with this much total VRAM (GiB), since 0.15.5 (server/routes.go). */
export function vramDefaultContext(vramGiB: number): number {
  return vramGiB >= 47 ? 262144 : vramGiB >= 23 ? 32768 : 4096;
}

/**
 * Applies the rules to what is known: explicit values first, then the Modelfile, the allocated context,
 * and the version's default. The result is capped at the trained context.
 */
export function plannedContext(facts: ContextFacts): PlannedContext {
  const cap = (n: number) => (positive(facts.trained) ? Math.min(n, facts.trained) : n);
  if (positive(facts.numCtx)) return { tokens: cap(facts.numCtx), source: "num_ctx", explicit: true };
  if (positive(facts.contextTokens)) return { tokens: cap(facts.contextTokens), source: "contextTokens", explicit: true };
  if (positive(facts.contextWindow)) return { tokens: cap(facts.contextWindow), source: "contextWindow", explicit: true };
  if (positive(facts.modelfile)) return { tokens: cap(facts.modelfile), source: "modelfile", explicit: false };
  if (positive(facts.allocated)) return { tokens: facts.allocated, source: "ps", explicit: false };
  const byVersion = serverDefaultContext(facts.version);
  if (byVersion !== undefined) return { tokens: cap(byVersion), source: "default", explicit: false };
  return { tokens: undefined, source: "unknown", explicit: false };
}

/**
 * Reads `num_ctx` from `/api/show`'s `parameters` (one line per value, the key padded with spaces:
 * `num_ctx                        8192`).
 */
export function modelfileNumCtx(parameters: string | undefined): number | undefined {
  if (parameters === undefined) return undefined;
  const match = /^num_ctx\s+(\d+)\s*$/m.exec(parameters);
  const value = match === null ? NaN : Number(match[1]);
  return positive(value) ? value : undefined;
}

/** A config model entry as raw data (chat, doctor and health read the config file's data). */
type RawEntry = { id?: unknown; contextWindow?: unknown; contextTokens?: unknown };

function configEntry(data: Record<string, unknown>, providerId: string, modelId: string): RawEntry | undefined {
  const providers = (data.models as { providers?: Record<string, { models?: unknown }> } | undefined)?.providers;
  const models = providers?.[providerId]?.models;
  if (!Array.isArray(models)) return undefined;
  return models.find((m) => (m as RawEntry | null)?.id === modelId) as RawEntry | undefined;
}

/**
 * The context facts of a catalogue model that need no request: `params.num_ctx`, the entry's
 * `contextTokens` and written `contextWindow` (from the config file's data), the Modelfile's num_ctx and
 * the trained context of a discovered model.
 */
export function modelContextFacts(model: CatalogModel, data: Record<string, unknown>): ContextFacts {
  const facts: ContextFacts = {};
  if (positive(model.params.num_ctx)) facts.numCtx = model.params.num_ctx;
  if (model.source === "configured") {
    const entry = configEntry(data, model.provider, model.id);
    // The normalised entry also carries a provider-level contextTokens (the older form OpenClaw migrates).
    const contextTokens = model.contextTokens ?? entry?.contextTokens;
    if (positive(contextTokens)) facts.contextTokens = contextTokens;
    if (positive(entry?.contextWindow)) facts.contextWindow = entry.contextWindow;
  } else if (positive(model.contextWindow)) {
    facts.trained = model.contextWindow;
  }
  if (positive(model.modelfileContext)) facts.modelfile = model.modelfileContext;
  return facts;
}

/** The explicit context a model's config asks for (what chat sends as `num_ctx`), when there is one. */
export function explicitContext(model: CatalogModel, data: Record<string, unknown>): PlannedContext | undefined {
  const { numCtx, contextTokens, contextWindow } = modelContextFacts(model, data);
  const planned = plannedContext({ numCtx, contextTokens, contextWindow });
  return planned.explicit ? planned : undefined;
}

/** Words for a planned context, for messages: "num_ctx 8192", "the Modelfile's num_ctx 8192"... */
export function describeContext(context: PlannedContext): string {
  const n = context.tokens;
  switch (context.source) {
    case "num_ctx":
      return `num_ctx ${n}`;
    case "contextTokens":
      return `contextTokens ${n}`;
    case "contextWindow":
      return `contextWindow ${n}`;
    case "modelfile":
      return `the Modelfile's num_ctx ${n}`;
    case "ps":
      return `the ${n}-token context Ollama allocated for it`;
    case "default":
      return `this Ollama's default context (${n} tokens)`;
    case "unknown":
      return "the server's default context";
  }
}
