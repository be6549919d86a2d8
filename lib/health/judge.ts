/**
 * The rules that turn what health saw into checks, one summary and a hint: a server that did not answer,
 * a candidate that is missing or cannot call tools, and the WARNING rules for the active candidate — it is
 * not the first one, it runs partly on the CPU, or Ollama allocated it less context than configured.
 */
import { CAPABILITIES_SINCE, versionAtLeast } from "../checks/version.ts";
import { failureFix, failureKind } from "../checks/reachability.ts";
import { processorLabel } from "../checks/loaded-models.ts";
import { type Candidate, NO_CAPABILITIES, NO_TOOLS, pullHint, roleLabel } from "./candidates.ts";
import { READY } from "./facts.ts";
import type { CandidateFacts, HealthCheck, HealthState } from "./report.ts";
import { serverError, serverLabel, type ServerState } from "./servers.ts";

/** What the rules found so far; each step adds to it. */
export interface Judgement {
  checks: HealthCheck[];
  /** Where: the server that serves (or what went wrong with the servers). */
  head: string;
  /** What: the chain's state. */
  main?: string;
  /** What else is wrong. */
  notes: string[];
  /** The first fix found. */
  hint?: string;
  /** A candidate can serve. */
  usable: boolean;
}

/** Rounds to a tenth of a millisecond. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Sets the hint unless an earlier step found one. */
export function suggest(j: Judgement, hint: string | undefined): void {
  if (hint !== undefined) j.hint ??= hint;
}

/** A check per server: up, or why not (WARNING when a candidate elsewhere can still serve). */
export function judgeServers(j: Judgement, states: ServerState[]): void {
  for (const s of states) {
    const error = serverError(s);
    j.checks.push({
      name: "reachable",
      status: error === undefined ? "ok" : j.usable ? "warning" : "critical",
      message: error === undefined ? serverLabel(s) : error.message,
      ms: round(s.ms),
    });
    if (!s.probe.ok) suggest(j, failureFix(failureKind(s.probe), s.provider, s.probe.error));
    else if (error !== undefined) suggest(j, error.hint);
  }
}

/**
 * A check per candidate, and the summary of the chain: which one is active, what is wrong before it
 * (when no server answered, the servers' errors say it all).
 */
export function judgeCandidates(j: Judgement, candidates: Candidate[], facts: CandidateFacts[], anyUp: boolean): void {
  facts.forEach((f, i) => {
    const status: HealthState = f.verdict === READY ? "ok" : j.usable ? "warning" : "critical";
    j.checks.push({ name: f.role, status, message: `${f.model} ${f.verdict}` });
    if (f.verdict === "missing") suggest(j, pullHint(candidates[i]!));
    if (f.verdict === NO_TOOLS) suggest(j, "Agents send tools: pick a model whose 'ollama show' lists tools (ollama pull qwen3:8b)");
    if (f.verdict === NO_CAPABILITIES) {
      suggest(j, "Upgrade Ollama to 0.6.4 or newer, or list the model under models.providers.<id>.models");
    }
  });
  const activeIndex = facts.findIndex((f) => f.active);
  const active = facts[activeIndex];
  if (active === undefined) {
    if (facts.length > 0 && anyUp) j.main = `no candidate model usable: ${facts.map((f) => `${f.model} ${f.verdict}`).join(", ")}`;
    return;
  }
  const first = facts[0]!;
  j.main = activeIndex === 0
    ? `${active.model} ready`
    : `${roleLabel(first.role)} ${first.model} ${first.verdict}, ${roleLabel(active.role)} ${active.model} ready`;
  facts.forEach((f, i) => {
    if (i > activeIndex && f.verdict !== READY) j.notes.push(`${roleLabel(f.role)} ${f.model} ${f.verdict}`);
  });
}

/** WARNING when the active candidate runs partly on the CPU. */
export function judgeProcessor(j: Judgement, active: CandidateFacts): void {
  if (active.gpuRatio === null) return;
  const cpu = Math.round((1 - active.gpuRatio) * 100);
  const label = processorLabel(cpu);
  j.checks.push({ name: "cpu", status: cpu > 0 ? "warning" : "ok", message: `${active.model} loaded ${label}` });
  if (cpu <= 0) return;
  j.main += ` but loaded ${label}`;
  suggest(
    j,
    "A model on the CPU answers in minutes: use a smaller model that fits in GPU memory, give " +
      "Ollama a GPU, or set the primary explicitly to the model you mean ('oclaw doctor' says more)",
  );
}

/** WARNING when Ollama allocated the active candidate less context than the config asks for. */
export function judgeContext(j: Judgement, active: CandidateFacts): void {
  const { allocated, configured } = active.context;
  if (allocated === null || configured === null) return;
  const short = allocated < configured;
  j.checks.push({
    name: "context",
    status: short ? "warning" : "ok",
    message: `${active.model} has ${allocated} context tokens allocated, ${configured} configured`,
  });
  if (!short) return;
  j.notes.unshift(`${active.model} has only ${allocated} of ${configured} configured context tokens allocated`);
  suggest(
    j,
    `Longer prompts are cut without an error: the model was loaded by a client that asked for less; unload it ` +
      `('oclaw stop ${active.model}') and let oclaw load it again, or start Ollama with ` +
      `OLLAMA_CONTEXT_LENGTH=${configured} so every client gets it`,
  );
}

/**
 * No `--model` and no primary: chat has nothing to send to (it fails with exit 5), so WARNING "no model
 * configured" — with a tool-capable model to set as the primary when one is installed, CRITICAL when none is.
 */
export function judgeNoSelection(j: Judgement, up: ServerState[], suggestion: string | undefined): void {
  if (suggestion !== undefined) {
    j.main = "no model configured";
    j.checks.push({ name: "selection", status: "warning", message: "No primary model configured and no --model given" });
    suggest(j, `Set the primary model agents use: oclaw config set agents.defaults.model.primary ${suggestion}`);
    return;
  }
  if (up.length === 0) return;
  const installed = up.reduce((n, s) => n + (s.installed?.length ?? 0), 0);
  const old = up.some((s) => s.probe.ok && s.probe.version !== undefined && versionAtLeast(s.probe.version, CAPABILITIES_SINCE) === false);
  j.main = installed === 0
    ? "no model installed"
    : `none of ${installed} installed model(s) ${old ? `is known to support tools (Ollama older than ${CAPABILITIES_SINCE})` : "supports tools"}`;
  j.checks.push({ name: "selection", status: "critical", message: j.main });
  suggest(
    j,
    old
      ? `Upgrade Ollama to ${CAPABILITIES_SINCE} or newer, or list the models under models.providers.<id>.models`
      : "Pull a model that supports tools on the Ollama host: ollama pull qwen3:8b",
  );
}
