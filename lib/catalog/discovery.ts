/**
 * Model discovery for an Ollama provider, by the seed's rules: `GET /api/tags`, then `POST /api/show` per
 * model (bounded concurrency, a time limit per request, answers cached on disk by base URL + name + digest).
 * A model whose `/api/show` fails is reported and skipped; the list goes on.
 */
import { providerHeaders, providerTransport } from "./provider-headers.ts";
import type { ModelEntry, Provider } from "./types.ts";
import { OclawError, toOclawError } from "../errors.ts";
import type { HttpContext } from "../http/context.ts";
import { openShowCache, type ShowCache } from "./cache.ts";
import { serverVersion } from "./ollama-version.ts";
import {
  catalogTimeoutMs,
  fetchJson,
  ollamaApi,
  type Show,
  type Tag,
} from "./ollama-api.ts";
import { acceptShow, acceptTags } from "./answer-checks.ts";

/** How many `/api/show` requests run at once. */
export const SHOW_CONCURRENCY = 8;

/** The context window of a model whose `model_info` names none. */
export const FALLBACK_CONTEXT_WINDOW = 8192;

/** Why a discovered model is not offered for tool use. */
export type NoToolsReason = "no-capabilities" | "no-tools";

/** One model found on an Ollama server, tool-capable or not. */
export interface DiscoveredModel {
  /** The catalogue entry the seed rules give it. */
  entry: ModelEntry;
  /** `/api/show` capabilities; undefined when the server sent none (Ollama older than 0.6.4). */
  capabilities: string[] | undefined;
  /** True when capabilities contain "tools": only such models are kept by default. */
  tools: boolean;
  /** Why `tools` is false: the server reports no capabilities at all, or the model lacks "tools". */
  noToolsReason?: NoToolsReason;
  /** `model_info["general.architecture"]`, when given. */
  architecture?: string;
  /** The `/api/tags` entry (digest, size, details). */
  tag: Tag;
  /** The `/api/show` answer (trimmed when it came from the cache). */
  show: Show;
  /** True when the `/api/show` answer came from the disk cache. */
  cached: boolean;
}

/** A model that could not be looked at. */
export interface DiscoveryFailure {
  model: string;
  error: OclawError;
}

/** Everything one discovery found. */
export interface DiscoveryResult {
  /** Every model on the server, in `/api/tags` order (newest first); filter on `tools` for the catalogue. */
  models: DiscoveredModel[];
  /** Models whose `/api/show` failed. */
  failures: DiscoveryFailure[];
}

