/**
 * Why a list can be empty although the server has models: Ollama before 0.6.4 sends no `capabilities` in
 * `/api/show`, so discovery cannot tell that any model supports tools (cli.md "Discovery"; doctor says so
 * too). `models list` reports it on stderr and in `--json` `errors` instead of an unexplained empty table.
 */
import type { Catalog, CatalogError } from "../../catalog/catalog.ts";

/** One entry per provider whose every discovered model came without capabilities. */
export function noCapabilityErrors(catalog: Catalog): CatalogError[] {
  const out: CatalogError[] = [];
  for (const outcome of catalog.providers) {
    const models = outcome.discovery?.models ?? [];
    if (models.length === 0 || !models.every((m) => m.noToolsReason === "no-capabilities")) continue;
    out.push({
      provider: outcome.provider.id,
      code: "E_NO_TOOLS",
      message: `Ollama at ${outcome.provider.baseUrl} reports no model capabilities (it is older than 0.6.4), ` +
        `so none of its ${models.length} model${models.length === 1 ? "" : "s"} can be shown to support tools`,
      hint: "Upgrade Ollama to 0.6.4 or later, or list the models in models.providers." +
        `${outcome.provider.id}.models (then no discovery runs); --all shows them anyway`,
    });
  }
  return out;
}
