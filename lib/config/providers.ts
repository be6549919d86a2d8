/**
 * From config to {@link Provider}s: which are enabled and why, their API, base URL, key and catalogue.
 */
import type { Api, EnabledBy, ModelEntry, Provider } from "../catalog/types.ts";
import { OclawError } from "../errors.ts";
import type { AuthProfile } from "./auth-profiles.ts";
import { DEFAULT_OLLAMA_URL, normalizeOllamaHost } from "./ollama-host.ts";
import { resolveProviderRequest } from "./provider-request.ts";
import type { ConfigData } from "./schema.ts";
import { SUPPORTED_APIS } from "./apis.ts";
import type { ModelConfig, ProviderConfig } from "./schema-provider.ts";
import type { SecretContext } from "./secret-refs.ts";

/** The id of the built-in Ollama provider. */
export const OLLAMA_PROVIDER = "ollama";

/** The context window assumed when neither config nor discovery gives one. */
export const DEFAULT_CONTEXT_WINDOW = 8192;

/** Whether the ollama provider is enabled, how, and the reasons (for doctor and `-v`). */
export interface OllamaStatus {
  enabled: boolean;
  enabledBy?: EnabledBy;
  reasons: string[];
}

/** A configured provider oclaw cannot talk to (an API it does not speak); its models are listed, unusable. */
export interface IgnoredProvider {
  id: string;
  reason: string;
  /** The api the config names. */
  api: string;
  /** Its configured models, each marked `unsupportedApi`. */
  models: ModelEntry[];
}

/** What {@link buildProviders} needs besides the config. */
export interface ProviderInputs {
  data: ConfigData;
  env: Readonly<Record<string, string | undefined>>;
  /** The config file, for reasons. */
  file: string;
  /** Auth profiles for provider `ollama`, and the file they were looked for in. */
  authProfiles: AuthProfile[];
  authProfilesFile: string;
  /** The home directory (a secret file's `~`). */
  homeDir?: string;
  /**
   * Problems that make one provider unusable (an unset `$\{VAR}` inside it), by provider id: that provider
   * is built with a `configError` instead of stopping every command.
   */
  deferred?: ReadonlyMap<string, OclawError>;
}

/** Provider-level settings a model entry inherits (OpenClaw migrates the provider-level forms into each entry). */
export interface ModelDefaults {
  contextWindow?: number | undefined;
  contextTokens?: number | undefined;
  maxTokens?: number | undefined;
  /** The provider's api, when oclaw cannot speak it. */
  unsupportedApi?: string | undefined;
}

/** Fills a configured model entry's defaults (name = id, text input, zero costs, 8192 context, 10× output). */
export function normalizeModelEntry(model: ModelConfig, defaults: ModelDefaults = {}): ModelEntry {
  const contextWindow = model.contextWindow ?? defaults.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
  const entry: ModelEntry = {
    id: model.id,
    name: model.name ?? model.id,
    reasoning: model.reasoning ?? false,
    input: model.input ?? ["text"],
    cost: {
      input: model.cost?.input ?? 0,
      output: model.cost?.output ?? 0,
      cacheRead: model.cost?.cacheRead ?? 0,
      cacheWrite: model.cost?.cacheWrite ?? 0,
    },
    contextWindow,
    maxTokens: model.maxTokens ?? defaults.maxTokens ?? 10 * contextWindow,
    params: { ...model.params },
  };
  const contextTokens = model.contextTokens ?? defaults.contextTokens;
  if (contextTokens !== undefined) entry.contextTokens = contextTokens;
  if (model.headers !== undefined && Object.keys(model.headers).length > 0) entry.headers = { ...model.headers };
  if (isSupportedApi(model.api)) entry.api = model.api;
  const foreign = model.api !== undefined && !isSupportedApi(model.api) ? model.api : defaults.unsupportedApi;
  if (foreign !== undefined) entry.unsupportedApi = foreign;
  return entry;
}

function isSupportedApi(api: string | undefined): api is Api {
  return api !== undefined && (SUPPORTED_APIS as readonly string[]).includes(api);
}

/** Strips what a base URL must not end with: `/`, and for api "ollama" also `/v1`. */
export function cleanBaseUrl(url: string, api: Api): string {
  let out = url.trim().replace(/\/+$/, "");
  if (api === "ollama") out = out.replace(/\/v1$/, "").replace(/\/+$/, "");
  return out;
}

/**
 * Takes `user:password@` out of a base URL and sends it as Basic auth instead (unless the provider sets an
 * Authorization header itself): fetch refuses URLs with credentials, and a base URL is shown in messages,
 * health output and Prometheus labels, where a password must never appear.
 */
