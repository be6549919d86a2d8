/**
 * How catalogue rows relate to the configured model selection: which ref names which model (Ollama's
 * `llama3.2` is `llama3.2:latest`), the `default` / `fallback#N` tags, and per-model params from
 * `agents.defaults.models`.
 */
import type { ModelParams, ModelSelection } from "./types.ts";
import { parseModelRef } from "../config/model-ref.ts";

/** True when two model ids name the same model; a missing tag means `:latest`, as Ollama reads it. */
export function sameModelId(a: string, b: string): boolean {
  return a === b || `${a}:latest` === b || a === `${b}:latest`;
}

/** Configured refs as parsed (null: not a ref), each parsed once: a catalogue asks every ref of every row. */
const parsedRefs = new Map<string, { provider: string; id: string } | null>();

function parsedRef(ref: string): { provider: string; id: string } | null {
  let parsed = parsedRefs.get(ref);
  if (parsed === undefined) {
    try {
      const { provider, id } = parseModelRef(ref);
      parsed = { provider, id };
    } catch {
      parsed = null;
    }
    parsedRefs.set(ref, parsed);
  }
  return parsed;
}

/** True when `ref` (`provider/id`, or an id of the ollama provider) names the model `provider`/`id`. */
export function refMatches(ref: string, provider: string, id: string): boolean {
  const parsed = parsedRef(ref);
  return parsed !== null && parsed.provider === provider && sameModelId(parsed.id, id);
}

/** One configured ref with the tag it gives: `default` for the primary, `fallback#N` for the N-th fallback. */
export interface SelectedRef {
  ref: string;
  tag: string;
}

/** The selection's refs in order, each with its tag. */
export function selectedRefs(selection: ModelSelection | undefined): SelectedRef[] {
  const refs: SelectedRef[] = [];
  if (selection?.primary !== undefined) refs.push({ ref: selection.primary, tag: "default" });
  for (const [i, ref] of (selection?.fallbacks ?? []).entries()) refs.push({ ref, tag: `fallback#${i + 1}` });
  return refs;
}

/** The selection tags of the model `provider`/`id`. */
export function selectionTags(selection: ModelSelection | undefined, provider: string, id: string): string[] {
  return selectedRefs(selection).filter((s) => refMatches(s.ref, provider, id)).map((s) => s.tag);
}

/** The `agents.defaults.models[ref].params` for a model, when configured. */
export function paramsFor(
  modelParams: Readonly<Record<string, ModelParams>> | undefined,
  provider: string,
  id: string,
): ModelParams | undefined {
  if (modelParams === undefined) return undefined;
  const exact = modelParams[`${provider}/${id}`];
  if (exact !== undefined) return exact;
  const key = Object.keys(modelParams).find((ref) => refMatches(ref, provider, id));
  return key === undefined ? undefined : modelParams[key];
}
