/** Model entries and catalogue models as config and discovery produce them. */
import type { CatalogModel, ModelEntry } from "../../lib/catalog/types.ts";
import { normalizeModelEntry } from "../../lib/config/providers.ts";

/** A text model entry with no cost, an 8192-token window, 81920 max tokens and no params; `extra` overrides any field. */
export function modelEntry(id: string, extra: Partial<ModelEntry> = {}): ModelEntry {
  // The defaults a configured `{ id }` gets from config resolution itself.
  return { ...normalizeModelEntry({ id }), ...extra };
}

/** The catalogue's `ollama/<id>`: a {@link modelEntry}, native api, tool-capable, configured, untagged; `extra` overrides any field. */
export function catalogModel(id: string, extra: Partial<CatalogModel> = {}): CatalogModel {
  return {
    ...modelEntry(id),
    ref: `ollama/${id}`,
    provider: "ollama",
    api: "ollama",
    tools: true,
    source: "configured",
    tags: [],
    ...extra,
  };
}
