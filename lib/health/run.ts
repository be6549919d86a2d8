/**
 * `oclaw health`'s evaluation, as named steps: read the selection, ask the servers, gather each
 * candidate's facts, judge them, measure the latency (status requests, or a probe chat), and write the
 * report. It answers within `--timeout` whatever the network does.
 */
import { defaultCacheDir, noProvider } from "../catalog/catalog.ts";
import type { Provider } from "../catalog/types.ts";
import { parseModelRef } from "../config/model-ref.ts";
import { type ResolvedConfig, resolveConfig } from "../config/resolve.ts";
import { OclawError, toOclawError } from "../errors.ts";
import { deadline } from "../http/abort.ts";
import { type HttpContext, httpContext } from "../http/context.ts";
import { HEALTH_DNS_RETRY, NO_RETRY } from "../retry.ts";
import { DEFAULT_CONNECT_TIMEOUT_MS } from "../http/diagnose.ts";
import type { Io } from "../io.ts";
import type { Logger } from "../log.ts";
import { type Candidate, candidatesOf } from "./candidates.ts";
import { candidateFacts, serverOf } from "./facts.ts";
import {
  judgeCandidates,
  judgeContext,
  judgeNoSelection,
  judgeProcessor,
  judgeServers,
  type Judgement,
  suggest,
} from "./judge.ts";
import { judgeLatency, judgeProbe, judgeSkippedProbe, probeActive, type ProbeKind, probePlan } from "./probe.ts";
import { bareReport, type CandidateFacts, type HealthReport, type HealthState, worseState } from "./report.ts";
import { type InspectLimits, inspectServer, isUp, serverError, serverLabel, type ServerState, toolVerdicts } from "./servers.ts";

/** Options of a health run (flags already validated). */
export interface HealthOptions {
  configPath?: string | undefined;
  /** `--model` refs; empty → the primary and fallbacks. */
  models: string[];
  /** `--probe` / `--probe=tools`; undefined: no probe. */
  probe?: ProbeKind | undefined;
  warnMs: number;
  critMs: number;
  timeoutMs: number;
}

type Base = Pick<HealthReport, "warnMs" | "critMs" | "timestamp">;

/** The report for a problem with the config or the flags. */
export function unknownReport(error: unknown, base: Base): HealthReport {
  const e = toOclawError(error);
  return bareReport("unknown", "config", e.message, e.hint, base);
}

/**
 * Runs the health check. Never throws: config and flag problems are UNKNOWN, everything else is judged.
 */
