/**
 * How the catalogue's rows are made: a model entry of a provider becomes a row with its ref, merged params
 * and tags (`default`, `fallback#N`, `no-tools`, `unsupported-api`); a discovered model adds what its
 * `/api/show` said; a ref nothing is known about yet gets an empty entry.
 */
import type { CatalogModel, ModelEntry, Provider } from "./types.ts";
import type { ResolvedConfig } from "../config/resolve.ts";
import { modelfileNumCtx } from "./context.ts";
import type { DiscoveredModel } from "./discovery.ts";
import { paramsFor, selectionTags } from "./selection.ts";

/** What the catalogue needs of the resolved config. */
export type CatalogConfig =
  & Pick<ResolvedConfig, "providers" | "selection">
  & Partial<Pick<ResolvedConfig, "modelParams" | "ignoredProviders">>;

/** Turns a model entry into a catalogue row of `provider`. */
export function catalogModel(
  config: CatalogConfig,
  provider: Provider,
  entry: ModelEntry,
  facts: { source: CatalogModel["source"]; tools: boolean; capabilities?: string[] | undefined },
): CatalogModel {
  const ref = `${provider.id}/${entry.id}`;
  const tags = selectionTags(config.selection, provider.id, entry.id);
  if (!facts.tools) tags.push("no-tools");
  const params = { ...entry.params, ...paramsFor(config.modelParams, provider.id, entry.id) };
  const model: CatalogModel = {
    ...entry,
    params,
    ref,
    provider: provider.id,
    api: entry.api ?? provider.api,
    tools: facts.tools,
    source: facts.source,
    tags,
  };
  if (facts.capabilities !== undefined) model.capabilities = facts.capabilities;
  return model;
}

/** The row of a model discovery found, with the context its Modelfile sets. */
export function discoveredRow(config: CatalogConfig, provider: Provider, found: DiscoveredModel): CatalogModel {
  const row = catalogModel(config, provider, found.entry, {
    source: "discovered",
    tools: found.tools,
    capabilities: found.capabilities,
  });
  const modelfile = modelfileNumCtx(found.show.parameters);
  if (modelfile !== undefined) row.modelfileContext = modelfile;
  return row;
}

/** The models of providers (or entries) whose api oclaw cannot speak: listed, tagged `unsupported-api`. */
export function unsupportedRows(config: CatalogConfig, providerId: string | undefined): CatalogModel[] {
  const rows: CatalogModel[] = [];
  for (const ignored of config.ignoredProviders ?? []) {
    if (providerId !== undefined && ignored.id !== providerId) continue;
    for (const entry of ignored.models) rows.push(unsupportedRow(config, ignored.id, entry));
  }
  return rows;
}

/** The row of one model whose api oclaw cannot speak. */
export function unsupportedRow(config: CatalogConfig, providerId: string, entry: ModelEntry): CatalogModel {
  const tags = [...selectionTags(config.selection, providerId, entry.id), "unsupported-api"];
  return { ...entry, ref: `${providerId}/${entry.id}`, provider: providerId, api: "openai-completions", tools: false, source: "configured", tags };
}

/** The entry of a model nothing is known about yet (a configured ref no server confirmed): context 0 = unknown. */
export function unknownEntry(id: string): ModelEntry {
  return {
    id,
    name: id,
    reasoning: false,
    input: ["text"],
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    contextWindow: 0,
    maxTokens: 0,
    params: {},
  };
}
