/**
 * POST /api/pull: streamed progress lines for a known model (scripted, or generated for store models),
 * and for an unknown one the first line then `{"error":"pull model manifest: file does not exist"}` with
 * status 200, as Ollama does.
 */
import { JSON_TYPE, NDJSON_TYPE } from "./chat.ts";
import type { Exchange, ServerState } from "./exchange.ts";
import { goJson } from "./go-json.ts";
import { findModel, normalizeName } from "./store.ts";

const UNKNOWN = "pull model manifest: file does not exist";

function generated(digest: string, size: number): Array<Record<string, unknown>> {
  const layers: Array<[string, number]> = [[digest, size], ["966de95ca8a62200913e3f8bfbf84c8494536f1b94b49166851e76644e966396", 1429], ["fcc5a6bec9daf9b561a68827b67ab6088e1dba9d1fa2a50d7bbcc8384e0a265d", 7711]];
  const lines: Array<Record<string, unknown>> = [{ status: "pulling manifest" }];
  for (const [hex, total] of layers) {
    const status = `pulling ${hex.slice(0, 12)}`;
    const digestField = `sha256:${hex}`;
    lines.push({ status, digest: digestField });
    for (const part of [0.25, 0.5, 0.75, 1]) {
      lines.push({ status, digest: digestField, total, completed: Math.round(total * part) });
    }
  }
  lines.push({ status: "verifying sha256 digest" }, { status: "writing manifest" }, { status: "success" });
  return lines;
}

/** Serves POST /api/pull. */
export function servePull(ex: Exchange, raw: unknown, state: ServerState): Promise<void> | void {
  const body = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const name = typeof body.model === "string" && body.model ? body.model : typeof body.name === "string" ? body.name : "";
  if (!name) return ex.send(400, goJson({ error: "model is required" }), JSON_TYPE);
  const { pullScript, models } = state.options;
  const scripted = pullScript[name] ?? pullScript[normalizeName(name)];
  const known = findModel(models, name);
  const lines = scripted ?? (known ? generated(known.digest, known.size) : undefined);
  const failed = !lines || lines.some((l) => "error" in l);
  if (body.stream === false) {
    if (failed) {
      const message = lines?.find((l) => "error" in l)?.error ?? UNKNOWN;
      return ex.send(500, goJson({ error: message }), JSON_TYPE);
    }
    return ex.send(200, goJson({ status: "success" }), JSON_TYPE);
  }
  const out = lines ?? [{ status: "pulling manifest" }, { error: UNKNOWN }];
  return ex.stream(200, NDJSON_TYPE, out.map((l) => goJson(l) + "\n"));
}