export async function runHealth(io: Io, log: Logger, options: HealthOptions): Promise<HealthReport> {
  const base: Base = { warnMs: options.warnMs, critMs: options.critMs, timestamp: io.wallClock() / 1000 };
  const seconds = options.timeoutMs / 1000;
  // The servers being asked, once the config named them, so a timeout says who did not answer.
  const asking: string[] = [];
  const gaveUp = () =>
    new OclawError("E_TIMEOUT", `Timed out waiting for the answer${asking.length > 0 ? ` from ${asking.join(", ")}` : ""} (${seconds} s, --timeout)`, {
      hint: "The server is overloaded or a firewall drops the traffic; raise --timeout, or run 'oclaw doctor' for details",
    });
  const signal = AbortSignal.any([io.interrupt, deadline(options.timeoutMs, gaveUp)]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A backstop in case something does not heed the signal: health must answer within its timeout.
  const backstop = new Promise<HealthReport>((resolve) => {
    timer = setTimeout(() => {
      const e = gaveUp();
      resolve(bareReport("critical", "timeout", e.message, e.hint, base));
    }, options.timeoutMs + 200);
  });
  try {
    const run: Run = { io, log, options, base, signal, asking, started: io.now() };
    return await Promise.race([evaluate(run), backstop]);
  } finally {
    clearTimeout(timer);
  }
}

/** One evaluation's surroundings. */
interface Run {
  io: Io;
  log: Logger;
  options: HealthOptions;
  base: Base;
  signal: AbortSignal;
  /** Base URLs being asked (for the timeout's message). */
  asking: string[];
  started: number;
}

/** The selection to judge: the config and its candidates. */
interface Selection {
  config: ResolvedConfig;
  candidates: Candidate[];
}

async function evaluate(run: Run): Promise<HealthReport> {
  let selection: Selection;
  try {
    selection = await readSelection(run);
  } catch (error) {
    return unknownReport(error, run.base);
  }
  run.log.addSecrets(selection.config.secrets);
  for (const note of selection.config.notes) run.log.debug(note);
  const http = httpContext(run.io, run.log);
  const limits = inspectLimits(run);
  const states = await askServers(run, http, selection, limits);
  const factsContext = {
    http,
    config: selection.config,
    cacheDir: defaultCacheDir(run.io),
    signal: run.signal,
    connectTimeoutMs: limits.connectTimeoutMs,
    wallClockMs: run.io.wallClock(),
  };
  const facts = await candidateFacts(factsContext, selection.candidates, states);
  const active = facts.find((f) => f.active);
  const judgement: Judgement = { checks: [], head: "", notes: [], usable: active !== undefined };
  judgement.checks.push({ name: "config", status: "ok", message: `Config ${selection.config.file.path}` });
  judgeServers(judgement, states);
  judgeCandidates(judgement, selection.candidates, facts, states.some(isUp));
  if (selection.candidates.length === 0) {
    judgeNoSelection(judgement, states.filter(isUp), await firstToolModel(http, states, factsContext));
  }
  if (active !== undefined) {
    judgeProcessor(judgement, active);
    judgeContext(judgement, active);
  }
  const servingState = active === undefined
    ? states.find(isUp)
    : serverOf(states, selection.candidates[facts.indexOf(active)]!.provider);
  judgement.head = servingState === undefined ? states.map((s) => serverError(s)?.message).join("; ") : serverLabel(servingState);
  if (servingState === undefined) {
    // A candidate's provider whose config cannot be used (an unset variable, a secret) says why nothing was asked.
    const unusable = selection.candidates.find((c) => c.provider?.configError !== undefined)?.provider?.configError;
    if (unusable !== undefined) {
      judgement.head ||= unusable.message;
      suggest(judgement, unusable.hint);
    }
    judgement.head ||= "no server answered";
  }
  const latency = await measureLatency(run, http, selection, facts, servingState, judgement);
  return finish(run, judgement, states, facts, latency);
}

/** Step 1: the config and the candidates (`--model`, else the primary and fallbacks). @throws for UNKNOWN */
async function readSelection(run: Run): Promise<Selection> {
  const config = await resolveConfig(run.io, { configPath: run.options.configPath });
  const candidates = candidatesOf(config, run.options.models);
  if (config.providers.length === 0) throw noProvider(config, "ollama");
  if (candidates.length > 0 && candidates.every((c) => c.provider === undefined)) {
    const first = candidates[0]!;
    throw noProvider(config, parseModelRef(first.ref).provider, first.ref);
  }
  return { config, candidates };
}

/** The time limits of the status requests: the connect timeout fires first, naming a black-holed port. */
function inspectLimits(run: Run): InspectLimits {
  const { timeoutMs } = run.options;
  return {
    connectTimeoutMs: Math.min(DEFAULT_CONNECT_TIMEOUT_MS, Math.max(50, timeoutMs * 0.8)),
    answerTimeoutMs: timeoutMs,
    signal: run.signal,
    // One quick retry of a resolver hiccup when the time allows it.
    dnsRetry: timeoutMs >= 2000 ? HEALTH_DNS_RETRY : NO_RETRY,
  };
}

/** Step 2: every server a candidate runs on (all of them without a selection), asked at once. */
async function askServers(run: Run, http: HttpContext, selection: Selection, limits: InspectLimits): Promise<ServerState[]> {
  const { candidates, config } = selection;
  // A provider whose config cannot be used (an unset variable, a secret that does not resolve) is not asked.
  const involved: Provider[] = (candidates.length > 0
    ? [...new Set(candidates.flatMap((c) => (c.provider ? [c.provider] : [])))]
    : config.providers).filter((p) => p.configError === undefined);
  run.asking.push(...involved.map((provider) => provider.baseUrl));
  return await Promise.all(involved.map((provider) => inspectServer(http, provider, limits)));
}

/** Without a selection: the first tool-capable installed model, to suggest as the primary. */
async function firstToolModel(
  http: HttpContext,
  states: ServerState[],
  options: { cacheDir: string | undefined; signal: AbortSignal; connectTimeoutMs: number },
): Promise<string | undefined> {
  for (const state of states.filter(isUp)) {
    const ids = state.installed ?? [];
    const verdicts = await toolVerdicts(http, state, ids, { ...options, stopAtFirst: true });
    const id = ids.find((name) => verdicts.get(name) === true);
    if (id !== undefined) return `${state.provider.id}/${id}`;
  }
  return undefined;
}

/** Step 3: the latency — the probe's first token when asked for, else the time of the status requests. */
async function measureLatency(
  run: Run,
  http: HttpContext,
  selection: Selection,
  facts: CandidateFacts[],
  servingState: ServerState | undefined,
  j: Judgement,
): Promise<HealthReport["latency"]> {
  const index = facts.findIndex((f) => f.active);
  const active = facts[index];
  let latency: HealthReport["latency"];
  if (active !== undefined && run.options.probe !== undefined) {
    const candidate = selection.candidates[index]!;
    const plan = probePlan(active, servingState);
    if (!plan.send) judgeSkippedProbe(j, plan.why);
    else {
      const remainingMs = run.options.timeoutMs - (run.io.now() - run.started);
      const ctx = { http, config: selection.config, signal: run.signal, remainingMs };
      latency = judgeProbe(j, run.options.probe, await probeActive(ctx, run.options.probe, candidate, plan));
    }
  }
  // A probe that failed measured nothing; one not sent leaves the status requests' time to judge.
  const probeFailed = j.checks.some((c) => c.name === "probe" && c.status === "critical");
  if (latency === undefined && !probeFailed && servingState !== undefined && j.main !== undefined) {
    latency = { ms: servingState.ms, kind: "api", ...(active ? { ref: active.model } : {}) };
  }
  if (latency !== undefined) judgeLatency(j, latency, run.options, active !== undefined);
  return latency;
}

/** Step 4: the state (the worst check; CRITICAL when nothing can serve) and the report. */
function finish(
  run: Run,
  j: Judgement,
  states: ServerState[],
  facts: CandidateFacts[],
  latency: HealthReport["latency"],
): HealthReport {
  let state: HealthState = j.usable || j.checks.some((c) => c.name === "selection") ? "ok" : "critical";
  if (!j.usable) j.hint ??= "Run 'oclaw doctor' to see what is wrong";
  for (const c of j.checks) state = worseState(state, c.status);
  run.log.debug(`health evaluated in ${(run.io.now() - run.started).toFixed(1)} ms`);
  const report: HealthReport = {
    ...run.base,
    state,
    summary: [j.head, j.main, ...j.notes].filter((p) => p !== undefined && p !== "").join(", "),
    checks: j.checks,
    servers: states.map((s) => ({
      provider: s.provider.id,
      api: s.provider.api,
      url: s.provider.baseUrl,
      up: isUp(s),
      ...(s.probe.ok && s.probe.version !== undefined ? { version: s.probe.version } : {}),
      ...(s.installed !== undefined ? { modelCount: s.installed.length } : {}),
    })),
    candidates: facts,
  };
  if (latency !== undefined) report.latency = latency;
  if (j.hint !== undefined && state !== "ok") report.hint = j.hint;
  return report;
}
