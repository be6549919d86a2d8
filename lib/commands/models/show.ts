/**
 * `oclaw models show REF`: everything known about one model — its catalogue entry, and from an Ollama
 * server its capabilities, architecture, trained context, parameters and whether it is loaded (CPU/GPU).
 */
import { providerHeaders, providerTransport } from "../../catalog/provider-headers.ts";
import type { Command, CommandContext } from "../../cli/command.ts";
import type { CatalogModel, Provider } from "../../catalog/types.ts";
import { noProvider } from "../../catalog/catalog.ts";
import { catalogModel } from "../../catalog/rows.ts";
import { modelFromShow, showModel } from "../../catalog/discovery.ts";
import { catalogTimeoutMs, fetchJson, ollamaApi, type PsEntry, type Show } from "../../catalog/ollama-api.ts";
import { sameModelId } from "../../catalog/selection.ts";
import { parseRefFor } from "../../catalog/ref-provider.ts";
import { exitCodeFor, OclawError, toOclawError, usageError } from "../../errors.ts";
import { modelJson } from "./list.ts";
import { type ModelsRun, setupModelsRun } from "./setup.ts";
import { acceptPs } from "../../catalog/answer-checks.ts";

/** Where a loaded model runs, the way `ollama ps` says it: `100% GPU`, `100% CPU`, `25%/75% CPU/GPU`. */
export function processorOf(size: number | undefined, sizeVram: number | undefined): string {
  if (size === undefined || size <= 0) return "unknown";
  const vram = sizeVram ?? 0;
  if (vram <= 0) return "100% CPU";
  if (vram >= size) return "100% GPU";
  const cpu = Math.round(((size - vram) / size) * 100);
  return `${cpu}%/${100 - cpu}% CPU/GPU`;
}

/** Ollama's one-string `parameters` (a line per option, key padded) as key → values. */
export function parseParameters(text: string | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of (text ?? "").split("\n")) {
    const match = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, key, raw] = match as unknown as [string, string, string];
    let value = raw.trim();
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        // Not a Go-quoted string after all: keep it as written.
      }
    }
    (out[key] ??= []).push(value);
  }
  return out;
}

interface ShowFacts {
  model: CatalogModel | undefined;
  show: Show | undefined;
  loaded: PsEntry | undefined;
  /** The server could not be asked (the catalogue entry is still shown). */
  error: OclawError | undefined;
}

async function gather(run: ModelsRun, provider: Provider, id: string, signal: AbortSignal): Promise<ShowFacts> {
  const configured = provider.discover ? undefined : provider.models.find((m) => sameModelId(id, m.id));
  let model = configured === undefined
    ? undefined
    : catalogModel(run.config, provider, configured, { source: "configured", tools: true });
  if (provider.api !== "ollama") return { model, show: undefined, loaded: undefined, error: undefined };
  let show: Show;
  try {
    show = await showModel(provider, run.http, configured?.id ?? id, { signal });
  } catch (caught) {
    const error = toOclawError(caught);
    if (model === undefined || error.code === "E_ABORTED") throw error;
    return { model, show: undefined, loaded: undefined, error };
  }
  if (model === undefined) {
    const found = modelFromShow({ name: id, digest: "" }, show);
    model = catalogModel(run.config, provider, found.entry, {
      source: "discovered",
      tools: found.tools,
      capabilities: found.capabilities,
    });
  }
  let loaded: PsEntry | undefined;
  try {
    const ps = await fetchJson(run.http, `${provider.baseUrl}/api/ps`, () => ollamaApi().ps, {
      accept: acceptPs,
      signal,
      timeoutMs: catalogTimeoutMs(provider),
      headers: providerHeaders(provider),
      transport: providerTransport(provider),
    });
    loaded = ps.models.find((m) => sameModelId(id, m.name) || sameModelId(id, m.model ?? ""));
  } catch (error) {
    // Servers before v0.1.38 have no /api/ps; the rest of the answer stands.
    run.http.log.debug(`/api/ps failed: ${(error as Error).message}`);
  }
  return { model, show, loaded, error: undefined };
}

function trainedContext(show: Show | undefined): number | undefined {
  const info = show?.model_info ?? {};
  const arch = info["general.architecture"];
  const value = typeof arch === "string" ? info[`${arch}.context_length`] : undefined;
  return typeof value === "number" ? value : undefined;
}

