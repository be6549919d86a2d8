/**
 * `oclaw health`'s evaluation: the servers of the candidate models answer, the candidates are installed,
 * the ready one is not on the CPU, and the latency (status requests, or a probe chat) is within
 * `--warn`/`--crit`. It answers within `--timeout` whatever the network does.
 */
import { defaultCacheDir, noProvider } from "../catalog/catalog.ts";
import { sameModelId } from "../catalog/selection.ts";
import type { Provider } from "../catalog/types.ts";
import { parseModelRef } from "../config/model-ref.ts";
import { type ResolvedConfig, resolveConfig } from "../config/resolve.ts";
import { OclawError, toOclawError } from "../errors.ts";
import { deadline } from "../http/abort.ts";
import { httpContext } from "../http/context.ts";
import { DEFAULT_CONNECT_TIMEOUT_MS } from "../http/diagnose.ts";
import type { Io } from "../io.ts";
import type { Logger } from "../log.ts";
import { cpuPercent, processorLabel } from "../checks/loaded-models.ts";
import { probeLatencyMs, runProbe } from "../checks/probe.ts";
import { CAPABILITIES_SINCE, versionAtLeast } from "../checks/version.ts";
import { failureFix, failureKind } from "../checks/reachability.ts";
import {
  type Candidate,
  candidatesOf,
  NO_CAPABILITIES,
  NO_TOOLS,
  probeModelFor,
  pullHint,
  roleLabel,
} from "./candidates.ts";
import { hasModel, inspectServer, isUp, serverError, serverLabel, toolVerdicts } from "./servers.ts";
import { type HealthCheck, type HealthReport, type HealthState, type ModelFacts, worseState } from "./report.ts";

/** Options of a health run (flags already validated). */
export interface HealthOptions {
  configPath?: string | undefined;
  /** `--model` refs; empty → the primary and fallbacks. */
  models: string[];
  probe: boolean;
  warnMs: number;
  critMs: number;
  timeoutMs: number;
}

/** The report for a problem with the config or the flags. */
export function unknownReport(error: unknown, base: Pick<HealthReport, "warnMs" | "critMs" | "timestamp">): HealthReport {
  const e = toOclawError(error);
  const report: HealthReport = {
    ...base,
    state: "unknown",
    summary: e.message,
    checks: [{ name: "config", status: "unknown", message: e.message }],
    servers: [],
    models: [],
  };
  if (e.hint !== undefined) report.hint = e.hint;
  return report;
}

/**
 * Runs the health check. Never throws: config and flag problems are UNKNOWN, everything else is judged.
 */
