/**
 * What health asks each server: who it is (`/api/version`, or `/models` for OpenAI-compatible servers),
 * which models it has (`/api/tags`) and which are loaded (`/api/ps`) — the three in one round trip's time.
 */
import { listTags } from "../catalog/discovery.ts";
import type { PsEntry } from "../catalog/ollama-api.ts";
import { sameModelId } from "../catalog/selection.ts";
import type { Provider } from "../catalog/types.ts";
import { OclawError, toOclawError } from "../errors.ts";
import type { HttpContext } from "../http.ts";
import { loadedModels } from "../checks/loaded-models.ts";
import { probeServer, type ServerProbe } from "../checks/server.ts";

/** One server as health saw it. */
export interface ServerState {
  provider: Provider;
  probe: ServerProbe;
  /** Installed model names (Ollama `/api/tags`, OpenAI-compatible `/models`), when listed. */
  installed?: string[];
  loaded: PsEntry[];
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
}

/** Asks one server everything health needs; never throws. */
export async function inspectServer(http: HttpContext, provider: Provider, limits: InspectLimits): Promise<ServerState> {
  const started = http.now();
  const probe = await probeServer(http, provider, limits);
  const state: ServerState = { provider, probe, loaded: [], ms: 0 };
  if (probe.ok && provider.api === "ollama") {
    const [tags, loaded] = await Promise.all([
      listTags(provider, http, limits.signal).catch((e: unknown) => toOclawError(e)),
      // /api/ps only feeds the CPU warning: a server without it is still healthy.
      loadedModels(http, provider, limits.signal).catch(() => [] as PsEntry[]),
    ]);
    if (tags instanceof OclawError) state.listError = tags;
    else state.installed = tags.map((t) => t.name);
    state.loaded = loaded;
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
