/**
 * The facts health gathers per candidate, in chain order: installed, tool-capable, loaded or cold, the
 * share on the GPU, seconds until Ollama unloads it, allocated against configured context, and which
 * candidate would serve a chat now (`active`: the first usable one).
 */
import { explicitContext } from "../catalog/context.ts";
import type { PsEntry } from "../catalog/ollama-api.ts";
import { sameModelId } from "../catalog/selection.ts";
import type { Provider } from "../catalog/types.ts";
import { parseModelRef } from "../config/model-ref.ts";
import type { ResolvedConfig } from "../config/resolve.ts";
import type { HttpContext } from "../http/context.ts";
import { type Candidate, NO_CAPABILITIES, NO_TOOLS, probeModelFor } from "./candidates.ts";
import type { CandidateFacts } from "./report.ts";
import { hasModel, isUp, type ServerState, toolVerdicts } from "./servers.ts";
import { gpuRatio, secondsUntil } from "../checks/loaded-models.ts";

/** The verdict of a usable candidate. */
export const READY = "ready";

/** What {@link candidateFacts} needs besides the candidates and servers. */
export interface FactsContext {
  http: HttpContext;
  config: ResolvedConfig;
  /** The show cache's directory (tool verdicts are cached by digest). */
  cacheDir: string | undefined;
  signal: AbortSignal;
  connectTimeoutMs: number;
  /** Wall clock now, in ms since the epoch (for `expires_at`). */
  wallClockMs: number;
}

/** The server a candidate's provider runs on, when health asked it. */
export function serverOf(states: ServerState[], provider: Provider | undefined): ServerState | undefined {
  return states.find((s) => s.provider === provider);
}

/** The `/api/ps` entry of a model, when loaded. */
export function psEntryOf(state: ServerState | undefined, id: string): PsEntry | undefined {
  return state?.loaded?.find((e) => sameModelId(id, e.name));
}

/**
 * The context the config asks for on this model (`params.num_ctx`, `contextTokens`, a written
 * `contextWindow`: lib/catalog/context.ts's rules); undefined when oclaw sends none and Ollama decides.
 */
export function configuredContext(config: ResolvedConfig, provider: Provider, id: string): number | undefined {
  return explicitContext(probeModelFor(config, provider, `${provider.id}/${id}`), config.data)?.tokens;
}

/** Why each candidate is or is not usable, before asking about tools. */
function firstVerdict(c: Candidate, state: ServerState | undefined, ignored: ResolvedConfig["ignoredProviders"]): string {
  if (c.provider === undefined) {
    const { provider: id } = parseModelRef(c.ref);
    const foreign = ignored.find((p) => p.id === id);
    return foreign !== undefined ? `api '${foreign.api}' not spoken by oclaw` : `provider '${id}' not configured`;
  }
  if (c.provider.configError !== undefined) return `provider '${c.provider.id}' config unusable (${c.provider.configError.code})`;
  if (state === undefined || !isUp(state)) return "unreachable";
  return hasModel(state, parseModelRef(c.ref).id) ? READY : "missing";
}

/**
 * Gathers the facts of every candidate from the servers' answers; installed candidates are asked about
 * tools (`/api/show`, cached on disk). Never throws.
 */
export async function candidateFacts(ctx: FactsContext, candidates: Candidate[], states: ServerState[]): Promise<CandidateFacts[]> {
  const verdicts = candidates.map((c) => firstVerdict(c, serverOf(states, c.provider), ctx.config.ignoredProviders));
  const tools: Array<boolean | null> = candidates.map((_, i) => (verdicts[i] === READY ? true : null));
  for (const state of states.filter(isUp)) {
    const ids = candidates.flatMap((c, i) => (c.provider === state.provider && verdicts[i] === READY ? [parseModelRef(c.ref).id] : []));
    if (ids.length === 0) continue;
    const answers = await toolVerdicts(ctx.http, state, ids, ctx);
    candidates.forEach((c, i) => {
      const answer = c.provider === state.provider ? answers.get(parseModelRef(c.ref).id) : undefined;
      if (answer === "no-tools") verdicts[i] = NO_TOOLS;
      if (answer === "no-capabilities") verdicts[i] = NO_CAPABILITIES;
      if (answer !== undefined && answer !== true) tools[i] = answer === "no-tools" ? false : null;
    });
  }
  const activeIndex = verdicts.indexOf(READY);
  return candidates.map((c, i) => {
    const state = serverOf(states, c.provider);
    const id = parseModelRef(c.ref).id;
    const up = state !== undefined && isUp(state);
    const entry = psEntryOf(state, id);
    const psKnown = up && state.loaded !== undefined;
    const configured = c.provider === undefined ? undefined : configuredContext(ctx.config, c.provider, id);
    return {
      model: c.ref,
      role: c.role,
      installed: !up ? null : verdicts[i] !== "missing",
      tools: tools[i] ?? null,
      loaded: psKnown ? entry !== undefined : null,
      gpuRatio: entry === undefined ? null : gpuRatio(entry) ?? null,
      expiresInSeconds: entry === undefined ? null : secondsUntil(entry.expires_at, ctx.wallClockMs) ?? null,
      context: {
        allocated: entry?.context_length !== undefined && entry.context_length > 0 ? entry.context_length : null,
        configured: configured ?? null,
      },
      active: i === activeIndex,
      verdict: verdicts[i]!,
    };
  });
}
