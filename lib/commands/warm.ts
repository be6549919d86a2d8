/**
 * `oclaw warm [REF...]` preloads models (the primary by default) and waits until each is in memory, so a
 * cron job's first request does not pay the load; `oclaw stop REF...` unloads them (`keep_alive: 0`).
 */
import type { CommandContext, TopLevelCommand } from "../cli/command.ts";
import { OclawError, toOclawError, usageError } from "../errors.ts";
import { type KeepAlive, loadModel, parseKeepAlive, unloadModel } from "../lifecycle/load.ts";
import { lifecycleTargets, type Target } from "../lifecycle/targets.ts";
import { failuresExit, lifecycleSetup } from "./lifecycle-setup.ts";

/** How long `warm` waits for one load by default (a cold load on a CPU host takes minutes). */
const WARM_TIMEOUT_S = 600;
/** How long `stop` waits for Ollama's answer. */
const STOP_TIMEOUT_MS = 30_000;

/** One model done, or why not. */
type Outcome = { ref: string; ok: true; ms?: number; keepAlive?: KeepAlive } | { ref: string; ok: false; error: OclawError };

/**
 * Runs `act` on each target in turn (loads compete for memory: one at a time) and reports: one line per
 * model on stdout (or one JSON document), failures on stderr. Every target failing throws the first failure.
 */
async function each(ctx: CommandContext, targets: Target[], act: (t: Target) => Promise<Outcome>, line: (o: Outcome & { ok: true }) => string) {
  const outcomes: Outcome[] = [];
  for (const target of targets) {
    if (ctx.io.interrupt.aborted) throw new OclawError("E_ABORTED", "Interrupted");
    outcomes.push(await act(target));
  }
  const failed = outcomes.filter((o): o is Outcome & { ok: false } => !o.ok);
  if (failed.length === outcomes.length) throw failed[0]!.error;
  if (ctx.global.json) {
    const models = outcomes.flatMap((o) => (o.ok ? [{ model: o.ref, ...(o.ms === undefined ? {} : { loadMs: Math.round(o.ms) }), ...(o.keepAlive === undefined ? {} : { keepAlive: o.keepAlive }) }] : []));
    const errors = failed.map((o) => ({ model: o.ref, code: o.error.code, message: o.error.message }));
    await ctx.io.stdout.write(JSON.stringify({ models, errors }) + "\n");
  } else {
    for (const o of outcomes) {
      if (o.ok) await ctx.io.stdout.write(line(o));
      else await ctx.io.stderr.write(`oclaw: ${o.error.message}\n`);
    }
  }
  return failuresExit(failed.map((o) => o.error));
}

function seconds(value: unknown): number {
  if (value === undefined) return WARM_TIMEOUT_S;
  const n = Number(String(value).trim().replace(/s$/i, ""));
  if (!Number.isFinite(n) || n <= 0) throw usageError(`Invalid --timeout '${String(value)}': expected a positive number of seconds`);
  return n;
}

/** The `warm` command. */
export const warmCommand: TopLevelCommand = {
  name: "warm",
  usage: "warm [REF...] [--keep-alive DURATION] [--timeout S] [--json]",
  positionals: [{ name: "REF", help: "Models to load (default: the primary), e.g. ollama/qwen3:8b", complete: "model" }],
  flags: {
    "keep-alive": {
      type: "string",
      arg: "DURATION",
      help: "How long Ollama keeps it loaded: seconds or 30m, 2h, -1 (forever)\n(default: params.keep_alive, else the server's, 5m)",
    },
    timeout: { type: "string", arg: "S", help: `Longest wait for one load (default ${WARM_TIMEOUT_S})` },
  },
  json: 'One document: {"models": [{model, loadMs, keepAlive}], "errors": [{model, code, message}]}',
  notes: [
    "Loads with the options chat sends (num_ctx...), so the next chat does not reload the model, and",
    "prints the time the load took. Exit status: 0 loaded; 4 no answer; 5 model not found; 1 other.",
  ].join("\n"),
  async run(ctx) {
    const raw = ctx.values["keep-alive"];
    const keepAlive = typeof raw === "string" ? parseKeepAlive(raw) : undefined;
    if (typeof raw === "string" && keepAlive === undefined) {
      throw usageError(`Invalid --keep-alive '${raw}': expected seconds or a duration like 30m, 2h, -1`);
    }
    const timeoutMs = seconds(ctx.values.timeout) * 1000;
    const { config, http } = await lifecycleSetup(ctx);
    const targets = lifecycleTargets(config, ctx.positionals, "warm");
    return await each(ctx, targets, async (t) => {
      try {
        const done = await loadModel(http, t, keepAlive, ctx.io.interrupt, timeoutMs);
        return { ref: t.ref, ok: true, ms: done.ms, ...(done.keepAlive === undefined ? {} : { keepAlive: done.keepAlive }) };
      } catch (error) {
        return { ref: t.ref, ok: false, error: toOclawError(error) };
      }
    }, (o) => `${o.ref} loaded in ${((o.ms ?? 0) / 1000).toFixed(2)} s${o.keepAlive === undefined ? "" : `, kept ${o.keepAlive}`}\n`);
  },
};

/** The `stop` command. */
export const stopCommand: TopLevelCommand = {
  name: "stop",
  usage: "stop REF... [--json]",
  positionals: [{ name: "REF", help: "Models to unload, e.g. ollama/qwen3:8b", complete: "model" }],
  json: 'One document: {"models": [{model}], "errors": [{model, code, message}]}',
  notes: "Sends keep_alive 0: Ollama frees the memory at once. Exit status: 0; 4 no answer; 5 not found; 1 other.",
  async run(ctx) {
    if (ctx.positionals.length === 0) throw usageError("Name the model to unload: oclaw stop REF", "See 'oclaw ps'");
    const { config, http } = await lifecycleSetup(ctx);
    const targets = lifecycleTargets(config, ctx.positionals, "stop");
    return await each(ctx, targets, async (t) => {
      try {
        await unloadModel(http, t, ctx.io.interrupt, STOP_TIMEOUT_MS);
        return { ref: t.ref, ok: true };
      } catch (error) {
        return { ref: t.ref, ok: false, error: toOclawError(error) };
      }
    }, (o) => `${o.ref} unloaded\n`);
  },
};
