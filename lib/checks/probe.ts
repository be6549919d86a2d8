/**
 * The probe: a tiny chat with one model, measuring time to first token and generation speed. It sends the
 * same options chat would (a different `num_ctx` would make Ollama reload the model for the next chat),
 * plus a small `num_predict` so it stays short. Health's probe stops at the first token (or, offering a
 * tool, at the first tool call) and chooses its own `keep_alive` so it never pins a model in memory.
 */
import type { CatalogModel, Provider } from "../catalog/types.ts";
import { explicitContext } from "../catalog/context.ts";
import type { Timings } from "../client/events.ts";
import type { ToolDefinition } from "../client/request.ts";
import { OclawError, toOclawError } from "../errors.ts";
import type { HttpContext } from "../http/context.ts";
import { check, type CheckResult } from "./types.ts";

/** The prompt the probe sends. */
export const PROBE_PROMPT = "Reply with the single word OK.";

/** Tokens the probe lets the model write. */
export const PROBE_MAX_TOKENS = 16;

/** What a probe measured. */
export type ProbeOutcome =
  | {
    ok: true;
    ref: string;
    timings: Timings;
    outputTokens?: number;
    ms: number;
    /** Names of the tools the model called (a structured `tool_calls` reply). */
    toolCalls: string[];
    /** The reply text read (up to the stop), for telling a call written as text. */
    text: string;
  }
  | { ok: false; ref: string; error: OclawError; ms: number };

/** How a probe differs from doctor's full one. */
export interface ProbeOptions {
  /** Stop at the first thinking, text or tool-call token instead of the done line (health). */
  stopAtFirstToken?: boolean;
  /** Offer these tools and stop at the first tool call; the prompt asks for a call. */
  tools?: ToolDefinition[];
  /** `keep_alive` to send instead of the model's params: `"omit"` sends none (the server's choice). */
  keepAlive?: number | "omit";
  /** Tokens the model may write (default {@link PROBE_MAX_TOKENS}). */
  maxTokens?: number;
}

/**
 * The model as the probe sends it: chat's params, with an explicit contextTokens/contextWindow sent as
 * num_ctx as chat does (`data` is the config), and few tokens.
 */
function probeModel(model: CatalogModel, data: Record<string, unknown>, options: ProbeOptions): CatalogModel {
  const params = { ...model.params };
  if (model.source === "configured" && params.num_ctx === undefined) {
    const explicit = explicitContext(model, data);
    if (explicit?.tokens !== undefined) params.num_ctx = explicit.tokens;
  }
  params.num_predict = options.maxTokens ?? PROBE_MAX_TOKENS;
  if (options.keepAlive === "omit") delete params.keep_alive;
  else if (options.keepAlive !== undefined) params.keep_alive = options.keepAlive;
  return { ...model, params };
}

/** The prompt of the tools probe, naming the one tool offered. */
export function toolsProbePrompt(tool: string): string {
  return `Call the ${tool} tool with status "ok". Do not answer in text.`;
}

/**
 * Sends the probe chat and measures it; never throws.
 * `signal` bounds the whole exchange (health's `--timeout`, doctor's own limit).
 */
export async function runProbe(
  http: HttpContext,
  provider: Provider,
  model: CatalogModel,
  signal: AbortSignal,
  configData: Record<string, unknown> = {},
  options: ProbeOptions = {},
): Promise<ProbeOutcome> {
  const started = http.now();
  // Aborted when the probe has what it came for: the server stops generating.
  const stop = new AbortController();
  const tool = options.tools?.[0]?.function.name;
  let text = "";
  const toolCalls: string[] = [];
  let firstTokenMs: number | undefined;
  const outcome = (timings: Timings): Extract<ProbeOutcome, { ok: true }> => {
    return { ok: true, ref: model.ref, timings, ms: http.now() - started, toolCalls, text };
  };
  try {
    // The clients are loaded only when a probe runs: `oclaw health` without --probe starts faster.
    const { clientFor } = await import("../client/index.ts");
    const client = clientFor(model.api);
    const events = client(
      {
        provider,
        model: probeModel(model, configData, options),
        messages: [{ role: "user", content: tool === undefined ? PROBE_PROMPT : toolsProbePrompt(tool) }],
        ...(options.tools === undefined ? {} : { tools: options.tools }),
        stream: model.params.streaming !== false,
      },
      { http, signal: AbortSignal.any([signal, stop.signal]), timeouts: {} },
    );
    for await (const event of events) {
      if (event.type === "done") {
        const done = outcome(event.timings);
        if (event.usage !== undefined) done.outputTokens = event.usage.outputTokens;
        return done;
      }
      firstTokenMs ??= http.now() - started;
      if (event.type === "text" && text.length < 2000) text += event.text;
      if (event.type === "tool_call") toolCalls.push(event.name);
      const enough = tool === undefined ? options.stopAtFirstToken === true : toolCalls.length > 0;
      if (enough) {
        stop.abort(new OclawError("E_ABORTED", "Probe done"));
        return outcome({ firstTokenMs });
      }
    }
    throw new OclawError("E_STREAM", `${model.ref}: the reply ended without a done event`);
  } catch (error) {
    return { ok: false, ref: model.ref, error: toOclawError(error), ms: http.now() - started };
  }
}

/** How long the probe took to the first token (the whole exchange when nothing streamed). */
export function probeLatencyMs(outcome: Extract<ProbeOutcome, { ok: true }>): number {
  return outcome.timings.firstTokenMs ?? outcome.timings.totalMs ?? outcome.ms;
}

const SLOW_FIRST_TOKEN_MS = 30_000;
const SLOW_TOKENS_PER_SECOND = 5;

/** The doctor check for a probe. */
export function probeCheck(provider: string, outcome: ProbeOutcome): CheckResult {
  if (!outcome.ok) {
    return check("probe", "fail", `Probe of ${outcome.ref} failed: ${outcome.error.message}`, {
      provider,
      fix: outcome.error.hint ?? "Run 'oclaw chat -v -m " + outcome.ref + " hello' to see the exchange",
      ms: outcome.ms,
    });
  }
  const t = outcome.timings;
  const parts = [`first token after ${Math.round(probeLatencyMs(outcome))} ms`];
  if (t.tokensPerSecond !== undefined) parts.push(`${t.tokensPerSecond.toFixed(1)} tokens/s`);
  if (t.loadMs !== undefined && t.loadMs >= 1) parts.push(`model load ${Math.round(t.loadMs)} ms`);
  const slow = probeLatencyMs(outcome) - (t.loadMs ?? 0) > SLOW_FIRST_TOKEN_MS ||
    (t.tokensPerSecond !== undefined && t.tokensPerSecond < SLOW_TOKENS_PER_SECOND);
  return check("probe", slow ? "warn" : "ok", `Probe of ${outcome.ref}: ${parts.join(", ")}`, {
    provider,
    fix: "This pace means minutes per agent reply: the model probably runs on the CPU (see the cpu check); " +
      "a smaller model or a GPU fixes it",
    ms: outcome.ms,
  });
}
