/** Providers as config resolution hands them to discovery and the clients. */
import type { Provider } from "../../lib/catalog/types.ts";

/** The provider OLLAMA_API_KEY alone enables (id ollama, native api, discovery on) at `baseUrl`; `extra` overrides any field. */
export function ollamaProvider(baseUrl: string, extra: Partial<Provider> = {}): Provider {
  return {
    id: "ollama",
    api: "ollama",
    baseUrl,
    headers: {},
    models: [],
    discover: true,
    enabledBy: "env",
    baseUrlSource: "config",
    ...extra,
  };
}
