/**
 * `oclaw models pull NAME`: `POST /api/pull` with streamed progress — a bar on a terminal, a percentage
 * line at most once a second otherwise (cron logs), one NDJSON event per progress line with `--json`.
 * A `{"error"}` line or a stream that ends without `success` fails the pull.
 */
import { providerHeaders, providerTransport } from "../../catalog/provider-headers.ts";
import type { Command, CommandContext } from "../../cli/command.ts";
import { ndjsonValues } from "../../client/ndjson.ts";
import { OclawError, toOclawError, usageError } from "../../errors.ts";
import { withIdleTimeout } from "../../http/body.ts";
import { apiRequest } from "../../client/server-errors.ts";
import type { Io } from "../../io.ts";
import { StyledText } from "../../terminal.ts";
import { ollamaProviderFor, setupModelsRun } from "./setup.ts";

/** Longest silence allowed while pulling (Ollama reports progress several times a second). */
const PULL_IDLE_MS = 300_000;

/** One progress line of `/api/pull`. */
export interface PullProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

/** Shows pull progress somewhere; `done` ends the display. */
export interface ProgressView {
  update(progress: PullProgress): Promise<void>;
  done(): Promise<void>;
}

function percent(p: PullProgress): number | undefined {
  return p.total !== undefined && p.total > 0 && p.completed !== undefined
    ? Math.min(100, (p.completed / p.total) * 100)
    : undefined;
}

/** Bytes as `1.2 GB`, `340 MB`, `12 KB`, `800 B` (decimal units, as Ollama shows them). */
export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** `--json`: each progress line as `{"type":"progress",...}` on stdout. */
export function jsonView(io: Io): ProgressView {
  return {
    async update(p) {
      const pct = percent(p);
      await io.stdout.write(JSON.stringify({ type: "progress", ...p, ...(pct === undefined ? {} : { percent: Math.floor(pct) }) }) + "\n");
    },
    async done() {},
  };
}

/** Not a terminal: each new status once, and percentage lines at most once a second (`now` in ms). */
export function lineView(io: Io, now: () => number): ProgressView {
  let lastStatus = "";
  let lastPercentAt = -Infinity;
  // The latest percentage line not yet written (held back by the once-a-second limit): written when its
  // layer ends, so a log always shows where each layer got to (100%), not its last sampled second.
  let pending: string | undefined;
  const flush = async () => {
    if (pending !== undefined) await io.stderr.write(pending);
    pending = undefined;
  };
  return {
    async update(p) {
      const pct = percent(p);
      if (p.status !== lastStatus) await flush();
      if (pct === undefined) {
        if (p.status !== lastStatus) await io.stderr.write(`${p.status}\n`);
        lastStatus = p.status;
        return;
      }
      lastStatus = p.status;
      pending = `${p.status}: ${Math.floor(pct)}% (${formatBytes(p.completed!)}/${formatBytes(p.total!)})\n`;
      if (now() - lastPercentAt < 1000 && pct < 100) return;
      lastPercentAt = now();
      await flush();
    },
    async done() {
      await flush();
    },
  };
}

/** A terminal: one bar per layer, redrawn in place. */
export function barView(io: Io): ProgressView {
  let current = "";
  const width = Math.max(10, Math.min(40, (io.stderr.columns ?? 80) - 50));
  return {
    async update(p) {
      const pct = percent(p);
      if (p.status !== current && current !== "") await io.stderr.write("\n");
      current = p.status;
      if (pct === undefined) {
        await io.stderr.write(new StyledText([{ control: "eraseLine" }, p.status]));
        return;
      }
      const filled = Math.round((pct / 100) * width);
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      await io.stderr.write(new StyledText([
        { control: "eraseLine" },
        `${p.status} ${String(Math.floor(pct)).padStart(3)}% ${bar} ${formatBytes(p.completed!)}/${formatBytes(p.total!)}`,
      ]));
    },
    async done() {
      if (current !== "") await io.stderr.write("\n");
    },
  };
}

