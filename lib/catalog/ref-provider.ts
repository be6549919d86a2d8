/**
 * Which provider a model reference means. cli.md splits `provider/id` at the first `/`, but `ollama list`
 * shows names such as `hf.co/acme/tiny-GGUF:Q4_K_M` or `registry.example.lan:5000/team/model`, whose first
 * segment is a registry host, not a provider: when no provider has that id, such a name is the ollama
 * provider's model.
 */
import type { ModelRef, Provider } from "./types.ts";
import { DEFAULT_PROVIDER, parseModelRef } from "../config/model-ref.ts";

/** True for a first segment that names a registry host (`hf.co`, `localhost:5000`), never a provider id. */
export function looksLikeRegistryHost(segment: string): boolean {
  return segment.includes(".") || segment.includes(":") || segment === "localhost";
}

/**
 * Parses a reference against the enabled providers: as written when its provider exists; as a model of
 * the ollama provider when the first segment is a registry host or the ollama provider lists the whole
 * reference as a model. @throws OclawError E_USAGE for a malformed reference
 */
export function parseRefFor(ref: string, providers: ReadonlyArray<Pick<Provider, "id" | "models">>): ModelRef {
  const parsed = parseModelRef(ref);
  if (providers.some((p) => p.id === parsed.provider) || !ref.includes("/")) return parsed;
  const whole = ref.trim();
  const ollama = providers.find((p) => p.id === DEFAULT_PROVIDER);
  if (looksLikeRegistryHost(parsed.provider) || ollama?.models.some((m) => m.id === whole)) {
    return { provider: DEFAULT_PROVIDER, id: whole };
  }
  return parsed;
}