export function moveCredentials(
  baseUrl: string,
  headers: Record<string, string>,
): { url: string; headers: Record<string, string>; credentials: boolean; password?: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { url: baseUrl, headers, credentials: false };
  }
  if (url.username === "" && url.password === "") return { url: baseUrl, headers, credentials: false };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = "";
  url.password = "";
  const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === "authorization");
  if (!hasAuth) headers.authorization = `Basic ${btoa(`${user}:${password}`)}`;
  return { url: url.href.replace(/\/+$/, ""), headers, credentials: true, ...(password === "" ? {} : { password }) };
}

function ollamaHostUrl(env: ProviderInputs["env"]): { url: string; source: Provider["baseUrlSource"] } {
  const host = env.OLLAMA_HOST?.trim();
  if (host === undefined || host === "") return { url: DEFAULT_OLLAMA_URL, source: "default" };
  try {
    return { url: normalizeOllamaHost(host), source: "OLLAMA_HOST" };
  } catch (cause) {
    // normalizeOllamaHost already says "Invalid Ollama host '<value>': <why>"; name the variable instead.
    const why = (cause as Error).message.replace(/^Invalid Ollama host '.*?': /, "");
    throw new OclawError("E_CONFIG_INVALID", `Invalid OLLAMA_HOST '${host}': ${why}`, {
      hint: "Set OLLAMA_HOST to host, host:port or http(s)://host[:port]",
      cause,
    });
  }
}

/** True when the config switches the Ollama plugin's discovery off (`plugins.entries.ollama.config.discovery.enabled`). */
export function ollamaDiscoveryOff(data: ConfigData): boolean {
  const entries = (data.plugins?.entries ?? {}) as Record<string, { config?: { discovery?: { enabled?: unknown } } } | undefined>;
  return entries.ollama?.config?.discovery?.enabled === false;
}

/**
 * Builds the enabled providers (`ollama` first when enabled, then the config's order), secrets resolved.
 * With `models.mode: "replace"` only the config's providers count and nothing is discovered (OpenClaw then
 * uses the configured catalogues alone).
 * @throws OclawError E_CONFIG_INVALID when OLLAMA_HOST cannot be read as a host
 */
export async function buildProviders(inputs: ProviderInputs): Promise<{
  providers: Provider[];
  ollama: OllamaStatus;
  ignored: IgnoredProvider[];
  secrets: string[];
}> {
  const configured = inputs.data.models?.providers ?? {};
  const replace = inputs.data.models?.mode === "replace";
  const ollama = ollamaStatus(inputs, configured[OLLAMA_PROVIDER] !== undefined, replace);
  const providers: Provider[] = [];
  const ignored: IgnoredProvider[] = [];
  const secrets: string[] = [];
  const ids = Object.keys(configured).filter((id) => id !== OLLAMA_PROVIDER);
  if (ollama.enabled) ids.unshift(OLLAMA_PROVIDER);
  const ctx: SecretContext = {
    secrets: inputs.data.secrets,
    env: inputs.env,
    homeDir: inputs.homeDir ?? inputs.env.HOME ?? "",
  };
  for (const id of ids) {
    const config: ProviderConfig = configured[id] ?? {};
    const api = config.api ?? (id === OLLAMA_PROVIDER ? "ollama" : "openai-completions");
    if (!isSupportedApi(api)) {
      const models = (config.models ?? []).map((m) => normalizeModelEntry(m, { ...providerDefaults(config), unsupportedApi: api }));
      ignored.push({ id, api, models, reason: `api '${api}' is not one oclaw speaks (${SUPPORTED_APIS.join(", ")})` });
      continue;
    }
    const enabledBy = id === OLLAMA_PROVIDER ? ollama.enabledBy! : "config";
    const deferred = inputs.deferred?.get(id);
    if (deferred !== undefined) {
      providers.push(unusableProvider(id, api, config, enabledBy, deferred));
      continue;
    }
    try {
      const provider = await buildProvider(id, api, config, inputs, enabledBy, ctx, secrets);
      if (replace || (id === OLLAMA_PROVIDER && ollamaDiscoveryOff(inputs.data))) provider.discover = false;
      providers.push(provider);
    } catch (error) {
      // A secret that does not resolve (or TLS settings refused) stops this provider only.
      if (!(error instanceof OclawError) || error.code === "E_INTERNAL" || error.message.startsWith("Invalid OLLAMA_HOST")) {
        throw error;
      }
      providers.push(unusableProvider(id, api, config, enabledBy, error));
    }
  }
  return { providers, ollama, ignored, secrets };
}

function providerDefaults(config: ProviderConfig): ModelDefaults {
  return { contextWindow: config.contextWindow, contextTokens: config.contextTokens, maxTokens: config.maxTokens };
}

