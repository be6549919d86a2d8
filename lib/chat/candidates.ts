/**
 * Which models `oclaw chat` tries, in order: the `-m` refs as given, else the configured primary then
 * its fallbacks (cli.md `oclaw chat`).
 */
import type { ModelSelection, Provider } from "../catalog/types.ts";
import { parseRefFor } from "../catalog/ref-provider.ts";
import { formatModelRef, parseModelRef } from "../config/model-ref.ts";
import { OclawError } from "../errors.ts";
import type { Candidate } from "./fallback.ts";

/**
 * The candidates, duplicates dropped; each carries its provider and api when that provider is enabled
 * (the `start` event needs them even when the model then cannot be found).
 * @throws OclawError E_USAGE for a malformed ref, E_NO_MODEL when nothing names a model
 */
export function chatCandidates(flags: string[], selection: ModelSelection, providers: Provider[]): Candidate[] {
  const refs = flags.length > 0
    ? flags
    : [...(selection.primary === undefined ? [] : [selection.primary]), ...selection.fallbacks];
  if (refs.length === 0) {
    throw new OclawError("E_NO_MODEL", "No model to chat with: none given with -m and none configured", {
      hint: "Pass -m ollama/<model> (see 'oclaw models list'), or set one: " +
        "oclaw config set agents.defaults.model.primary ollama/<model>",
    });
  }
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const raw of refs) {
    // `hf.co/org/repo:Q4` names an Ollama model, not a provider `hf.co` (lib/catalog/ref-provider.ts).
    const ref = formatModelRef(parseRefFor(raw, providers));
    if (seen.has(ref)) continue;
    seen.add(ref);
    const { provider: providerId, id } = parseModelRef(ref);
    const provider = providers.find((p) => p.id === providerId);
    if (provider === undefined) {
      candidates.push({ ref });
      continue;
    }
    // A configured model entry may speak another api than its provider.
    const api = provider.models.find((m) => m.id === id)?.api ?? provider.api;
    candidates.push({ ref, provider: provider.id, api });
  }
  return candidates;
}
