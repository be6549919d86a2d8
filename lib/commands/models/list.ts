/**
 * `oclaw models list`: every enabled provider's models as a table, refs (`--plain`) or JSON (`--json`).
 * A provider that cannot be listed is reported on stderr while the rest is still printed (exit 4 when it
 * could not be reached).
 */
import type { Command, CommandContext } from "../../cli/command.ts";
import type { CatalogModel } from "../../catalog/types.ts";
import { buildCatalog, type Catalog, type CatalogError } from "../../catalog/catalog.ts";
import { EXIT, EXIT_CODES, type ErrorCode, noServerAnswered, OclawError } from "../../errors.ts";
import type { Io } from "../../io.ts";
import { noCapabilityErrors } from "./old-server.ts";
import { setupModelsRun } from "./setup.ts";
import { fitColumns, formatTokens, formatTokensShort, NARROW_WIDTH, renderTable, type TableRow } from "./table.ts";
import { oneLine } from "../../terminal.ts";

const HEADER = ["MODEL", "INPUT", "CTX", "MAX OUT", "REASONING", "SOURCE", "TAGS"];

/**
 * A catalogue row in the `--json` shape of cli.md. What nobody could tell (a configured ref no server
 * confirmed: tagged missing or unverified) is `null`, not a made-up `false` or `0`.
 */
export function modelJson(m: CatalogModel): Record<string, unknown> {
  const unknown = m.tags.includes("missing") || m.tags.includes("unverified");
  return {
    ref: m.ref,
    provider: m.provider,
    id: m.id,
    name: m.name,
    api: m.unsupportedApi ?? m.api,
    reasoning: unknown ? null : m.reasoning,
    input: unknown ? null : m.input,
    contextWindow: unknown || m.contextWindow <= 0 ? null : m.contextWindow,
    maxTokens: unknown || m.maxTokens <= 0 ? null : m.maxTokens,
    cost: m.cost,
    tools: unknown ? null : m.tools,
    source: m.source,
    tags: m.tags,
  };
}

function tableRow(m: CatalogModel, wide: boolean): TableRow {
  const tokens = wide ? formatTokens : formatTokensShort;
  const missing = m.tags.includes("missing") || m.tags.includes("unverified");
  return {
    cells: [
      m.ref,
      missing ? "-" : m.input.join("+"),
      tokens(m.contextWindow),
      tokens(m.maxTokens),
      missing ? "-" : m.reasoning ? "yes" : "no",
      m.source,
      m.tags.length > 0 ? m.tags.join(",") : "-",
    ],
    dim: !m.tools,
  };
}

/** The exit code for a catalogue: 4 when a provider could not be reached, else that of its first error. */
export function listExitCode(catalog: Catalog): number {
  const failed = catalog.providers.flatMap((o) => (o.error === undefined ? [] : [o.error]));
  if (failed.length === 0) return EXIT.ok;
  // Refused, DNS, or a server that took the connection and never answered: not reached (exit 4).
  if (failed.some(noServerAnswered)) return EXIT.unreachable;
  return EXIT_CODES[failed[0]!.code];
}

async function reportErrors(io: Io, errors: CatalogError[], quiet: boolean): Promise<void> {
  let text = "";
  for (const error of errors) {
    // A model that could not be described is a warning: the provider answered and the list goes on.
    if (error.model !== undefined && quiet) continue;
    text += `oclaw: ${error.model !== undefined ? "warning: " : ""}${error.message}\n`;
    if (error.hint !== undefined && error.model === undefined) text += `hint: ${error.hint}\n`;
  }
  await io.stderr.write(text);
}

async function runList(ctx: CommandContext): Promise<number> {
  const run = await setupModelsRun(ctx);
  if (run.config.providers.length === 0) {
    throw new OclawError("E_NO_PROVIDER", "No provider is enabled, so there are no models to list", {
      hint: "Set OLLAMA_API_KEY (any value), or add models.providers to the config",
    });
  }
  const catalog = await buildCatalog(run.config, run.http, {
    refresh: ctx.values.refresh === true,
    includeAll: ctx.values.all === true,
    cacheDir: run.cacheDir,
    providerId: typeof ctx.values.provider === "string" ? ctx.values.provider : undefined,
    signal: ctx.io.interrupt,
  });
  const { io } = ctx;
  // An old server's empty list is explained, not an error: the exit status stays that of the providers.
  const reported = [...catalog.errors, ...noCapabilityErrors(catalog)];
  if (ctx.global.json) {
    const errors = reported.map((e) => ({ provider: e.provider, code: e.code as ErrorCode, message: e.message }));
    await io.stdout.write(JSON.stringify({ models: catalog.models.map(modelJson), errors }) + "\n");
  } else if (ctx.values.plain === true) {
    // One ref a line, whatever a server put in a name (a newline shows as `\n`).
    await io.stdout.write(catalog.models.map((m) => `${oneLine(m.ref)}\n`).join(""));
  } else {
    const wide = ctx.values.wide === true;
    const rows = catalog.models.map((m) => tableRow(m, wide));
    // Without --wide the table fits 80 columns: MAX OUT (10× CTX for discovered models), then SOURCE go first.
    const table = wide ? { header: HEADER, rows } : fitColumns(HEADER, rows, ["MAX OUT", "SOURCE"], NARROW_WIDTH);
    await io.stdout.write(renderTable(table.header, table.rows, ctx.global.color));
  }
  if (!ctx.global.json) await reportErrors(io, reported, ctx.global.quiet);
  if (catalog.models.length === 0 && reported.length === 0 && !ctx.global.quiet && !ctx.global.json) {
    await io.stderr.write(
      "hint: No tool-capable models found: pull one (oclaw models pull qwen3:8b), or see all with --all\n",
    );
  }
  return listExitCode(catalog);
}

/** `oclaw models list`. */
export const listCommand: Command = {
  name: "list",
  summary: "List the models of every enabled provider",
  usage: "list [--all] [--provider ID] [--plain] [--wide] [--refresh]",
  flags: {
    all: { type: "boolean", help: "Also list discovered models without tool support (tagged no-tools)" },
    provider: { type: "string", arg: "ID", help: "Only this provider" },
    plain: { type: "boolean", help: "Only the refs (provider/id), one per line" },
    wide: { type: "boolean", help: "Every column, token counts exact (default: 128K style, within 80 columns)" },
    refresh: { type: "boolean", help: "Ask the server again instead of using cached /api/show answers" },
  },
  json: '{"models":[...],"errors":[...]}',
  notes: `The table has the columns MODEL INPUT CTX MAX OUT REASONING SOURCE TAGS, also when stdout is not a
terminal (without colour). CTX and MAX OUT are token counts (128K = 131072); to fit 80 columns the table
leaves out MAX OUT, then SOURCE, when they do not fit (--wide: all, exact). Tags: default, fallback#N (the
configured selection), no-tools, missing (a configured ref no provider offers), unverified (a configured
ref whose provider could not be asked).
Exit status: 0 when every provider answered, 4 when one could not be reached (the rest is still listed).`,
  run: runList,
};
