/**
 * The resolved shapes that config resolution hands to discovery, the clients, doctor and health.
 * Config parsing (lib/config) produces {@link Provider}s; the catalog (lib/catalog) produces {@link CatalogModel}s.
 */
import type { OclawError } from "../errors.ts";
import type { ProxySetting, TlsOptions } from "../http/transport.ts";

export type { ProxySetting, TlsOptions };

/** Wire protocol of a provider or model. */
export type Api = "ollama" | "openai-completions";

/** Input kinds a model accepts. */
export type InputKind = "text" | "image" | "video" | "audio";

/** Per-token costs (always 0 for Ollama). */
export interface Cost {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * Model parameters from config (`params`): `streaming` (false → non-streaming request), `num_ctx`,
 * `temperature`, `keep_alive`, `think` and any other Ollama option, passed through.
 */
export type ModelParams = Record<string, unknown>;

/** One model as configured or discovered. */
export interface ModelEntry {
  id: string;
  name: string;
  /** Overrides the provider's api for this model. */
  api?: Api;
  reasoning: boolean;
  input: InputKind[];
  cost: Cost;
  contextWindow: number;
  /** The context budget to plan with when smaller than the window (OpenClaw's `contextTokens`). */
  contextTokens?: number;
  maxTokens: number;
  params: ModelParams;
  /** Headers this model's requests add (`models[].headers`). */
  headers?: Record<string, string>;
  /** The `api` the config names when oclaw cannot speak it (`anthropic-messages` ...): listed, never chatted with. */
  unsupportedApi?: string;
}

/** How the provider came to be enabled. */
export type EnabledBy = "env" | "config" | "auth-profile";

/** A provider after config resolution: everything a client needs to talk to it. */
export interface Provider {
  /** The provider id (`ollama`, `ollama-gpu`, `vllm` ...), the part of a ref before the first `/`. */
  id: string;
  api: Api;
  /** Base URL without a trailing slash; for api "ollama" also without `/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer` when present (unless `auth` or a header says otherwise). */
  apiKey?: string;
  /** The provider's `headers`, secrets resolved (credentials from the base URL as Basic auth). */
  headers: Record<string, string>;
  /** `request.headers`, sent after the provider's and the model's (they win). */
  requestHeaders?: Record<string, string>;
  /** `request.auth`: the one header it sets (replacing Authorization's default). */
  auth?: { headerName: string; value: string };
  /** `request.tls` for the server's connection, PEM text resolved. */
  tls?: TlsOptions;
  /** `request.proxy`: the environment's proxy variables, or an explicit URL. */
  proxy?: ProxySetting;
  /**
   * Set when the provider's config cannot be used (an unset `$\{VAR}`, a SecretRef that does not resolve):
   * thrown where the provider is needed, so one broken provider does not stop commands that do not use it.
   */
  configError?: OclawError;
  /** Per-request timeout from config, when set. */
  timeoutSeconds?: number;
  /** The explicit catalogue, when the config lists models; discovery fills it otherwise. */
  models: ModelEntry[];
  /** True when the catalogue comes from discovery (`/api/tags` + `/api/show`). */
  discover: boolean;
  enabledBy: EnabledBy;
  /** Where the base URL came from, for doctor and `-v`: "config", "OLLAMA_HOST" or "default". */
  baseUrlSource: "config" | "OLLAMA_HOST" | "default";
  /** Which of several configured credentials is sent (for `-v`), when the provider has more than one. */
  authNote?: string;
}

/** A model reference split at the first `/`: `ollama/hf.co/org/repo:Q4` → provider ollama. */
export interface ModelRef {
  provider: string;
  id: string;
}

/** The model selection from `agents.defaults.model`. */
export interface ModelSelection {
  primary?: string;
  fallbacks: string[];
}

/** A model as listed by `oclaw models list` and used by chat. */
export interface CatalogModel extends ModelEntry {
  /** `provider/id`. */
  ref: string;
  provider: string;
  /** The effective api (model's, else provider's). */
  api: Api;
  /** Whether the model reports tool support (configured models count as capable). */
  tools: boolean;
  source: "discovered" | "configured";
  /** `default`, `fallback#1`, `no-tools`, `missing`. */
  tags: string[];
  /** Raw capabilities from `/api/show`, when discovered. */
  capabilities?: string[];
  /** `num_ctx` of the model's Modelfile (`/api/show` `parameters`), when discovered and set. */
  modelfileContext?: number;
}
