/**
 * One attempt at one candidate model: resolve it in the catalogue, build the request from the flags and the
 * model's params, check the prompt against the context the model will get, and stream the client's events.
 * The fallback runner calls it once per candidate.
 */
import { resolveModel } from "../catalog/catalog.ts";
import { explicitContext } from "../catalog/context.ts";
import type { CatalogModel, Provider } from "../catalog/types.ts";
import { clientFor } from "../client/index.ts";
import { splitParams } from "../client/ollama-options.ts";
import type { ChatClient, ChatRequest, ChatTimeouts, Think, ToolDefinition } from "../client/request.ts";
import type { ResolvedConfig } from "../config/resolve.ts";
import { OclawError } from "../errors.ts";
import type { HttpContext } from "../http/context.ts";
import type { Attempt, AttemptEvent } from "./fallback.ts";
import type { Message } from "./messages.ts";
import { OPENAI_PARAM_KEYS } from "./run-options.ts";
import { applyServerRules } from "./server-rules.ts";
import { type ChatOptions, DEFAULT_HEADERS_TIMEOUT_MS } from "./options.ts";
import { contextForRequest, estimatePromptTokens, truncationAfter, truncationBefore, type Warning } from "./truncation.ts";

/** What every attempt of a run shares. */
export interface AttemptDeps {
  config: Pick<ResolvedConfig, "providers" | "selection" | "modelParams" | "data">;
  http: HttpContext;
  options: ChatOptions;
  messages: Message[];
  /** The tools offered (the `--tools` file and MCP servers'); default: `options.tools`. */
  tools?: ToolDefinition[];
  /** The `/api/show` cache directory (undefined: none). */
  cacheDir: string | undefined;
  /** Receives warnings as soon as they are known (before the reply for the context check). */
  warn: (warning: Warning) => void;
  /** The client for an api (tests may inject one). */
  clientFor?: (api: CatalogModel["api"]) => ChatClient;
}

/**
 * The model with `params.num_ctx` filled from an explicit `contextTokens` or written `contextWindow` when
 * params do not set it (a defaulted one is not sent: it could be smaller than what a large-VRAM host gives).
 */
function withContext(model: CatalogModel, data: Record<string, unknown>): CatalogModel {
  if (model.params.num_ctx !== undefined || model.source !== "configured") return model;
  const explicit = explicitContext(model, data);
  return explicit?.tokens === undefined ? model : { ...model, params: { ...model.params, num_ctx: explicit.tokens } };
}

/** The model with this run's `-o` options laid over its params. */
function withRunParams(model: CatalogModel, params: Record<string, unknown>): CatalogModel {
  return Object.keys(params).length === 0 ? model : { ...model, params: { ...model.params, ...params } };
}

function thinkOf(options: ChatOptions, model: CatalogModel): Think | undefined {
  if (options.think !== undefined) return options.think;
  const think = model.params.think ?? model.params.thinking;
  if (typeof think === "boolean") return think;
  if (think === "low" || think === "medium" || think === "high" || think === "max") return think;
  // Ollama 0.9.0–0.12.3 put a thinking model's thoughts into the reply text (<think>…</think>) unless
  // asked to think; asking keeps them in their own field (hidden, or on stderr), as 0.12.4+ does anyway.
  return model.reasoning ? true : undefined;
}

/** The timers of one request: a cold load may take long, and the provider's timeoutSeconds may raise it. */
function timeoutsFor(provider: Provider, options: ChatOptions): ChatTimeouts {
  const configured = provider.timeoutSeconds === undefined ? 0 : provider.timeoutSeconds * 1000;
  const timeouts: ChatTimeouts = { headersMs: Math.max(DEFAULT_HEADERS_TIMEOUT_MS, configured) };
  if (options.idleMs !== undefined) timeouts.idleMs = options.idleMs;
  return timeouts;
}

/** Builds the attempt function for a run. */
export function chatAttempt(deps: AttemptDeps): Attempt {
  const { config, http, options, messages } = deps;
  const pick = deps.clientFor ?? clientFor;
  const tools = deps.tools ?? options.tools;
  const warned = new Set<string>();
  const warnOnce = (warning: Warning) => {
    if (warned.has(warning.code)) return;
    warned.add(warning.code);
    deps.warn(warning);
  };
  return async function* (candidate, signal): AsyncGenerator<AttemptEvent, void, undefined> {
    const resolved = await resolveModel(config, http, candidate.ref, { signal, cacheDir: deps.cacheDir });
    const { provider } = resolved;
    const model = withRunParams(withContext(resolved.model, config.data), options.params);
    if (candidate.provider === undefined) {
      yield { type: "start", provider: provider.id, api: model.api };
    }
    // Ollama answers 400 for tools on a model without them; say so before sending (and fall back).
    if (tools?.length && model.capabilities !== undefined && !model.capabilities.includes("tools")) {
      throw new OclawError("E_NO_TOOLS", `${model.ref} does not support tools (its capabilities: ${model.capabilities.join(", ")})`, {
        hint: "Pick a model whose capabilities include tools ('oclaw models list'), or send no --tools",
      });
    }
    // A model that takes no images would answer without seeing them, or fail: not asked (cli.md "Fallback").
    if (!model.input.includes("image") && messages.some((m) => m.role === "user" && m.images?.length)) {
      throw new OclawError("E_NO_IMAGES", `${model.ref} does not take images (its input: ${model.input.join(", ")})`, {
        hint: "Pick a model whose INPUT includes image ('oclaw models list'), or attach no image",
      });
    }
    if (model.api !== "ollama") {
      const unsent = Object.keys(options.params).filter((key) => !OPENAI_PARAM_KEYS.has(key));
      if (unsent.length > 0) {
        // The same code as server-rules.ts's params warning: once per run, this (naming -o) first.
        warnOnce({
          type: "warning",
          code: "W_OPTIONS_NOT_SENT",
          message: `${model.ref} speaks the OpenAI API, which has no ${unsent.join(", ")}; -o ${unsent[0]} not sent`,
        });
      }
    }
    if (model.api === "ollama") {
      // Checked before anything is sent: Ollama answers 500 for a wrongly typed option.
      const { unknown } = splitParams(model.params, `params of ${model.ref}`);
      if (unknown.length > 0) {
        deps.warn({
          type: "warning",
          code: "W_UNKNOWN_OPTION",
          message: `${model.ref}: Ollama has no option ${unknown.join(", ")}; not sent`,
        });
      }
    }
    const request: ChatRequest = {
      provider,
      model,
      messages,
      stream: !options.noStream && model.params.streaming !== false,
    };
    if (tools?.length) request.tools = tools;
    const think = thinkOf(options, model);
    if (think !== undefined) request.think = think;
    if (options.format !== undefined) request.format = options.format;
    await applyServerRules(request, { provider, model, options, http, signal, warnOnce });

    const estimate = estimatePromptTokens(messages, tools);
    const context = await contextForRequest(provider, model, config.data, estimate, http, signal);
    const before = truncationBefore(model, estimate, context);
    if (before !== undefined) deps.warn(before);
    http.log.debug(
      `${model.ref}: prompt ~${estimate} tokens` +
        (context.tokens === undefined ? ", context not known (the server decides)" : `, context ${context.tokens} (${context.source})`),
    );

    const client = pick(model.api);
    for await (const event of client(request, { http, signal, timeouts: timeoutsFor(provider, options) })) {
      if (event.type === "done" && before === undefined) {
        const after = truncationAfter(model, estimate, event.usage, context.version);
        if (after !== undefined) deps.warn(after);
      }
      yield event;
    }
  };
}