function readProgress(value: unknown, source: string): PullProgress {
  const line = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof line.error === "string") {
    const notFound = /file does not exist|not found/i.test(line.error);
    throw new OclawError(notFound ? "E_MODEL_NOT_FOUND" : "E_HTTP", `${source}: ${line.error}`, {
      hint: notFound ? "Check the name on https://ollama.com/library (e.g. qwen3:8b)" : undefined,
    });
  }
  if (typeof line.status !== "string") {
    throw new OclawError("E_STREAM", `${source} sent a progress line without status: ${JSON.stringify(value).slice(0, 80)}`);
  }
  const out: PullProgress = { status: line.status };
  if (typeof line.digest === "string") out.digest = line.digest;
  if (typeof line.total === "number") out.total = line.total;
  if (typeof line.completed === "number") out.completed = line.completed;
  return out;
}

async function runPull(ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const raw = ctx.positionals[0];
  if (raw === undefined || ctx.positionals.length > 1) {
    throw usageError("Expected one model name", "Example: oclaw models pull qwen3:8b");
  }
  const run = await setupModelsRun(ctx);
  const providerId = typeof ctx.values.provider === "string" ? ctx.values.provider : undefined;
  // `ollama/qwen3:8b` names the provider; `hf.co/org/repo:Q4` is a model name with slashes.
  const prefixed = run.config.providers.find((p) => raw.startsWith(`${p.id}/`));
  const name = prefixed !== undefined && providerId === undefined ? raw.slice(prefixed.id.length + 1) : raw;
  const provider = ollamaProviderFor(run, io.env, providerId ?? prefixed?.id);
  const source = `Pulling ${name} from Ollama at ${provider.baseUrl}`;
  const view = ctx.global.json
    ? jsonView(io)
    : ctx.global.quiet
    ? { update: async () => {}, done: async () => {} }
    : io.stderr.isTTY && io.env.TERM !== "dumb"
    ? barView(io)
    : lineView(io, () => io.now());
  try {
    const response = await apiRequest(run.http, `${provider.baseUrl}/api/pull`, {
      json: { model: name, stream: true },
      headers: providerHeaders(provider),
      transport: providerTransport(provider),
      signal: io.interrupt,
    });
    if (response.body === null) throw new OclawError("E_STREAM", `${source}: the server sent no body`);
    const body = withIdleTimeout(response.body, PULL_IDLE_MS, () => source, io.interrupt);
    let success = false;
    for await (const value of ndjsonValues(body, { source: `Ollama at ${provider.baseUrl}` })) {
      const progress = readProgress(value, source);
      await view.update(progress);
      if (progress.status === "success") success = true;
    }
    await view.done();
    if (!success) throw new OclawError("E_STREAM", `${source}: the stream ended before success`);
  } catch (caught) {
    await view.done();
    throw caught;
  }
  if (ctx.global.json) await io.stdout.write(JSON.stringify({ type: "done", model: name }) + "\n");
  return 0;
}

/** `oclaw models pull`. */
export const pullCommand: Command = {
  name: "pull",
  summary: "Download a model to the Ollama server",
  usage: "pull NAME [--provider ID]",
  positionals: [{ name: "NAME", help: "The model to download (qwen3:8b, hf.co/org/repo:Q4_K_M)" }],
  flags: { provider: { type: "string", arg: "ID", help: "The Ollama provider to pull to (default: ollama)" } },
  json: 'One event per line: {"type":"progress","status",...,"percent"}, then\n' +
    '{"type":"done"} or {"type":"error","code","message"}',
  notes: `Progress goes to stderr: a bar on a terminal, otherwise each step once and a percentage line at most
once a second. NAME may carry the provider prefix (ollama/qwen3:8b).`,
  jsonErrors: "event",
  async run(ctx) {
    try {
      return await runPull(ctx);
    } catch (caught) {
      const error = toOclawError(caught);
      if (ctx.global.json) await ctx.io.stdout.write(JSON.stringify({ type: "error", ...error.toJSON() }) + "\n");
      throw error;
    }
  },
};
