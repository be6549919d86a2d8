/**
 * The Prometheus text exposition of a health report, for node_exporter's textfile collector: the servers
 * (`oclaw_up`, `oclaw_ollama_info`), the candidates (`oclaw_model_available`, `oclaw_candidate_active`,
 * `oclaw_model_loaded`, `oclaw_model_gpu_ratio`, `oclaw_model_context_tokens`,
 * `oclaw_model_expires_seconds`), the latency judged, the overall state and when the check ran — each
 * with HELP and TYPE lines. A fact health could not learn is left out, never written as 0.
 */
import { type CandidateFacts, type HealthReport, STATE_EXIT } from "./report.ts";

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

type Sample = [Record<string, string>, number];

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
  return body === "" ? "" : `{${body}}`;
}

function metric(name: string, help: string, samples: Sample[]): string[] {
  if (samples.length === 0) return [];
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
    ...samples.map(([l, v]) => `${name}${labels(l)} ${Number.isFinite(v) ? String(v) : "NaN"}`),
  ];
}

/** One sample per candidate whose value is known; the same model listed twice is written once. */
function perCandidate(report: HealthReport, value: (c: CandidateFacts) => number | null): Sample[] {
  const seen = new Set<string>();
  const samples: Sample[] = [];
  for (const c of report.candidates) {
    const v = value(c);
    if (v === null || seen.has(c.model)) continue;
    seen.add(c.model);
    samples.push([{ model: c.model }, v]);
  }
  return samples;
}

const flag = (b: boolean | null) => (b === null ? null : b ? 1 : 0);

/** The report in Prometheus text format (version 0.0.4), ending with a newline. */
export function formatHealthPrometheus(report: HealthReport): string {
  const contexts: Sample[] = perCandidate(report, (c) => c.context.allocated).map(([l, v]) => [{ ...l, kind: "allocated" }, v]);
  contexts.push(...perCandidate(report, (c) => c.context.configured).map(([l, v]): Sample => [{ ...l, kind: "configured" }, v]));
  const lines = [
    ...metric(
      "oclaw_up",
      "Whether the provider's server answered (1) or not (0).",
      report.servers.map((s) => [{ provider: s.provider, url: s.url }, s.up ? 1 : 0]),
    ),
    ...metric(
      "oclaw_ollama_info",
      "The Ollama version each provider's server reported (always 1).",
      report.servers.flatMap((s): Sample[] => (s.version === undefined ? [] : [[{ provider: s.provider, version: s.version }, 1]])),
    ),
    ...metric(
      "oclaw_model_available",
      "Whether the candidate model is installed on a server that answered and can call tools (1) or not (0).",
      report.candidates.map((c) => [{ model: c.model, role: c.role }, c.verdict === "ready" ? 1 : 0]),
    ),
    ...metric(
      "oclaw_candidate_active",
      "Whether the candidate is the one a chat would use now: the first usable in chain order (1) or not (0).",
      perCandidate(report, (c) => (c.active ? 1 : 0)),
    ),
    ...metric(
      "oclaw_model_loaded",
      "Whether the candidate model is loaded in memory (1) or not (0), per /api/ps.",
      perCandidate(report, (c) => flag(c.loaded)),
    ),
    ...metric(
      "oclaw_model_gpu_ratio",
      "Share of the loaded model held in GPU memory (size_vram/size): 1 all on the GPU, 0 all on the CPU.",
      perCandidate(report, (c) => c.gpuRatio),
    ),
    ...metric(
      "oclaw_model_context_tokens",
      "Context tokens of the model: allocated by Ollama (kind=allocated) and asked for by the config (kind=configured).",
      contexts,
    ),
    ...metric(
      "oclaw_model_expires_seconds",
      "Seconds until Ollama unloads the loaded model.",
      perCandidate(report, (c) => c.expiresInSeconds),
    ),
    ...metric(
      "oclaw_probe_seconds",
      "Latency judged by the check: time to first token of the probe chat (kind=chat), else the status requests (kind=api).",
      report.latency === undefined ? [] : [[
        { model: report.latency.ref ?? "", kind: report.latency.kind },
        Math.round(report.latency.ms) / 1000,
      ]],
    ),
    ...metric(
      "oclaw_health_status",
      "Overall state as the Nagios exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
      [[{}, STATE_EXIT[report.state]]],
    ),
    ...metric(
      "oclaw_check_timestamp_seconds",
      "When the check ran, in seconds since the Unix epoch.",
      [[{}, Math.round(report.timestamp * 1000) / 1000]],
    ),
  ];
  return lines.join("\n") + "\n";
}
