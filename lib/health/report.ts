/**
 * What `oclaw health` found, in the Nagios plugin's terms: a state (0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN) that is also the exit code, one summary line, and the facts the formats print.
 */

/** A Nagios plugin state. */
export type HealthState = "ok" | "warning" | "critical" | "unknown";

/** Exit code per state (the Nagios plugin API). */
export const STATE_EXIT: Record<HealthState, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

const RANK: Record<HealthState, number> = { ok: 0, warning: 1, unknown: 2, critical: 3 };

/** The worse of two states (CRITICAL outranks UNKNOWN: a definite failure beats an unknown). */
export function worseState(a: HealthState, b: HealthState): HealthState {
  return RANK[b] > RANK[a] ? b : a;
}

/** One check as `--format json` lists it. */
export interface HealthCheck {
  name: string;
  status: HealthState;
  message: string;
  ms?: number;
}

/** One provider's server as health saw it. */
export interface ServerFacts {
  provider: string;
  /** `ollama` or `openai-completions`. */
  api: string;
  url: string;
  up: boolean;
  /** Ollama's version, when it told. */
  version?: string;
  /** Models installed (Ollama) or listed (OpenAI-compatible), when known. */
  modelCount?: number;
}

/**
 * One candidate model as health saw it, in chain order. `null` means unknown: the server was not asked
 * or could not say (no `/api/ps` on an OpenAI-compatible server, a model that is not loaded).
 */
export interface CandidateFacts {
  /** `provider/id`. */
  model: string;
  /** `primary`, `fallback#N`, or `model#N` for `--model`. */
  role: string;
  installed: boolean | null;
  /** Whether the model can call tools (what agents need). */
  tools: boolean | null;
  /** In memory right now (`/api/ps`). */
  loaded: boolean | null;
  /** Share of the loaded model in GPU memory: `size_vram / size` (1 = all on the GPU). */
  gpuRatio: number | null;
  /** Seconds until Ollama unloads it (`expires_at` of `/api/ps`). */
  expiresInSeconds: number | null;
  /** Context tokens: what Ollama allocated (`/api/ps` context_length) and what the config asks for. */
  context: { allocated: number | null; configured: number | null };
  /** The candidate that would serve a chat now: the first usable one. */
  active: boolean;
  /** `ready`, or why it is not (`missing`, `unreachable`, `has no tool support`...). */
  verdict: string;
}

/** Everything the formats need. */
export interface HealthReport {
  state: HealthState;
  /** One line without the state prefix. */
  summary: string;
  /** How to fix a non-OK state, when known (stderr only). */
  hint?: string;
  checks: HealthCheck[];
  servers: ServerFacts[];
  candidates: CandidateFacts[];
  /** The latency judged against --warn/--crit: the probe's first token, else the status requests. */
  latency?: { ms: number; kind: "chat" | "api"; ref?: string };
  warnMs: number;
  critMs: number;
  /** Wall clock of the check, seconds since the epoch. */
  timestamp: number;
}

/** A report with nothing but a state and a line: a bad config or flags (UNKNOWN), a timeout (CRITICAL). */
export function bareReport(
  state: HealthState,
  check: string,
  message: string,
  hint: string | undefined,
  base: Pick<HealthReport, "warnMs" | "critMs" | "timestamp">,
): HealthReport {
  const report: HealthReport = {
    ...base,
    state,
    summary: message,
    checks: [{ name: check, status: state, message }],
    servers: [],
    candidates: [],
  };
  if (hint !== undefined) report.hint = hint;
  return report;
}
