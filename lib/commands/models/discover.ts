/**
 * `oclaw models discover`: runs discovery against an Ollama server (the ollama provider's, or
 * `--base-url`) and prints the explicit `models.providers.<id>` block it amounts to; `--write` stores it in
 * the config file, so a remote host keeps its models once explicit config turns discovery off.
 */
import JSON5 from "json5";
import type { Command, CommandContext } from "../../cli/command.ts";
import type { ModelEntry, Provider } from "../../catalog/types.ts";
import { describeNoTools, type DiscoveredModel, discoverModels } from "../../catalog/discovery.ts";
import { selectionTags } from "../../catalog/selection.ts";
import { editConfigText } from "../../config/edit.ts";
import { evaluateConfigText, problemError } from "../../config/load.ts";
import { updateConfigFile } from "../../config/write.ts";
import { formatKeyPath } from "../../config/key-path.ts";
import { usageError } from "../../errors.ts";
import type { Io } from "../../io.ts";
import { type ModelsRun, ollamaProviderFor, setupModelsRun } from "./setup.ts";

/** The config block for a provider and its discovered models. */
export interface ProviderBlock {
  baseUrl: string;
  api: "ollama";
  models: Array<Omit<ModelEntry, "params" | "api">>;
}

/** Builds the explicit provider block from discovered models (params are left to the user). */
export function providerBlock(provider: Provider, models: DiscoveredModel[]): ProviderBlock {
  return {
    baseUrl: provider.baseUrl,
    api: "ollama",
    models: models.map(({ entry }) => ({
      id: entry.id,
      name: entry.name,
      reasoning: entry.reasoning,
      input: entry.input,
      cost: entry.cost,
      contextWindow: entry.contextWindow,
      maxTokens: entry.maxTokens,
    })),
  };
}

/** A value as one line of JSON5: `{ id: "x", input: ["text"] }`. */
function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${key(k)}: ${inline(v)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  return JSON5.stringify(value, { quote: '"' });
}

function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

/** The block as JSON5 text, nested under `models.providers.<id>` so it can be pasted into a config. */
export function blockText(id: string, block: ProviderBlock): string {
  const models = block.models.map((m) => `          ${inline(m)},\n`).join("");
  return `{
  models: {
    providers: {
      ${key(id)}: {
        baseUrl: ${inline(block.baseUrl)},
        api: ${inline(block.api)},
        models: [${models === "" ? "" : `\n${models}        `}],
      },
    },
  },
}
`;
}

/**
 * Stores the block in the config file: `baseUrl`, `api` and `models` of `models.providers.<id>` are set,
 * its other keys (apiKey, headers ...) and the rest of the file are kept byte for byte.
 * @throws OclawError E_CONFIG_INVALID when the result would not validate, E_CONFIG_WRITE
 */
async function writeBlock(io: Io, run: ModelsRun, id: string, block: ProviderBlock): Promise<string> {
  const file = run.config.file.path;
  const result = await updateConfigFile(file, async (before) => {
    let text = before;
    for (const key of ["baseUrl", "api", "models"] as const) {
      text = editConfigText(text, { op: "set", path: ["models", "providers", id, key], value: block[key] }, file);
    }
    const problems = (await evaluateConfigText(text!, file, io.env)).problems.filter((p) => p.openclawOnly !== true);
    if (problems.length > 0) throw problemError(problems, file);
    return text!;
  }, { signal: io.interrupt });
  return result.file;
}

async function runDiscover(ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  if (ctx.positionals.length > 0) {
    throw usageError(`Unexpected argument '${ctx.positionals[0]}'`, "Run 'oclaw models discover --help' for usage");
  }
  const run = await setupModelsRun(ctx);
  const id = typeof ctx.values.provider === "string" ? ctx.values.provider : "ollama";
  const baseUrl = typeof ctx.values["base-url"] === "string" ? ctx.values["base-url"] : undefined;
  const provider = ollamaProviderFor(run, io.env, id, baseUrl);
  const result = await discoverModels(provider, run.http, {
    cacheDir: run.cacheDir,
    refresh: ctx.values.refresh === true,
    signal: io.interrupt,
  });
  const all = ctx.values.all === true;
  // A model the selection names stays in the block even without tools, so writing it does not orphan a ref.
  const selected = (m: DiscoveredModel) => selectionTags(run.config.selection, id, m.entry.id).length > 0;
  const kept = result.models.filter((m) => m.tools || all || selected(m));
  const block = providerBlock(provider, kept);
  await io.stdout.write(ctx.global.json ? JSON.stringify({ models: { providers: { [id]: block } } }) + "\n" : blockText(id, block));

  let talk = "";
  for (const failure of result.failures) talk += `oclaw: warning: Skipped ${failure.model}: ${failure.error.message}\n`;
  const skipped = result.models.filter((m) => !kept.includes(m));
  if (!ctx.global.quiet && skipped.length > 0) {
    talk += `oclaw: left out ${skipped.length} model(s) without tool support (--all includes them):\n`;
    for (const m of skipped) talk += `  ${m.entry.id}: ${describeNoTools(m.noToolsReason ?? "no-tools")}\n`;
  }
  await io.stderr.write(talk);
  if (ctx.values.write === true) {
    const written = await writeBlock(io, run, id, block);
    if (!ctx.global.quiet) {
      await io.stderr.write(
        `oclaw: wrote ${formatKeyPath(["models", "providers", id])} (${kept.length} model(s)) to ${written}; ` +
          "discovery is off for this provider until you remove its models list\n",
      );
    }
  }
  return 0;
}

/** `oclaw models discover`. */
export const discoverCommand: Command = {
  name: "discover",
  summary: "Discover an Ollama server's models and print (or --write) the explicit config block",
  usage: "discover [--base-url URL] [--provider ID] [--all] [--refresh] [--write]",
  flags: {
    "base-url": { type: "string", arg: "URL", help: "Ask this Ollama server (host, host:port or URL) instead of the provider's" },
    provider: { type: "string", arg: "ID", help: "The provider id the block is for (default: ollama)" },
    all: { type: "boolean", help: "Include models without tool support" },
    refresh: { type: "boolean", help: "Ask the server again instead of using cached /api/show answers" },
    write: {
      type: "boolean",
      help: "Store baseUrl, api and models of models.providers.<ID> in the config file\n" +
        "(other keys and comments are kept; a .bak is left)",
    },
  },
  json: "The block as JSON",
  notes: `The block goes to stdout as JSON5; skipped models are named on stderr. Once written, the provider has an
explicit model list, so discovery no longer runs for it: run discover --write again after pulling models.`,
  run: runDiscover,
};