export async function runHealth(io: Io, log: Logger, options: HealthOptions): Promise<HealthReport> {
  const base = { warnMs: options.warnMs, critMs: options.critMs, timestamp: io.wallClock() / 1000 };
  const seconds = options.timeoutMs / 1000;
  // The servers being asked, once the config named them, so a timeout says who did not answer.
  const asking: string[] = [];
  const gaveUp = () =>
    new OclawError("E_TIMEOUT", `No answer${asking.length > 0 ? ` from ${asking.join(", ")}` : ""} within the ${seconds} s health timeout`, {
      hint: "The server is overloaded or a firewall drops the traffic; run 'oclaw doctor' for details",
    });
  const limit = deadline(options.timeoutMs, gaveUp);
  const signal = AbortSignal.any([io.interrupt, limit]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A backstop in case something does not heed the signal: health must answer within its timeout.
  const backstop = new Promise<HealthReport>((resolve) => {
    timer = setTimeout(() => {
      const e = gaveUp();
      resolve({
        ...base,
        state: "critical",
        summary: e.message,
        ...(e.hint ? { hint: e.hint } : {}),
        checks: [{ name: "timeout", status: "critical", message: e.message }],
        servers: [],
        models: [],
      });
    }, options.timeoutMs + 200);
  });
  try {
    return await Promise.race([evaluate(io, log, options, base, signal, asking), backstop]);
  } finally {
    clearTimeout(timer);
  }
}

async function evaluate(
  io: Io,
  log: Logger,
  options: HealthOptions,
  base: Pick<HealthReport, "warnMs" | "critMs" | "timestamp">,
  signal: AbortSignal,
  asking: string[],
): Promise<HealthReport> {
  const started = io.now();
  let config: ResolvedConfig;
  let candidates: Candidate[];
  try {
    config = await resolveConfig(io, { configPath: options.configPath });
    candidates = candidatesOf(config, options.models);
    if (config.providers.length === 0) throw noProvider(config, "ollama");
    if (candidates.length > 0 && candidates.every((c) => c.provider === undefined)) {
      const first = candidates[0]!;
      throw noProvider(config, parseModelRef(first.ref).provider, first.ref);
    }
  } catch (error) {
    return unknownReport(error, base);
  }
  log.addSecrets(config.secrets);

  const http = httpContext(io, log);
  // The connect timeout fires before the run's deadline, so a black-holed port is named as such.
  const limits = {
    connectTimeoutMs: Math.min(DEFAULT_CONNECT_TIMEOUT_MS, Math.max(50, options.timeoutMs * 0.8)),
    answerTimeoutMs: options.timeoutMs,
    signal,
    // One quick retry of a resolver hiccup when the time allows it.
    dnsRetryDelaysMs: options.timeoutMs >= 2000 ? [250] : [],
  };
  const involved = candidates.length > 0
    ? [...new Set(candidates.flatMap((c) => (c.provider ? [c.provider] : [])))]
    : config.providers;
  asking.push(...involved.map((provider) => provider.baseUrl));
  const states = await Promise.all(involved.map((provider) => inspectServer(http, provider, limits)));
  const stateOf = (provider: Provider | undefined) => states.find((s) => s.provider === provider);

  const why = candidates.map((c) => {
    const state = stateOf(c.provider);
    if (c.provider === undefined) return `provider '${parseModelRef(c.ref).provider}' not configured`;
    if (state === undefined || !isUp(state)) return "unreachable";
    return hasModel(state, parseModelRef(c.ref).id) ? "ready" : "missing";
  });
  // Installed candidates must also support tools (agents send tools); the answers are cached on disk.
  const cacheDir = defaultCacheDir(io);
  const toolOptions = { cacheDir, signal, connectTimeoutMs: limits.connectTimeoutMs };
  for (const state of states.filter(isUp)) {
    const ids = candidates.flatMap((c, i) => (c.provider === state.provider && why[i] === "ready" ? [parseModelRef(c.ref).id] : []));
    if (ids.length === 0) continue;
    const verdicts = await toolVerdicts(http, state, ids, toolOptions);
    candidates.forEach((c, i) => {
      const verdict = c.provider === state.provider ? verdicts.get(parseModelRef(c.ref).id) : undefined;
      if (verdict === "no-tools") why[i] = NO_TOOLS;
      if (verdict === "no-capabilities") why[i] = NO_CAPABILITIES;
    });
  }
  const models: ModelFacts[] = candidates.map((c, i) => ({ ref: c.ref, role: c.role, available: why[i] === "ready" }));
  const up = states.filter(isUp);
  let readyIndex = why.indexOf("ready");
  let ready = readyIndex === -1 ? undefined : candidates[readyIndex]!;
  if (candidates.length === 0) {
    // No selection: the first tool-capable model of the first server that has one, as chat would pick.
    for (const state of up) {
      const ids = state.installed ?? [];
      const verdicts = await toolVerdicts(http, state, ids, { ...toolOptions, stopAtFirst: true });
      const id = ids.find((name) => verdicts.get(name) === true);
      if (id !== undefined) {
        ready = { ref: `${state.provider.id}/${id}`, role: "auto", provider: state.provider };
        readyIndex = 0;
        break;
      }
    }
  }
  const installedCount = states.reduce((n, s) => n + (s.installed?.length ?? 0), 0);
  const usable = ready !== undefined;
  const readyState = ready === undefined ? up[0] : stateOf(ready.provider);

  let hint: string | undefined;
  const checks: HealthCheck[] = [{ name: "config", status: "ok", message: `Config ${config.file.path}` }];
  for (const s of states) {
    const error = serverError(s);
    checks.push({
      name: "reachable",
      status: error === undefined ? "ok" : usable ? "warning" : "critical",
      message: error === undefined ? serverLabel(s) : error.message,
      ms: round(s.ms),
    });
    if (!s.probe.ok) hint ??= failureFix(failureKind(s.probe), s.provider, s.probe.error);
    else if (error !== undefined) hint ??= error.hint;
  }
  candidates.forEach((c, i) => {
    const status: HealthState = why[i] === "ready" ? "ok" : usable ? "warning" : "critical";
    checks.push({ name: c.role, status, message: `${c.ref} ${why[i]}` });
    if (why[i] === "missing") hint ??= pullHint(c);
    if (why[i] === NO_TOOLS) hint ??= "Agents send tools: pick a model whose 'ollama show' lists tools (ollama pull qwen3:8b)";
    if (why[i] === NO_CAPABILITIES) hint ??= "Upgrade Ollama to 0.6.4 or newer, or list the model under models.providers.<id>.models";
  });

  // The summary: where, what is ready (with its processor and latency), then what is wrong.
  const notes: string[] = [];
  let head = readyState === undefined ? states.map((s) => serverError(s)?.message).join("; ") : serverLabel(readyState);
  let main: string | undefined;
  if (ready !== undefined && ready.role === "auto") {
    main = `no primary set, ${ready.ref} ready`;
  } else if (ready !== undefined) {
    main = readyIndex === 0
      ? `${ready.ref} ready`
      : `${roleLabel(candidates[0]!.role)} ${candidates[0]!.ref} ${why[0]}, ${roleLabel(ready.role)} ${ready.ref} ready`;
    candidates.forEach((c, i) => {
      if (i > readyIndex && why[i] !== "ready") notes.push(`${roleLabel(c.role)} ${c.ref} ${why[i]}`);
    });
  } else if (readyState !== undefined && candidates.length > 0) {
    main = `no candidate model usable: ${candidates.map((c, i) => `${c.ref} ${why[i]}`).join(", ")}`;
  } else if (readyState !== undefined) {
    const old = up.some((s) => s.probe.ok && s.probe.version !== undefined && versionAtLeast(s.probe.version, CAPABILITIES_SINCE) === false);
    main = installedCount === 0
      ? "no model installed"
      : `none of ${installedCount} installed model(s) ${old ? `is known to support tools (Ollama older than ${CAPABILITIES_SINCE})` : "supports tools"}`;
    hint ??= old
      ? `Upgrade Ollama to ${CAPABILITIES_SINCE} or newer, or list the models under models.providers.<id>.models`
      : "Pull a model that supports tools on the Ollama host: ollama pull qwen3:8b";
  }

  if (ready !== undefined) {
    const entry = stateOf(ready.provider)?.loaded.find((e) => sameModelId(parseModelRef(ready.ref).id, e.name));
    const cpu = entry === undefined ? undefined : cpuPercent(entry);
    if (cpu !== undefined) {
      const label = processorLabel(cpu);
      checks.push({ name: "cpu", status: cpu > 0 ? "warning" : "ok", message: `${ready.ref} loaded ${label}` });
      if (cpu > 0) {
        main += ` but loaded ${label}`;
        hint ??= "A model on the CPU answers in minutes: use a smaller model that fits in GPU memory, give " +
          "Ollama a GPU, or set the primary explicitly to the model you mean ('oclaw doctor' says more)";
      }
    }
  }

  // Latency: the probe chat's first token, else the time the ready server took for the status requests.
  let latency: HealthReport["latency"];
  if (ready !== undefined && options.probe) {
    const model = probeModelFor(config, ready.provider!, ready.ref);
    const outcome = await runProbe(http, ready.provider!, model, signal, config.data);
    if (outcome.ok) latency = { ms: probeLatencyMs(outcome), kind: "chat", ref: ready.ref };
    else {
      checks.push({ name: "probe", status: "critical", message: outcome.error.message, ms: round(outcome.ms) });
      notes.push(`probe failed: ${outcome.error.message}`);
      hint ??= outcome.error.hint;
    }
  } else if (readyState !== undefined && main !== undefined) {
    latency = { ms: readyState.ms, kind: "api", ...(ready ? { ref: ready.ref } : {}) };
  }
  if (latency !== undefined) {
    const ms = round(latency.ms);
    const status: HealthState = ms > options.critMs ? "critical" : ms > options.warnMs ? "warning" : "ok";
    const over = status === "critical" ? `, over ${options.critMs} ms` : status === "warning" ? `, over ${options.warnMs} ms` : "";
    const what = latency.kind === "chat" ? "first token " : "";
    checks.push({
      name: latency.kind === "chat" ? "probe" : "latency",
      status,
      message: `${latency.kind === "chat" ? "first token" : "status requests"} in ${Math.round(ms)} ms${over}`,
      ms,
    });
    if (ready !== undefined) main += ` (${what}${Math.round(ms)} ms${over})`;
    if (status !== "ok") hint ??= "The server is slow to answer: check its load ('ollama ps', 'top'), or raise --warn/--crit";
  }

  let state: HealthState = usable ? "ok" : "critical";
  if (!usable) hint ??= "Run 'oclaw doctor' to see what is wrong";
  for (const c of checks) state = worseState(state, c.status);
  log.debug(`health evaluated in ${(io.now() - started).toFixed(1)} ms`);
  if (readyState === undefined) head = head || "no server answered";
  const report: HealthReport = {
    ...base,
    state,
    summary: [head, main, ...notes].filter((p) => p !== undefined && p !== "").join(", "),
    checks,
    servers: states.map((s) => ({
      provider: s.provider.id,
      url: s.provider.baseUrl,
      up: isUp(s),
      ...(s.probe.ok && s.probe.version !== undefined ? { version: s.probe.version } : {}),
      ...(s.installed !== undefined ? { modelCount: s.installed.length } : {}),
    })),
    models,
  };
  if (latency !== undefined) report.latency = latency;
  if (hint !== undefined && state !== "ok") report.hint = hint;
  return report;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

