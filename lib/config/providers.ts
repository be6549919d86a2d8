/**
 * From config to {@link Provider}s: which are enabled and why, their API, base URL, key and catalogue.
 */
import type { Api, EnabledBy, ModelEntry, Provider } from "../catalog/types.ts";
import { OclawError } from "../errors.ts";
import type { AuthProfile } from "./auth-profiles.ts";
import { DEFAULT_OLLAMA_URL, normalizeOllamaHost } from "./ollama-host.ts";
import { type ConfigData, SUPPORTED_APIS } from "./schema.ts";

type ProviderConfig = NonNullable<NonNullable<ConfigData["models"]>["providers"]>[string];
type ModelConfig = NonNullable<ProviderConfig["models"]>[number];

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

/** A configured provider oclaw cannot talk to (an API it does not speak). */
export interface IgnoredProvider {
  id: string;
  reason: string;
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
}

/** Fills a configured model entry's defaults (name = id, text input, zero costs, 8192 context, 10× output). */
export function normalizeModelEntry(model: ModelConfig): ModelEntry {
  const contextWindow = model.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
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
    maxTokens: model.maxTokens ?? 10 * contextWindow,
    params: { ...model.params },
  };
  if (isSupportedApi(model.api)) entry.api = model.api;
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
function moveCredentials(
  baseUrl: string,
  headers: Record<string, string>,
): { url: string; headers: Record<string, string>; credentials: boolean } {
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
  return { url: url.href.replace(/\/+$/, ""), headers, credentials: true };
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

/**
 * Builds the enabled providers (`ollama` first when enabled, then the config's order).
 * @throws OclawError E_CONFIG_INVALID when OLLAMA_HOST cannot be read as a host
 */
export function buildProviders(inputs: ProviderInputs): {
  providers: Provider[];
  ollama: OllamaStatus;
  ignored: IgnoredProvider[];
} {
  const configured = inputs.data.models?.providers ?? {};
  const ollama = ollamaStatus(inputs, configured[OLLAMA_PROVIDER] !== undefined);
  const providers: Provider[] = [];
  const ignored: IgnoredProvider[] = [];
  const ids = Object.keys(configured).filter((id) => id !== OLLAMA_PROVIDER);
  if (ollama.enabled) ids.unshift(OLLAMA_PROVIDER);
  for (const id of ids) {
    const config: ProviderConfig = configured[id] ?? {};
    const api = config.api ?? (id === OLLAMA_PROVIDER ? "ollama" : "openai-completions");
    if (!isSupportedApi(api)) {
      ignored.push({ id, reason: `api '${api}' is not one oclaw speaks (${SUPPORTED_APIS.join(", ")})` });
      continue;
    }
    providers.push(buildProvider(id, api, config, inputs, id === OLLAMA_PROVIDER ? ollama.enabledBy! : "config"));
  }
  return { providers, ollama, ignored };
}

function buildProvider(id: string, api: Api, config: ProviderConfig, inputs: ProviderInputs, enabledBy: EnabledBy): Provider {
  let baseUrl: string;
  let baseUrlSource: Provider["baseUrlSource"];
  if (config.baseUrl !== undefined) {
    baseUrl = cleanBaseUrl(config.baseUrl, api);
    baseUrlSource = "config";
  } else {
    // Only the ollama provider may omit baseUrl (the schema requires it elsewhere).
    const host = ollamaHostUrl(inputs.env);
    baseUrl = cleanBaseUrl(api === "ollama" ? host.url : `${cleanBaseUrl(host.url, "ollama")}/v1`, api);
    baseUrlSource = host.source;
  }
  const { url, headers, credentials } = moveCredentials(baseUrl, { ...config.headers });
  const models = (config.models ?? []).map(normalizeModelEntry);
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
  const apiKey = config.apiKey ?? (id === OLLAMA_PROVIDER ? fallbackOllamaKey(inputs) : undefined);
  if (apiKey !== undefined && apiKey !== "") provider.apiKey = apiKey;
  if (config.timeoutSeconds !== undefined) provider.timeoutSeconds = config.timeoutSeconds;
  const note = authNote(id, config.headers ?? {}, credentials, provider.apiKey !== undefined);
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

function ollamaStatus(inputs: ProviderInputs, inConfig: boolean): OllamaStatus {
  const envSet = inputs.env.OLLAMA_API_KEY !== undefined;
  const profile = inputs.authProfiles[0];
  const reasons = [
    inConfig ? `models.providers.ollama is set in ${inputs.file}` : `no models.providers.ollama in ${inputs.file}`,
    envSet ? "OLLAMA_API_KEY is set" : "OLLAMA_API_KEY is not set",
    profile
      ? `auth profile '${profile.id}' for provider ollama in ${inputs.authProfilesFile}`
      : `no auth profile for provider ollama in ${inputs.authProfilesFile}`,
  ];
  const enabledBy: EnabledBy | undefined = inConfig ? "config" : envSet ? "env" : profile ? "auth-profile" : undefined;
  return enabledBy === undefined ? { enabled: false, reasons } : { enabled: true, enabledBy, reasons };
}
