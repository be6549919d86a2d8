/**
 * Checks of the model catalogue: which tool-capable models discovery found and which it skipped (and why),
 * whether configured models are on the server, and whether the primary and fallbacks exist and support tools.
 */
import type { CatalogModel, ModelSelection, Provider } from "../catalog/types.ts";
import { type DiscoveryResult, describeNoTools } from "../catalog/discovery.ts";
import { refMatches, sameModelId, selectedRefs } from "../catalog/selection.ts";
import { parseModelRef } from "../config/model-ref.ts";
import { check, type CheckResult } from "./types.ts";

/** A model to suggest pulling: small, tool-capable, widely available. */
export const SUGGESTED_MODEL = "qwen3:8b";

function list(names: string[], max = 8): string {
  return names.length <= max ? names.join(", ") : `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

/** The discovery check of one provider: tool-capable models found, the rest skipped with the reason. */
export function discoveryCheck(provider: Provider, discovery: DiscoveryResult): CheckResult {
  const usable = discovery.models.filter((m) => m.tools).map((m) => m.entry.id);
  const noCaps = discovery.models.filter((m) => m.noToolsReason === "no-capabilities").map((m) => m.entry.id);
  const noTools = discovery.models.filter((m) => m.noToolsReason === "no-tools").map((m) => m.entry.id);
  const failed = discovery.failures.map((f) => `${f.model} (${f.error.message})`);
  const skipped = [
    noTools.length > 0 ? `skipped ${list(noTools)}: ${describeNoTools("no-tools")}` : "",
    noCaps.length > 0 ? `skipped ${list(noCaps)}: ${describeNoTools("no-capabilities")}` : "",
    failed.length > 0 ? `could not inspect ${list(failed, 3)}` : "",
  ].filter((s) => s !== "");
  const tail = skipped.length > 0 ? `; ${skipped.join("; ")}` : "";
  const opts = { provider: provider.id };
  if (discovery.models.length === 0 && discovery.failures.length === 0) {
    return check("models", "fail", `No model is installed on Ollama at ${provider.baseUrl}`, {
      ...opts,
      fix: `Pull a model that supports tools: ollama pull ${SUGGESTED_MODEL} (on the Ollama host)`,
    });
  }
  if (usable.length === 0) {
    const fix = noCaps.length > 0
      ? "Upgrade Ollama to 0.6.4 or newer so it reports capabilities, or list the models you use under " +
        `models.providers.${provider.id}.models (configured models skip the capability check)`
      : `Pull a model that supports tools (ollama pull ${SUGGESTED_MODEL}; 'ollama show <model>' lists its ` +
        `capabilities), or list the model under models.providers.${provider.id}.models to use it anyway`;
    return check("models", "fail", `No tool-capable model on Ollama at ${provider.baseUrl}${tail}`, { ...opts, fix });
  }
  const status = failed.length > 0 ? "warn" : "ok";
  return check("models", status, `${usable.length} tool-capable model(s): ${list(usable)}${tail}`, {
    ...opts,
    fix: "Check the server log for the models that could not be inspected ('journalctl -u ollama -e')",
  });
}

/** For a provider with a configured list: are the listed models on the server (`/api/tags` or `/models` names)? */
export function configuredModelsCheck(provider: Provider, names: string[]): CheckResult {
  const missing = provider.models.filter((m) => !names.some((name) => sameModelId(m.id, name))).map((m) => m.id);
  const opts = { provider: provider.id };
  if (missing.length === 0) {
    return check("models", "ok", `${provider.models.length} configured model(s), all installed: ` +
      list(provider.models.map((m) => m.id)), opts);
  }
  return check("models", "warn", `Configured but not on ${provider.baseUrl}: ${list(missing)}`, {
    ...opts,
    fix: provider.api === "ollama"
      ? `Pull them there (ollama pull ${missing[0]}), or remove them from models.providers.${provider.id}.models`
      : `Serve them there, or correct the ids in models.providers.${provider.id}.models (the server lists: ${list(names, 5)})`,
  });
}

/** Providers whose catalogue could not be read (their reachability check already failed). */
export type Unchecked = ReadonlySet<string>;

function providerOf(ref: string): string | undefined {
  try {
    return parseModelRef(ref).provider;
  } catch {
    return undefined;
  }
}

/**
 * The selection checks: one per configured ref (`primary`, `fallback#N`) — exists, supports tools.
 * `models` must include non-tool models (buildCatalog with includeAll) so they can be told from missing ones.
 */
export function selectionChecks(
  selection: ModelSelection,
  providers: Provider[],
  models: CatalogModel[],
  unchecked: Unchecked,
): CheckResult[] {
  const refs = selectedRefs(selection);
  if (refs.length === 0) {
    const first = models.find((m) => m.tools);
    const set = "Set the model agents should use: oclaw config set agents.defaults.model.primary";
    // Suggest an installed model; a model nobody can see installed is only an example.
    const fix = first !== undefined
      ? `${set} ${first.ref}`
      : unchecked.size > 0
      ? `${set} <provider>/<model> ('oclaw models list' shows the models once the server answers)`
      : `${set} ollama/${SUGGESTED_MODEL} after 'ollama pull ${SUGGESTED_MODEL}' on the Ollama host`;
    return [check("primary", "warn", "No primary model is set (agents.defaults.model.primary)", { fix })];
  }
  return refs.map(({ ref, tag }) => {
    const name = tag === "default" ? "primary" : tag;
    const label = tag === "default" ? "Primary" : `Fallback #${tag.slice("fallback#".length)}`;
    const providerId = providerOf(ref);
    const provider = providers.find((p) => p.id === providerId);
    const foreign = models.find((m) => m.tags.includes("unsupported-api") && refMatches(ref, m.provider, m.id));
    if (foreign !== undefined) {
      return check(name, "warn", `${label} ${ref} uses api '${foreign.unsupportedApi}', which oclaw does not speak: chat skips it`, {
        fix: "Fine for OpenClaw itself; for oclaw, put a model served over Ollama or a /v1 server before it",
      });
    }
    if (provider?.configError !== undefined) {
      return check(name, "fail", `${label} ${ref}: provider ${provider.id} cannot be used (see its config check)`, {
        provider: provider.id,
        fix: provider.configError.hint,
      });
    }
    if (provider === undefined) {
      return check(name, "fail", `${label} ${ref}: provider '${providerId ?? ref}' is not enabled`, {
        fix: providerId === "ollama"
          ? "Enable Ollama: export OLLAMA_API_KEY=ollama-local, or add models.providers.ollama to the config"
          : `Add models.providers.${providerId} with a baseUrl, or pick a model from 'oclaw models list'`,
      });
    }
    if (unchecked.has(provider.id)) {
      return check(name, "warn", `${label} ${ref}: not checked, provider ${provider.id} did not answer`, {
        provider: provider.id,
        fix: "Fix the provider's reachability first (see above)",
      });
    }
    const model = models.find((m) => m.tags.includes(tag) && refMatches(ref, m.provider, m.id) && !m.tags.includes("missing"));
    if (model === undefined) {
      const id = ref.slice(ref.indexOf("/") + 1);
      const pull = provider.api === "ollama" && provider.discover
        ? `Pull it: ollama pull ${id} (on the Ollama host), or `
        : provider.discover ? "" : `Add it to models.providers.${provider.id}.models, or `;
      return check(name, "fail", `${label} ${ref} does not exist on ${provider.id} (${provider.baseUrl})`, {
        provider: provider.id,
        fix: `${pull}point agents.defaults.model${tag === "default" ? ".primary" : ".fallbacks"} at an installed ` +
          `model: oclaw models list shows them`,
      });
    }
    if (!model.tools) {
      return check(name, "warn", `${label} ${ref} does not report tool support: agents that use tools will fail with it`, {
        provider: provider.id,
        fix: `Choose a tool-capable model ('oclaw models list' shows them; ollama pull ${SUGGESTED_MODEL}), or list ` +
          `${model.id} under models.providers.${provider.id}.models if you know it handles tools`,
      });
    }
    return check(name, "ok", `${label} ${ref} is installed and supports tools`, { provider: provider.id });
  });
}
