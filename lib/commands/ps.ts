/**
 * `oclaw ps`: the models loaded on every enabled Ollama provider — size, processor (GPU share), context and
 * time until unload — as `ollama ps` shows one server, over the network for all of them.
 */
import { noProvider } from "../catalog/catalog.ts";
import type { TopLevelCommand } from "../cli/command.ts";
import { OclawError } from "../errors.ts";
import { formatLoadedTable, listLoaded } from "../lifecycle/loaded.ts";
import { failuresExit, lifecycleSetup } from "./lifecycle-setup.ts";

/** The `ps` command. */
export const psCommand: TopLevelCommand = {
  name: "ps",
  usage: "ps [--json]",
  json: 'One document: {"models": [{model, provider, size, gpuRatio, context, expiresAt,\nexpiresInSeconds}], "errors": [{provider, code, message}]}',
  notes: [
    "Asks GET /api/ps of every enabled Ollama provider at once. A provider that cannot be asked is named",
    "on stderr (in `errors` with --json) while the others are still listed.",
    "Exit status: 0 when every provider answered, 4 when one did not (refused, or not a byte before the",
    "wait ran out), else the first error's code (1 for a server that answered and then stalled).",
  ].join("\n"),
  async run(ctx) {
    if (ctx.positionals.length > 0) {
      throw new OclawError("E_USAGE", `Unexpected argument '${ctx.positionals[0]}'`, { hint: "Run 'oclaw ps --help'" });
    }
    const { config, http } = await lifecycleSetup(ctx);
    const providers = config.providers.filter((p) => p.api === "ollama");
    if (providers.length === 0) throw noProvider(config, "ollama");
    const { rows, errors } = await listLoaded(http, providers, ctx.io.interrupt, ctx.io.wallClock());
    if (ctx.io.interrupt.aborted) throw new OclawError("E_ABORTED", "Interrupted");
    if (ctx.global.json) {
      const failures = errors.map((e) => ({ provider: e.provider, code: e.error.code, message: e.error.message }));
      await ctx.io.stdout.write(JSON.stringify({ models: rows, errors: failures }) + "\n");
    } else {
      await ctx.io.stdout.write(formatLoadedTable(rows));
      for (const e of errors) await ctx.io.stderr.write(`oclaw: ${e.error.message}\n`);
    }
    return failuresExit(errors.map((e) => e.error));
  },
};
