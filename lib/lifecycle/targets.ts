/**
 * The models `oclaw warm` and `oclaw stop` act on: the refs given (else the configured primary), each
 * on an enabled Ollama provider, as the catalogue row chat would send (its params, an explicit context).
 */
import { noProvider } from "../catalog/catalog.ts";
import { catalogModel, unknownEntry } from "../catalog/rows.ts";
import { explicitContext } from "../catalog/context.ts";
import { sameModelId } from "../catalog/selection.ts";
import type { CatalogModel, Provider } from "../catalog/types.ts";
import { formatModelRef, parseModelRef } from "../config/model-ref.ts";
import type { ResolvedConfig } from "../config/resolve.ts";
import { OclawError } from "../errors.ts";

/** One model to load or unload. */
export interface Target {
  ref: string;
  provider: Provider;
  /** The row chat would send: its params carry num_ctx when the config asks for one (no reload later). */
  model: CatalogModel;
}

/**
 * The targets of `refs`, or of the primary when none is given.
 * @throws OclawError E_USAGE (malformed ref, a provider that is not Ollama), E_NO_PROVIDER, E_NO_MODEL
 */
export function lifecycleTargets(config: ResolvedConfig, refs: string[], verb: "warm" | "stop"): Target[] {
  const wanted = refs.length > 0 ? refs : config.selection.primary === undefined ? [] : [config.selection.primary];
  if (wanted.length === 0) {
    throw new OclawError("E_NO_MODEL", `No model to ${verb}: none given and no primary configured`, {
      hint: `Name one: oclaw ${verb} ollama/<model> (see 'oclaw ps' and 'oclaw models list')`,
    });
  }
  return wanted.map((raw) => {
    const ref = formatModelRef(parseModelRef(raw));
    const { provider: providerId, id } = parseModelRef(ref);
    const provider = config.providers.find((p) => p.id === providerId);
    if (provider === undefined) throw noProvider(config, providerId, raw);
    if (provider.api !== "ollama") {
      throw new OclawError("E_USAGE", `Cannot ${verb} ${ref}: provider '${providerId}' is not an Ollama server`, {
        hint: "Loading and unloading are Ollama's (/api/chat with keep_alive); other servers manage memory themselves",
      });
    }
    const configured = provider.models.find((m) => sameModelId(id, m.id));
    const model = catalogModel(config, provider, configured ?? unknownEntry(id), {
      source: configured ? "configured" : "discovered",
      tools: true,
    });
    const context = model.params.num_ctx === undefined ? explicitContext(model, config.data) : undefined;
    if (context?.tokens !== undefined) model.params = { ...model.params, num_ctx: context.tokens };
    return { ref, provider, model };
  });
}
