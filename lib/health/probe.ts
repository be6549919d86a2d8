/**
 * Health's probe: a chat with the active candidate, stopped at its first token (`--probe`) or at its first
 * tool call (`--probe=tools`), sent so that it never disturbs the server. A loaded model is asked with no
 * `keep_alive` (it keeps the duration it was loaded with; a pinned model stays pinned), a cold one with
 * `keep_alive: 0` (loaded for the probe, unloaded right after it), and a cold one is not probed at all
 * while another model is loaded on that server (loading it could evict that model).
 */
import { type ProbeOutcome, probeLatencyMs, runProbe } from "../checks/probe.ts";
import type { ToolDefinition } from "../client/request.ts";
import type { ResolvedConfig } from "../config/resolve.ts";
import { OclawError } from "../errors.ts";
import { deadline } from "../http/abort.ts";
import type { HttpContext } from "../http/context.ts";
import { type Candidate, probeModelFor } from "./candidates.ts";
import { round, suggest, type Judgement } from "./judge.ts";
import type { CandidateFacts, HealthReport, HealthState } from "./report.ts";
import type { ServerState } from "./servers.ts";

/** `--probe` (first token) or `--probe=tools` (a structured tool call). */
export type ProbeKind = "first-token" | "tools";

/** The one tool the tools probe offers. */
export const PROBE_TOOL: ToolDefinition = {
  type: "function",
  function: {
    name: "report_status",
    description: "Report the status of this health check",
    parameters: { type: "object", properties: { status: { type: "string" } }, required: ["status"] },
  },
};

/** Tokens the tools probe allows (a thinking model thinks before it calls). */
const TOOLS_PROBE_MAX_TOKENS = 256;

/** Time kept back from the probe so the report is still written within `--timeout`. */
const REPORT_MARGIN_MS = 300;

/** How the probe is sent to a candidate, or why it is not. */
export type ProbePlan = { send: true; keepAlive: 0 | "omit" } | { send: false; why: string };

/** Chooses `keep_alive` so the probe neither pins the model nor evicts another (see the file's comment). */
export function probePlan(active: CandidateFacts, state: ServerState | undefined): ProbePlan {
  if (state?.provider.api !== "ollama" || active.loaded !== false) return { send: true, keepAlive: "omit" };
  const others = (state.loaded ?? []).map((e) => `${state.provider.id}/${e.name}`);
  if (others.length > 0) {
    return { send: false, why: `${active.model} is not loaded and loading it could evict ${others.join(", ")}` };
  }
  return { send: true, keepAlive: 0 };
}

/** What {@link probeActive} needs. */
export interface ProbeContext {
  http: HttpContext;
  config: ResolvedConfig;
  signal: AbortSignal;
  /** Milliseconds left of `--timeout`. */
  remainingMs: number;
}

/** Sends the probe the plan allows; the outcome, or undefined when it was not sent. */
export async function probeActive(
  ctx: ProbeContext,
  kind: ProbeKind,
  candidate: Candidate,
  plan: Extract<ProbePlan, { send: true }>,
): Promise<ProbeOutcome> {
  const seconds = Math.max(0.1, (ctx.remainingMs - REPORT_MARGIN_MS) / 1000);
  const what = kind === "tools" ? "tool call" : "first token";
  const limit = deadline(
    seconds * 1000,
    () => new OclawError("E_TIMEOUT", `no ${what} from ${candidate.ref} within ${seconds.toFixed(1)} s`),
  );
  const model = probeModelFor(ctx.config, candidate.provider!, candidate.ref);
  return await runProbe(ctx.http, candidate.provider!, model, AbortSignal.any([ctx.signal, limit]), ctx.config.data, {
    stopAtFirstToken: true,
    keepAlive: plan.keepAlive,
    ...(kind === "tools" ? { tools: [PROBE_TOOL], maxTokens: TOOLS_PROBE_MAX_TOKENS } : {}),
  });
}

/** Judges a probe outcome: the latency it measured, or why it failed; the tools probe wants a tool call. */
export function judgeProbe(j: Judgement, kind: ProbeKind, outcome: ProbeOutcome): HealthReport["latency"] {
  if (!outcome.ok) {
    j.checks.push({ name: "probe", status: "critical", message: outcome.error.message, ms: round(outcome.ms) });
    j.notes.push(`probe failed: ${outcome.error.message}`);
    suggest(j, outcome.error.hint ?? "Run 'oclaw chat -v -m " + outcome.ref + " hello' to see the exchange");
    return undefined;
  }
  if (kind === "tools" && outcome.toolCalls.length === 0) {
    const asText = outcome.text.includes(PROBE_TOOL.function.name) ? " (it wrote the call as text)" : "";
    const message = `model answers but does not call tools${asText}`;
    j.checks.push({ name: "tools", status: "warning", message: `${outcome.ref}: ${message}`, ms: round(outcome.ms) });
    j.notes.push(message);
    suggest(j, "Agents need structured tool calls: use a model (and Ollama version) that returns tool_calls, e.g. qwen3:8b");
  } else if (kind === "tools") {
    j.checks.push({ name: "tools", status: "ok", message: `${outcome.ref} called ${outcome.toolCalls[0]}`, ms: round(outcome.ms) });
  }
  return { ms: probeLatencyMs(outcome), kind: "chat", ref: outcome.ref };
}

/** A probe the plan did not allow: WARNING, since nothing was measured. */
export function judgeSkippedProbe(j: Judgement, why: string): void {
  j.checks.push({ name: "probe", status: "warning", message: `probe not sent: ${why}` });
  j.notes.push(`probe not sent: ${why}`);
  suggest(j, "Probe when the model is loaded, or keep it loaded longer (params.keep_alive)");
}

/** Judges a latency against --warn/--crit and adds it to the summary. */
export function judgeLatency(
  j: Judgement,
  latency: NonNullable<HealthReport["latency"]>,
  limits: { warnMs: number; critMs: number },
  active: boolean,
): void {
  const ms = round(latency.ms);
  const status: HealthState = ms > limits.critMs ? "critical" : ms > limits.warnMs ? "warning" : "ok";
  const over = status === "critical" ? `, over ${limits.critMs} ms` : status === "warning" ? `, over ${limits.warnMs} ms` : "";
  const chat = latency.kind === "chat";
  j.checks.push({
    name: chat ? "probe" : "latency",
    status,
    message: `${chat ? "first token" : "status requests"} in ${Math.round(ms)} ms${over}`,
    ms,
  });
  if (active && j.main !== undefined) j.main += ` (${chat ? "first token " : ""}${Math.round(ms)} ms${over})`;
  if (status !== "ok") suggest(j, "The server is slow to answer: check its load ('ollama ps', 'top'), or raise --warn/--crit");
}
