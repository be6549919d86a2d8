/**
 * What health asks each server: who it is (`/api/version`, or `/models` for OpenAI-compatible servers),
 * which models it has (`/api/tags`) and which are loaded (`/api/ps`) — the three in one round trip's time.
 */
import { describeModel, listTags, type NoToolsReason } from "../catalog/discovery.ts";
import { rememberVersion } from "../catalog/ollama-version.ts";
import { openShowCache } from "../catalog/cache.ts";
import type { PsEntry, Tag } from "../catalog/ollama-api.ts";
import { sameModelId } from "../catalog/selection.ts";
import type { Provider } from "../catalog/types.ts";
import { OclawError, toOclawError } from "../errors.ts";
import type { HttpContext } from "../http/context.ts";
import { loadedModels } from "../checks/loaded-models.ts";
import { probeServer, type ServerProbe } from "../checks/server.ts";
import type { RetryPolicy } from "../retry.ts";

/** One server as health saw it. */
export interface ServerState {
  provider: Provider;
  probe: ServerProbe;
  /** Installed model names (Ollama `/api/tags`, OpenAI-compatible `/models`), when listed. */
  installed?: string[];
  /** Ollama's `/api/tags` entries (digests key the `/api/show` cache). */
  tags?: Tag[];
  /** Ollama's `/api/ps` entries; undefined when the server could not say (not Ollama, no answer). */
  loaded?: PsEntry[];
  /** A problem listing the models of a server that answered its version. */
  listError?: OclawError;
  /** Time for all of the server's requests. */
  ms: number;
}

/** Limits for {@link inspectServer}. */
export interface InspectLimits {
  connectTimeoutMs: number;
  answerTimeoutMs: number;
  signal: AbortSignal;
  /** When to retry a transient DNS failure (lib/retry.ts). */
  dnsRetry: RetryPolicy;
}

/** Asks one server everything health needs; never throws. */
export async function inspectServer(http: HttpContext, provider: Provider, limits: InspectLimits): Promise<ServerState> {
  const started = http.now();
  const probe = await probeServer(http, provider, limits);
  const state: ServerState = { provider, probe, ms: 0 };
  // The show cache is keyed on the version too: known now, it costs no second /api/version.
  if (probe.ok && probe.version !== undefined) rememberVersion(provider, http, probe.version);
  if (probe.ok && provider.api === "ollama") {
    const [tags, loaded] = await Promise.all([
      listTags(provider, http, limits).catch((e: unknown) => toOclawError(e)),
      // /api/ps only feeds the loaded/GPU/context facts: a server without it is still healthy.
      loadedModels(http, provider, limits.signal).catch(() => undefined),
    ]);
    if (tags instanceof OclawError) state.listError = tags;
    else {
      state.tags = tags;
      state.installed = tags.map((t) => t.name);
    }
    if (loaded !== undefined) state.loaded = loaded;
  } else if (probe.ok && probe.modelIds !== undefined) {
    state.installed = probe.modelIds;
  }
  state.ms = http.now() - started;
  return state;
}

/** True when the server answered and listed its models. */
export function isUp(state: ServerState): boolean {
  return state.probe.ok && state.listError === undefined;
}

/** The server's problem, when it is not up. */
export function serverError(state: ServerState): OclawError | undefined {
  return state.probe.ok ? state.listError : state.probe.error;
}

/** True when the model `id` can be used on this server. */
export function hasModel(state: ServerState, id: string): boolean {
  const { provider } = state;
  if (!provider.discover && !provider.models.some((m) => sameModelId(id, m.id))) return false;
  // A server that gave no list (an OpenAI-compatible one with `data: null`) is taken at the config's word.
  if (state.installed === undefined || (provider.api !== "ollama" && state.installed.length === 0)) {
    return !provider.discover;
  }
  return state.installed.some((name) => sameModelId(id, name));
}

/** `ollama 0.12.3 at http://127.0.0.1:11434` */
export function serverLabel(state: ServerState): string {
  const version = state.probe.ok && state.probe.version !== undefined ? ` ${state.probe.version}` : "";
  return `${state.provider.id}${version} at ${state.provider.baseUrl}`;
}

/**
 * Whether an installed model of a discovering Ollama server supports tools, from `/api/show` (cached on disk
 * by digest, so a repeated run asks nothing). Configured models count as capable, as in the catalogue.
 * `ids` are tried in order (with `stopAtFirst`, until a capable one); each verdict is `true` or why not.
 */
export async function toolVerdicts(
  http: HttpContext,
  state: ServerState,
  ids: string[],
  options: { cacheDir: string | undefined; signal: AbortSignal; connectTimeoutMs: number; stopAtFirst?: boolean },
): Promise<Map<string, true | NoToolsReason>> {
  const verdicts = new Map<string, true | NoToolsReason>();
  const { provider } = state;
  if (!provider.discover || state.tags === undefined) {
    for (const id of ids) verdicts.set(id, true);
    return verdicts;
  }
  const cache = await openShowCache(options.cacheDir, provider.baseUrl, http.log);
  for (const id of ids) {
    const tag = state.tags.find((t) => t.name === id) ?? state.tags.find((t) => sameModelId(id, t.name));
    if (tag === undefined) continue;
    try {
      const found = await describeModel(provider, http, tag, cache, options);
      verdicts.set(id, found.tools ? true : found.noToolsReason ?? "no-tools");
    } catch (error) {
      if (options.signal.aborted) break;
      // A model that cannot be inspected is not judged here; chat will say what is wrong with it.
      http.log.debug(`cannot inspect ${tag.name}: ${(error as Error).message}`);
      verdicts.set(id, true);
    }
    if (options.stopAtFirst === true && verdicts.get(id) === true) break;
  }
  await cache.save().catch(() => {});
  return verdicts;
}
