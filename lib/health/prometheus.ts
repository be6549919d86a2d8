/**
 * The Prometheus text exposition of a health report, for node_exporter's textfile collector:
 * `oclaw_up`, `oclaw_model_available`, `oclaw_probe_seconds`, `oclaw_health_status` and
 * `oclaw_check_timestamp_seconds`, each with HELP and TYPE lines.
 */
import { type HealthReport, STATE_EXIT } from "./report.ts";

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
  return body === "" ? "" : `{${body}}`;
}

function metric(name: string, help: string, samples: Array<[Record<string, string>, number]>): string[] {
  if (samples.length === 0) return [];
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
    ...samples.map(([l, v]) => `${name}${labels(l)} ${Number.isFinite(v) ? String(v) : "NaN"}`),
  ];
}

/** The report in Prometheus text format (version 0.0.4), ending with a newline. */
export function formatHealthPrometheus(report: HealthReport): string {
  const lines = [
    ...metric(
      "oclaw_up",
      "Whether the provider's server answered (1) or not (0).",
      report.servers.map((s) => [{ provider: s.provider, url: s.url }, s.up ? 1 : 0]),
    ),
    ...metric(
      "oclaw_model_available",
      "Whether the candidate model is installed on a server that answered (1) or not (0).",
      report.models.map((m) => [{ model: m.ref, role: m.role }, m.available ? 1 : 0]),
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