function detail(show: Show | undefined, key: string): string | undefined {
  const value = show?.details?.[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function factsJson(facts: ShowFacts): Record<string, unknown> {
  const { model, show, loaded } = facts;
  return {
    ...(model === undefined ? {} : modelJson(model)),
    capabilities: show?.capabilities ?? null,
    architecture: (show?.model_info?.["general.architecture"] as string | undefined) ?? null,
    contextLength: trainedContext(show) ?? null,
    details: show?.details ?? null,
    parameters: parseParameters(show?.parameters),
    loaded: loaded === undefined ? null : {
      processor: processorOf(loaded.size, loaded.size_vram),
      size: loaded.size ?? null,
      sizeVram: loaded.size_vram ?? null,
      contextLength: loaded.context_length ?? null,
      expiresAt: loaded.expires_at ?? null,
    },
  };
}

function factsText(facts: ShowFacts, serverAsked: boolean): string {
  const { model, show, loaded } = facts;
  const rows: Array<[string, string]> = [];
  const add = (k: string, v: string | undefined) => v !== undefined && rows.push([k, v]);
  if (model !== undefined) {
    add("Model", model.ref);
    add("Source", model.source);
    add("API", model.api);
    add("Tools", model.tools ? "yes" : show?.capabilities === undefined && serverAsked ? "no (server reports no capabilities: Ollama < 0.6.4)" : "no");
    add("Reasoning", model.reasoning ? "yes" : "no");
    add("Input", model.input.join(", "));
    add("Context window", String(model.contextWindow));
    add("Max output", String(model.maxTokens));
    add("Tags", model.tags.length > 0 ? model.tags.join(", ") : undefined);
  }
  if (show !== undefined) {
    add("Capabilities", show.capabilities?.join(", ") ?? "(not reported by this server)");
    add("Architecture", show.model_info?.["general.architecture"] as string | undefined);
    add("Trained context", trainedContext(show)?.toString());
    // The parameter count, as `ollama show` labels it ("parameters 8.2B"): not a size on disk.
    add("Parameters", detail(show, "parameter_size"));
    add("Quantization", detail(show, "quantization_level"));
    add("Format", detail(show, "format"));
    add("Family", detail(show, "family"));
  }
  if (serverAsked && facts.error === undefined) {
    add(
      "Loaded",
      loaded === undefined
        ? "no"
        : `yes, ${processorOf(loaded.size, loaded.size_vram)}` +
          (loaded.context_length !== undefined ? `, context ${loaded.context_length}` : "") +
          (loaded.expires_at !== undefined ? `, until ${loaded.expires_at}` : ""),
    );
  }
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  let text = rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}\n`).join("");
  const params = Object.entries(parseParameters(show?.parameters));
  if (params.length > 0) {
    text += "Modelfile parameters:\n" + params.flatMap(([k, vs]) => vs.map((v) => `  ${k.padEnd(16)}${v}\n`)).join("");
  }
  return text;
}

async function runShow(ctx: CommandContext): Promise<number> {
  const ref = ctx.positionals[0];
  if (ref === undefined || ctx.positionals.length > 1) {
    throw usageError("Expected one model reference", "Example: oclaw models show ollama/qwen3:8b");
  }
  const run = await setupModelsRun(ctx);
  const parsed = parseRefFor(ref, run.config.providers);
  const provider = run.config.providers.find((p) => p.id === parsed.provider);
  if (provider === undefined) throw noProvider(run.config, parsed.provider, ref);
  const facts = await gather(run, provider, parsed.id, ctx.io.interrupt);
  if (facts.model === undefined) {
    throw new OclawError("E_MODEL_NOT_FOUND", `Model '${parsed.id}' is not in the models listed for provider '${provider.id}'`, {
      hint: `Add it to models.providers.${provider.id}.models, or pick one from 'oclaw models list'`,
    });
  }
  const out = ctx.global.json ? JSON.stringify(factsJson(facts)) + "\n" : factsText(facts, provider.api === "ollama");
  await ctx.io.stdout.write(out);
  if (facts.error !== undefined) {
    await ctx.io.stderr.write(`oclaw: ${facts.error.message}\n${facts.error.hint ? `hint: ${facts.error.hint}\n` : ""}`);
    return exitCodeFor(facts.error);
  }
  return 0;
}

/** `oclaw models show`. */
export const showCommand: Command = {
  name: "show",
  summary: "Show everything known about one model",
  usage: "show REF",
  positionals: [{ name: "REF", help: "The model (provider/id)", complete: "model" }],
  json: "One JSON object (catalogue fields, capabilities, architecture, contextLength,\n" +
    "details, parameters, loaded)",
  notes: `REF is provider/id; without '/' it names a model of the ollama provider. From an Ollama server
this shows capabilities, architecture, trained context, parameter count, quantization, Modelfile
parameters and, when loaded, where it runs (CPU/GPU, from /api/ps) and the context allocated.`,
  run: runShow,
};
