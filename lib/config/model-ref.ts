/**
 * Model references: `provider/id`, split at the first `/` (`ollama/hf.co/org/repo:Q4` → provider `ollama`,
 * id `hf.co/org/repo:Q4`). A reference without `/` names a model of the `ollama` provider.
 */
import type { ModelRef } from "../catalog/types.ts";
import { usageError } from "../errors.ts";

/** The provider assumed for a reference without `/`. */
export const DEFAULT_PROVIDER = "ollama";

/**
 * Parses a model reference.
 * @throws OclawError E_USAGE when the reference, its provider or its id is empty
 */
export function parseModelRef(ref: string): ModelRef {
  const text = ref.trim();
  const slash = text.indexOf("/");
  const provider = slash === -1 ? DEFAULT_PROVIDER : text.slice(0, slash);
  const id = slash === -1 ? text : text.slice(slash + 1);
  if (provider === "" || id === "") {
    throw usageError(
      `Invalid model reference '${ref}': expected provider/id`,
      "Write it as ollama/llama3.2:3b (a name without '/' means the ollama provider)",
    );
  }
  return { provider, id };
}

/** Formats a model reference as `provider/id`. */
export function formatModelRef(ref: ModelRef): string {
  return `${ref.provider}/${ref.id}`;
}