/** Options for {@link discoverModels}. */
export interface DiscoveryOptions {
  /** Where `/api/show` answers are cached; undefined keeps them in memory only. */
  cacheDir?: string | undefined;
  /** Ignore cached answers (they are still refreshed on disk). */
  refresh?: boolean | undefined;
  /** `/api/show` requests in flight at once (default {@link SHOW_CONCURRENCY}). */
  concurrency?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Time to open a connection (default: lib/http/diagnose.ts's 5 s). */
  connectTimeoutMs?: number | undefined;
}

/** What one request of discovery may be told. */
export interface RequestTuning {
  signal?: AbortSignal | undefined;
  connectTimeoutMs?: number | undefined;
}

/**
 * Applies the seed rules to one model: tools from capabilities, reasoning from "thinking", the context
 * window from `<architecture>.context_length` (else 8192), 10× that as max output, zero costs, image input
 * for "vision", name = id.
 */
export function modelFromShow(tag: Tag, show: Show, cached = false): DiscoveredModel {
  // /api/tags carries them since v0.30: the running server's word, even when the show answer is cached.
  const capabilities = tag.capabilities ?? show.capabilities;
  const has = (c: string) => capabilities?.includes(c) === true;
  const info = show.model_info ?? {};
  const architecture = typeof info["general.architecture"] === "string" ? info["general.architecture"] : undefined;
  const reported = architecture === undefined ? undefined : info[`${architecture}.context_length`];
  const contextWindow = typeof reported === "number" && Number.isFinite(reported) && reported > 0
    ? reported
    : FALLBACK_CONTEXT_WINDOW;
  const entry: ModelEntry = {
    id: tag.name,
    name: tag.name,
    reasoning: has("thinking"),
    input: has("vision") ? ["text", "image"] : ["text"],
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    contextWindow,
    maxTokens: 10 * contextWindow,
    params: {},
  };
  const tools = has("tools");
  const model: DiscoveredModel = { entry, capabilities, tools, tag, show, cached };
  if (!tools) model.noToolsReason = capabilities === undefined ? "no-capabilities" : "no-tools";
  if (architecture !== undefined) model.architecture = architecture;
  return model;
}

/** A user-facing sentence for a {@link NoToolsReason}. */
export function describeNoTools(reason: NoToolsReason): string {
  return reason === "no-capabilities"
    ? "the server reports no capabilities (Ollama older than 0.6.4); upgrade Ollama or list the model in config"
    : "the model does not report tool support";
}

/**
 * `GET /api/tags`: the models on the server.
 * @throws OclawError when the server cannot be reached or answers wrongly
 */
export async function listTags(
  provider: Provider,
  http: HttpContext,
  tuning?: RequestTuning | AbortSignal,
): Promise<Tag[]> {
  const tags = await fetchJson(http, `${provider.baseUrl}/api/tags`, () => ollamaApi().tags, {
    accept: acceptTags,
    ...asTuning(tuning),
    timeoutMs: catalogTimeoutMs(provider),
    headers: providerHeaders(provider),
    transport: providerTransport(provider),
  });
  return tags.models;
}

/**
 * `POST /api/show` for one model.
 * @throws OclawError E_MODEL_NOT_FOUND when the server does not have it, and transport errors
 */
export function showModel(
  provider: Provider,
  http: HttpContext,
  name: string,
  tuning?: RequestTuning | AbortSignal,
): Promise<Show> {
  return fetchJson(http, `${provider.baseUrl}/api/show`, () => ollamaApi().show, {
    accept: acceptShow,
    json: { model: name },
    ...asTuning(tuning),
    timeoutMs: catalogTimeoutMs(provider),
    headers: providerHeaders(provider),
    transport: providerTransport(provider),
  });
}

/**
 * The cache key of a model's `/api/show` answer: its digest and the server's version, because capabilities
 * are computed by the running server (an upgrade adds `thinking` to a model whose digest did not change).
 */
export function showCacheKey(digest: string, version: string | undefined): string {
  return digest === "" || version === undefined ? digest : `${digest}@${version}`;
}

const sameList = (a: string[] | undefined, b: string[]) =>
  a !== undefined && a.length === b.length && a.every((x) => b.includes(x));

/**
 * One model's entry, from the cache when its digest and the server's version still match (and, from
 * v0.30, the capabilities `/api/tags` lists agree), else from `/api/show` (then cached).
 * @throws OclawError from {@link showModel}
 */
export async function describeModel(
  provider: Provider,
  http: HttpContext,
  tag: Tag,
  cache: ShowCache,
  options: RequestTuning & { refresh?: boolean | undefined; version?: string | undefined } = {},
): Promise<DiscoveredModel> {
  const version = options.version ?? await serverVersion(provider, http, options.signal);
  const key = showCacheKey(tag.digest, version);
  let hit = options.refresh === true || key === "" ? undefined : cache.get(tag.name, key);
  if (hit !== undefined && tag.capabilities !== undefined && !sameList(hit.capabilities, tag.capabilities)) hit = undefined;
  if (hit !== undefined) return modelFromShow(tag, hit, true);
  const show = await showModel(provider, http, tag.name, tuning(options));
  if (key !== "") cache.set(tag.name, key, show);
  return modelFromShow(tag, show);
}

/**
 * Discovers every model of an Ollama provider. Failing `/api/show` requests are collected in `failures`.
 * @throws OclawError when `/api/tags` fails (the server is unreachable or not Ollama), or on abort
 */
export async function discoverModels(
  provider: Provider,
  http: HttpContext,
  options: DiscoveryOptions = {},
): Promise<DiscoveryResult> {
  const started = http.now();
  // The version keys the show cache; asked beside /api/tags, so it costs no time.
  const [tags] = await Promise.all([listTags(provider, http, tuning(options)), serverVersion(provider, http, options.signal)]);
  const cache = await openShowCache(options.cacheDir, provider.baseUrl, http.log);
  const slots: Array<DiscoveredModel | undefined> = new Array(tags.length);
  const failures: DiscoveryFailure[] = [];
  await forEachLimited(tags, options.concurrency ?? SHOW_CONCURRENCY, async (tag, index) => {
    try {
      slots[index] = await describeModel(provider, http, tag, cache, options);
    } catch (error) {
      if (options.signal?.aborted || (error instanceof OclawError && error.code === "E_ABORTED")) throw error;
      http.log.debug(`skipping ${tag.name}: ${(error as Error).message}`);
      failures.push({ model: tag.name, error: toOclawError(error) });
    }
  });
  await cache.save(new Set(tags.map((t) => t.name)));
  const models = slots.filter((m): m is DiscoveredModel => m !== undefined);
  const cached = models.filter((m) => m.cached).length;
  const tools = models.filter((m) => m.tools).length;
  http.log.debug(
    `discovered ${tags.length} model(s) at ${provider.baseUrl} in ${(http.now() - started).toFixed(0)} ms: ` +
      `${tools} with tools, ${cached} from cache, ${models.length - cached} asked, ${failures.length} failed`,
  );
  return { models, failures };
}

// A bare signal is accepted too (the first form of this API, which doctor uses).
function asTuning(tuning: RequestTuning | AbortSignal | undefined): RequestTuning {
  return tuning instanceof AbortSignal ? { signal: tuning } : tuning ?? {};
}

function tuning(options: RequestTuning): RequestTuning {
  return { signal: options.signal, connectTimeoutMs: options.connectTimeoutMs };
}

/** Runs `work` over `items` with at most `limit` calls in flight; the first thrown error stops new work. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
}