function unusableProvider(id: string, api: Api, config: ProviderConfig, enabledBy: EnabledBy, error: OclawError): Provider {
  let baseUrl = typeof config.baseUrl === "string" ? config.baseUrl : DEFAULT_OLLAMA_URL;
  try {
    baseUrl = new URL(baseUrl).origin;
  } catch {
    // Left as written (a `${VAR}` that did not resolve).
  }
  return { id, api, baseUrl, headers: {}, models: [], discover: false, enabledBy, baseUrlSource: "config", configError: error };
}

async function buildProvider(
  id: string,
  api: Api,
  config: ProviderConfig,
  inputs: ProviderInputs,
  enabledBy: EnabledBy,
  ctx: SecretContext,
  secrets: string[],
): Promise<Provider> {
  let baseUrl: string;
  let baseUrlSource: Provider["baseUrlSource"];
  if (config.baseUrl !== undefined && config.baseUrl.trim() !== "") {
    baseUrl = cleanBaseUrl(config.baseUrl, api);
    baseUrlSource = "config";
  } else {
    // Only the ollama provider may omit baseUrl (the schema requires it elsewhere).
    const host = ollamaHostUrl(inputs.env);
    baseUrl = cleanBaseUrl(api === "ollama" ? host.url : `${cleanBaseUrl(host.url, "ollama")}/v1`, api);
    baseUrlSource = host.source;
  }
  const request = await resolveProviderRequest(id, config, ctx);
  secrets.push(...request.secrets);
  const configHeaders = { ...request.headers };
  const { url, headers, credentials, password } = moveCredentials(baseUrl, request.headers);
  if (password !== undefined) secrets.push(password);
  const defaults = providerDefaults(config);
  const models = (config.models ?? []).map((m) => normalizeModelEntry(m, defaults));
  const provider: Provider = {
    id,
    api,
    baseUrl: url,
    headers,
    models,
    discover: models.length === 0 && (id === OLLAMA_PROVIDER || api === "ollama"),
    enabledBy,
    baseUrlSource,
  };
  const apiKey = request.apiKey ?? (id === OLLAMA_PROVIDER ? fallbackOllamaKey(inputs) : undefined);
  if (apiKey !== undefined && apiKey !== "") provider.apiKey = apiKey;
  if (request.requestHeaders !== undefined) provider.requestHeaders = request.requestHeaders;
  if (request.auth !== undefined) provider.auth = request.auth;
  if (request.tls !== undefined) provider.tls = request.tls;
  if (request.proxy !== undefined) provider.proxy = request.proxy;
  if (config.timeoutSeconds !== undefined) provider.timeoutSeconds = config.timeoutSeconds;
  const note = authNote(id, configHeaders, credentials, provider.apiKey !== undefined);
  if (note !== undefined) provider.authNote = note;
  return provider;
}

/**
 * Which credentials a provider sends when it has more than one kind, for `-v`: an Authorization header in
 * `headers` wins, then `user:password@` in the base URL (as Basic auth), then `apiKey` (as Bearer).
 */
function authNote(id: string, configHeaders: Record<string, string>, urlCredentials: boolean, apiKey: boolean): string | undefined {
  const header = Object.keys(configHeaders).some((k) => k.toLowerCase() === "authorization");
  const unused = [urlCredentials ? "the credentials in its baseUrl" : "", apiKey ? "its apiKey" : ""].filter(Boolean);
  if (header && unused.length > 0) return `provider ${id}: sends the Authorization header from headers; ${unused.join(" and ")} not sent`;
  if (urlCredentials && apiKey) return `provider ${id}: sends the credentials in its baseUrl as Basic auth; its apiKey is not sent`;
  return undefined;
}

function fallbackOllamaKey(inputs: ProviderInputs): string | undefined {
  const fromEnv = inputs.env.OLLAMA_API_KEY;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return inputs.authProfiles.find((p) => p.secret !== undefined)?.secret;
}

function ollamaStatus(inputs: ProviderInputs, inConfig: boolean, replace: boolean): OllamaStatus {
  const envSet = inputs.env.OLLAMA_API_KEY !== undefined;
  const profile = inputs.authProfiles[0];
  const reasons = [
    inConfig ? `models.providers.ollama is set in ${inputs.file}` : `no models.providers.ollama in ${inputs.file}`,
    envSet ? "OLLAMA_API_KEY is set" : "OLLAMA_API_KEY is not set",
    profile
      ? `auth profile '${profile.id}' for provider ollama in ${inputs.authProfilesFile}`
      : `no auth profile for provider ollama in ${inputs.authProfilesFile}`,
  ];
  if (replace && !inConfig) {
    reasons.push(`models.mode is "replace": only the config's providers count`);
    return { enabled: false, reasons };
  }
  const enabledBy: EnabledBy | undefined = inConfig ? "config" : envSet ? "env" : profile ? "auth-profile" : undefined;
  return enabledBy === undefined ? { enabled: false, reasons } : { enabled: true, enabledBy, reasons };
}
