/**
 * `oclaw ps`: the models loaded on every enabled Ollama provider (`GET /api/ps` on each, at once), as
 * rows for the table and the JSON document.
 */
import type { Provider } from "../catalog/types.ts";
import { cpuPercent, gpuRatio, loadedModels, processorLabel, secondsUntil } from "../checks/loaded-models.ts";
import { type OclawError, toOclawError } from "../errors.ts";
import type { HttpContext } from "../http/context.ts";

/** One loaded model. */
export interface LoadedRow {
  /** `provider/name`. */
  model: string;
  provider: string;
  /** Bytes in memory, when told. */
  size: number | null;
  /** Share in GPU memory (`size_vram / size`). */
  gpuRatio: number | null;
  /** Context tokens allocated (Ollama 0.10+). */
  context: number | null;
  /** When Ollama unloads it (RFC 3339, as sent) and in how many seconds. */
  expiresAt: string | null;
  expiresInSeconds: number | null;
}

/** A provider that could not be asked. */
export interface LoadedError {
  provider: string;
  error: OclawError;
}

/** Asks every provider at once; never throws. */
export async function listLoaded(
  http: HttpContext,
  providers: Provider[],
  signal: AbortSignal,
  wallClockMs: number,
): Promise<{ rows: LoadedRow[]; errors: LoadedError[] }> {
  const answers = await Promise.all(providers.map(async (provider) => {
    try {
      return { provider, entries: await loadedModels(http, provider, signal) };
    } catch (error) {
      return { provider, error: toOclawError(error) };
    }
  }));
  const rows: LoadedRow[] = [];
  const errors: LoadedError[] = [];
  for (const answer of answers) {
    if ("error" in answer && answer.error !== undefined) {
      errors.push({ provider: answer.provider.id, error: answer.error });
      continue;
    }
    for (const e of answer.entries ?? []) {
      rows.push({
        model: `${answer.provider.id}/${e.name}`,
        provider: answer.provider.id,
        size: e.size ?? null,
        gpuRatio: gpuRatio(e) ?? null,
        context: e.context_length !== undefined && e.context_length > 0 ? e.context_length : null,
        expiresAt: e.expires_at ?? null,
        expiresInSeconds: secondsUntil(e.expires_at, wallClockMs) ?? null,
      });
    }
  }
  return { rows, errors };
}

/** `5.2 GB` — decimal units, as `ollama ps` shows sizes. */
export function humanSize(bytes: number | null): string {
  if (bytes === null) return "-";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `4m 12s`, `2h 5m`, `forever` (a pinned model: years away), `now`. */
export function humanUntil(seconds: number | null): string {
  if (seconds === null) return "-";
  if (seconds <= 0) return "now";
  if (seconds > 10 * 365 * 24 * 3600) return "forever";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m ${s}s` : `${s}s`;
}

/** The table: MODEL SIZE PROCESSOR CONTEXT UNTIL, columns padded to their widest cell. */
export function formatLoadedTable(rows: LoadedRow[]): string {
  const cells = [["MODEL", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL"]];
  for (const r of rows) {
    const cpu = r.gpuRatio === null ? undefined : cpuPercent({ size: 1000, size_vram: Math.round(r.gpuRatio * 1000) });
    cells.push([
      r.model,
      humanSize(r.size),
      cpu === undefined ? "-" : processorLabel(cpu),
      r.context === null ? "-" : String(r.context),
      humanUntil(r.expiresInSeconds),
    ]);
  }
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]! + 2))).join("").trimEnd()).join("\n") + "\n";
}
