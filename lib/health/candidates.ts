/**
 * The models health judges: `--model` refs, else the primary and fallbacks, each with its role and
 * provider; how they are named in the summary, what to do when one is missing, and the catalogue row a
 * probe chat is sent with.
 */
import { catalogModel, unknownEntry } from "../catalog/rows.ts";
import { sameModelId, selectedRefs } from "../catalog/selection.ts";
import type { CatalogModel, ModelEntry, Provider } from "../catalog/types.ts";
import { formatModelRef, parseModelRef } from "../config/model-ref.ts";
import type { ResolvedConfig } from "../config/resolve.ts";

/** Why a candidate is not ready: the model lacks tools. */
export const NO_TOOLS = "has no tool support";
/** Why a candidate is not ready: the server is too old to say whether it has tools. */
export const NO_CAPABILITIES = "not known to support tools (Ollama older than 0.6.4 reports no capabilities)";

/** One model health looks at. */
export interface Candidate {
  /** `provider/id`. */
  ref: string;
  /** `primary`, `fallback#N`, `model#N` (from `--model`), or `auto` (no selection: the first usable). */
  role: string;
  /** Undefined when the ref's provider is not enabled. */
  provider?: Provider;
}

/**
 * The candidates: `refs` (from `--model`) when given, else the configured primary and fallbacks.
 * @throws OclawError E_USAGE for a malformed ref
 */
export function candidatesOf(config: ResolvedConfig, refs: string[]): Candidate[] {
  const list = refs.length > 0
    ? refs.map((ref, i) => ({ ref: formatModelRef(parseModelRef(ref)), role: `model#${i + 1}` }))
    : selectedRefs(config.selection).map(({ ref, tag }) => ({ ref, role: tag === "default" ? "primary" : tag }));
  return list.map((c) => {
    const provider = config.providers.find((p) => p.id === parseModelRef(c.ref).provider);
    return provider === undefined ? c : { ...c, provider };
  });
}

/** `primary`, `fallback #1`, `model #2` — how the summary names a role. */
export function roleLabel(role: string): string {
  if (role === "primary") return "primary";
  if (role.startsWith("fallback#")) return `fallback ${role.slice("fallback".length)}`;
  return `model ${role.slice("model".length)}`;
}

/** What to do about a missing candidate. */
export function pullHint(c: Candidate): string {
  const { provider: providerId, id } = parseModelRef(c.ref);
  if (c.provider === undefined) return `Configure provider '${providerId}', or change the model selection`;
  return c.provider.api === "ollama" && c.provider.discover
    ? `Pull it on the Ollama host: ollama pull ${id}`
    : `Install ${id} on ${c.provider.baseUrl}, or fix models.providers.${c.provider.id}.models`;
}

/** The catalogue row a probe chat is sent with: the configured entry, or a bare discovered one. */
export function probeModelFor(config: ResolvedConfig, provider: Provider, ref: string): CatalogModel {
  const id = parseModelRef(ref).id;
  const configured = provider.models.find((m) => sameModelId(id, m.id));
  const entry: ModelEntry = configured ?? unknownEntry(id);
  return catalogModel(config, provider, entry, { source: configured ? "configured" : "discovered", tools: true });
}
