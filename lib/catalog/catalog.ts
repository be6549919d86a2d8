/**
 * The catalogue: every enabled provider's models (configured entries as they are, discovery for providers
 * without a list), tagged with the model selection (`default`, `fallback#N`), `no-tools` and `missing`.
 * {@link buildCatalog} serves `oclaw models list`; {@link resolveModel} is the cheap path chat takes for one ref.
 * How one row is made is rows.ts's.
 */
import type { CatalogModel, Provider } from "./types.ts";
import { DEFAULT_PROVIDER, parseModelRef } from "../config/model-ref.ts";
import { OclawError, toOclawError } from "../errors.ts";
import type { HttpContext } from "../http/context.ts";
import { openShowCache } from "./cache.ts";
import { serverVersion } from "./ollama-version.ts";
import { type DiscoveryResult, describeModel, discoverModels, listTags } from "./discovery.ts";
import { didYouMean } from "./model-suggest.ts";
import { parseRefFor } from "./ref-provider.ts";
import { type CatalogConfig, catalogModel, discoveredRow, unknownEntry, unsupportedRow, unsupportedRows } from "./rows.ts";
import { refMatches, sameModelId, selectedRefs } from "./selection.ts";

export { defaultCacheDir } from "./cache.ts";

/** Options for {@link buildCatalog} and {@link resolveModel}. */
export interface CatalogOptions {
  /** Ignore cached `/api/show` answers. */
  refresh?: boolean | undefined;
  /** Also list discovered models without tool support (tagged `no-tools`). */
  includeAll?: boolean | undefined;
  /**
   * The `/api/show` cache directory; pass `defaultCacheDir(io)` for the user's. Undefined: no disk cache.
   */
  cacheDir?: string | undefined;
  /** Only this provider. @throws E_NO_PROVIDER when it is not enabled */
  providerId?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Time to open a connection (default: lib/http/diagnose.ts's 5 s). */
  connectTimeoutMs?: number | undefined;
}

/** A problem met while building the catalogue (`--json` `errors`). */
export interface CatalogError {
  provider: string;
  code: string;
  message: string;
  hint?: string;
  /** Set when one model could not be looked at (the provider itself answered). */
  model?: string;
}

/** What happened with one provider. */
export interface ProviderOutcome {
  provider: Provider;
  /** Set when the provider could not be listed (unreachable, not Ollama ...). */
  error?: OclawError;
  /** The full discovery result, for discover providers that answered (doctor reads skipped models here). */
  discovery?: DiscoveryResult;
}

/** The catalogue. */
export interface Catalog {
  models: CatalogModel[];
  errors: CatalogError[];
  providers: ProviderOutcome[];
}

/** The providers a run looks at: all enabled ones, or the one `providerId` names. */
function pickProviders(config: CatalogConfig, providerId: string | undefined): Provider[] {
  if (providerId === undefined) return config.providers;
  const provider = config.providers.find((p) => p.id === providerId);
  if (provider === undefined) throw noProvider(config, providerId);
  return [provider];
}

/** The error for a provider id that is not enabled. */
export function noProvider(config: CatalogConfig, id: string, ref?: string): OclawError {
  const enabled = config.providers.map((p) => p.id);
  const what = ref === undefined ? `Provider '${id}'` : `Provider '${id}' of model '${ref}'`;
  const ollamaRef = ref !== undefined && enabled.includes(DEFAULT_PROVIDER) ? `For an Ollama model of that name write ollama/${ref.trim()}; or add` : "Add";
  const hint = id === "ollama"
    ? "Enable Ollama: set OLLAMA_API_KEY (any value) or add models.providers.ollama to the config"
    : `${ollamaRef} models.providers.${id} with a baseUrl to the config` +
      (enabled.length > 0 ? `, or use one of: ${enabled.join(", ")}` : "");
  return new OclawError("E_NO_PROVIDER", `${what} is not configured`, { hint });
}

function catalogError(provider: Provider, error: OclawError, model?: string): CatalogError {
  const out: CatalogError = { provider: provider.id, code: error.code, message: error.message };
  if (error.hint !== undefined) out.hint = error.hint;
  if (model !== undefined) {
    out.model = model;
    out.message = `Skipped ${model}: ${error.message}`;
  }
  return out;
}

/**
 * Builds the catalogue of all enabled providers (or one). Never throws for a provider that cannot be
 * reached: its problem is in `errors`, and what could be listed is in `models`.
 * @throws OclawError E_NO_PROVIDER for an unknown `providerId`, E_ABORTED on abort
 */
export async function buildCatalog(config: CatalogConfig, http: HttpContext, options: CatalogOptions = {}): Promise<Catalog> {
  const providers = pickProviders(config, options.providerId);
  const outcomes = await Promise.all(providers.map(async (provider): Promise<ProviderOutcome> => {
    if (provider.configError !== undefined) return { provider, error: provider.configError };
    if (!provider.discover) return { provider };
    try {
      return { provider, discovery: await discoverModels(provider, http, options) };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      return { provider, error: toOclawError(error) };
    }
  }));

  const models: CatalogModel[] = [];
  const errors: CatalogError[] = [];
  const selected = (row: CatalogModel) => row.tags.some((t) => t === "default" || t.startsWith("fallback#"));
  for (const outcome of outcomes) {
    const { provider } = outcome;
    if (outcome.error !== undefined) errors.push(catalogError(provider, outcome.error));
    if (!provider.discover) {
      for (const entry of provider.models) {
        models.push(entry.unsupportedApi !== undefined
          ? unsupportedRow(config, provider.id, entry)
          : catalogModel(config, provider, entry, { source: "configured", tools: true }));
      }
    }
    for (const found of outcome.discovery?.models ?? []) {
      const row = discoveredRow(config, provider, found);
      // A model the selection names is always shown, so `no-tools` explains why it will not work.
      if (row.tools || options.includeAll === true || selected(row)) models.push(row);
    }
    for (const failure of outcome.discovery?.failures ?? []) errors.push(catalogError(provider, failure.error, failure.model));
  }

  models.push(...unsupportedRows(config, options.providerId));
  models.push(...missingRows(config, outcomes, models, options.providerId));
  return { models, errors, providers: outcomes };
}

/** The error for a model whose api oclaw cannot speak (chat falls back past it). */
export function unsupportedApiError(ref: string, api: string): OclawError {
  return new OclawError("E_UNSUPPORTED_API", `${ref} uses api '${api}', which oclaw does not speak (it speaks ollama, openai-completions)`, {
    hint: "Pick a model served over Ollama's API or an OpenAI-compatible /v1 ('oclaw models list')",
  });
}

/** Rows for selected refs that no provider offers: `missing`, or `unverified` when their provider failed. */
function missingRows(
  config: CatalogConfig,
  outcomes: ProviderOutcome[],
  listed: CatalogModel[],
  providerId: string | undefined,
): CatalogModel[] {
  const rows = new Map<string, CatalogModel>();
  for (const { ref, tag } of selectedRefs(config.selection)) {
    let parsed;
    try {
      parsed = parseModelRef(ref);
    } catch {
      continue;
    }
    if (providerId !== undefined && parsed.provider !== providerId) continue;
    if (listed.some((m) => refMatches(ref, m.provider, m.id))) continue;
    const key = `${parsed.provider}/${parsed.id}`;
    const existing = rows.get(key);
    if (existing !== undefined) {
      existing.tags.splice(existing.tags.length - 1, 0, tag);
      continue;
    }
    const outcome = outcomes.find((o) => o.provider.id === parsed.provider);
    rows.set(key, {
      ...unknownEntry(parsed.id),
      ref: key,
      provider: parsed.provider,
      api: outcome?.provider.api ?? "ollama",
      tools: false,
      source: "configured",
      tags: [tag, outcome?.error !== undefined ? "unverified" : "missing"],
    });
  }
  return [...rows.values()];
}

/**
 * Finds one model for chat, as cheaply as possible: a configured entry costs no request; a discovered one
 * costs one `/api/tags` plus a cached (or one) `/api/show`. A model without tool support is returned with
 * `tools: false`; the caller decides.
 * @throws OclawError E_USAGE for a malformed ref, E_NO_PROVIDER (provider not enabled), E_MODEL_NOT_FOUND
 *   (not in the configured list, or not on the server), the transport error when the server is unreachable
 */
export async function resolveModel(
  config: CatalogConfig,
  http: HttpContext,
  ref: string,
  options: CatalogOptions = {},
): Promise<{ provider: Provider; model: CatalogModel }> {
  let parsed = parseRefFor(ref, config.providers);
  let provider = config.providers.find((p) => p.id === parsed.provider);
  if (provider === undefined) {
    const ignored = config.ignoredProviders?.find((p) => p.id === parsed.provider);
    if (ignored !== undefined) throw unsupportedApiError(ref, ignored.api);
    // `someone/model` may be a model Ollama has (a namespaced name): one /api/tags tells.
    const ollama = config.providers.find((p) => p.id === DEFAULT_PROVIDER && p.discover);
    const whole = ref.trim();
    const tags = ollama === undefined ? [] : await listTags(ollama, http, options).catch(() => []);
    if (ollama === undefined || !tags.some((t) => t.name === whole || sameModelId(whole, t.name))) {
      throw noProvider(config, parsed.provider, ref);
    }
    parsed = { provider: ollama.id, id: whole };
    provider = ollama;
  }
  if (provider.configError !== undefined) throw provider.configError;
  if (!provider.discover) {
    const entry = provider.models.find((m) => sameModelId(parsed.id, m.id));
    if (entry?.unsupportedApi !== undefined) throw unsupportedApiError(ref, entry.unsupportedApi);
    if (entry === undefined) {
      const guess = didYouMean(parsed.id, provider.models.map((m) => m.id), provider.id);
      throw new OclawError("E_MODEL_NOT_FOUND", `Model '${parsed.id}' is not in the models listed for provider '${provider.id}'`, {
        hint: `${guess}Add it to models.providers.${provider.id}.models in the config, or pick one from 'oclaw models list'`,
      });
    }
    return { provider, model: catalogModel(config, provider, entry, { source: "configured", tools: true }) };
  }
  // The version keys the show cache (and chat's version rules); asked beside /api/tags.
  const [tags] = await Promise.all([listTags(provider, http, options), serverVersion(provider, http, options.signal)]);
  const tag = tags.find((t) => t.name === parsed.id) ?? tags.find((t) => sameModelId(parsed.id, t.name));
  if (tag === undefined) {
    const guess = didYouMean(parsed.id, tags.map((t) => t.name), provider.id);
    throw new OclawError("E_MODEL_NOT_FOUND", `Model '${parsed.id}' is not on Ollama at ${provider.baseUrl}`, {
      url: provider.baseUrl,
      hint: `${guess}${guess ? "Or pull" : "Pull"} it with 'oclaw models pull ${parsed.id}' (or 'ollama pull ${parsed.id}' on that host)`,
    });
  }
  const cache = await openShowCache(options.cacheDir, provider.baseUrl, http.log);
  const found = await describeModel(provider, http, tag, cache, options);
  await cache.save();
  return { provider, model: discoveredRow(config, provider, found) };
}
