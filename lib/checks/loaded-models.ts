/**
 * What `GET /api/ps` says about the models Ollama has in memory: how much of each runs on the CPU (the
 * cause of 60–730 s replies on a VPS) and how much context Ollama really allocated, compared with what
 * oclaw expects the model to take.
 */
import { providerHeaders, providerTransport } from "../catalog/provider-headers.ts";
import type { CatalogModel, ModelSelection } from "../catalog/types.ts";
import { fetchJson, ollamaApi, type PsEntry } from "../catalog/ollama-api.ts";
import type { HttpContext } from "../http/context.ts";
import type { Provider } from "../catalog/types.ts";
import { sameModelId } from "../catalog/selection.ts";
import { explicitContext } from "../catalog/context.ts";
import { check, type CheckResult } from "./types.ts";
import { acceptPs } from "../catalog/answer-checks.ts";

/** Time for the `/api/ps` answer once connected. */
const PS_TIMEOUT_MS = 10_000;

/** `GET /api/ps`: the loaded models. */
export async function loadedModels(http: HttpContext, provider: Provider, signal?: AbortSignal): Promise<PsEntry[]> {
  const ps = await fetchJson(http, `${provider.baseUrl}/api/ps`, () => ollamaApi().ps, {
    accept: acceptPs,
    signal,
    timeoutMs: PS_TIMEOUT_MS,
    headers: providerHeaders(provider),
    transport: providerTransport(provider),
  });
  return ps.models;
}


/** Percent of a loaded model held in system memory (run by the CPU), as `ollama ps` computes it. */
export function cpuPercent(entry: Pick<PsEntry, "size" | "size_vram">): number | undefined {
  const size = entry.size;
  if (size === undefined || size <= 0) return undefined;
  const vram = entry.size_vram ?? 0;
  if (vram <= 0) return 100;
  if (vram >= size) return 0;
  return Math.round(((size - vram) / size) * 100);
}

/** `size_vram / size`, three decimals; undefined when the size is unknown. */
export function gpuRatio(entry: Pick<PsEntry, "size" | "size_vram">): number | undefined {
  if (entry.size === undefined || entry.size <= 0) return undefined;
  const ratio = Math.min(1, Math.max(0, (entry.size_vram ?? 0) / entry.size));
  return Math.round(ratio * 1000) / 1000;
}

/** Whole seconds from `now` until `expires_at` (never negative); undefined without a parsable time. */
export function secondsUntil(expiresAt: string | undefined, wallClockMs: number): number | undefined {
  if (expiresAt === undefined) return undefined;
  const at = Date.parse(expiresAt);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - wallClockMs) / 1000));
}

/** `ollama ps`'s PROCESSOR column: "100% CPU", "100% GPU", "48%/52% CPU/GPU". */
export function processorLabel(percentCpu: number): string {
  if (percentCpu >= 100) return "100% CPU";
  if (percentCpu <= 0) return "100% GPU";
  return `${percentCpu}%/${100 - percentCpu}% CPU/GPU`;
}

/** The CPU check of one provider's loaded models. */
export function cpuCheck(provider: string, loaded: PsEntry[], selection: ModelSelection): CheckResult {
  if (loaded.length === 0) {
    return check("cpu", "ok", "No model is loaded right now (Ollama loads one on its first request)", { provider });
  }
  const onCpu = loaded
    .map((entry) => ({ entry, cpu: cpuPercent(entry) }))
    .filter((x): x is { entry: PsEntry; cpu: number } => x.cpu !== undefined && x.cpu > 0);
  const describe = (list: Array<{ entry: PsEntry; cpu: number }>) =>
    list.map(({ entry, cpu }) => `${provider}/${entry.name} ${processorLabel(cpu)}`).join(", ");
  if (onCpu.length === 0) {
    return check("cpu", "ok", `Loaded on the GPU: ${loaded.map((e) => `${provider}/${e.name}`).join(", ")}`, {
      provider,
    });
  }
  const primary = selection.primary;
  const isPrimary = (entry: PsEntry) => primary !== undefined && isRef(primary, provider, entry.name);
  const example = "llama3.2:3b";
  const steps = [
    "Replies from a model running on the CPU take minutes (60–730 s per answer is common on a VPS).",
    `Use a model that fits in GPU memory ('ollama pull ${example}'), or give Ollama a GPU ('nvidia-smi' must ` +
    "list it; 'journalctl -u ollama' says why Ollama did not use it).",
  ];
  if (onCpu.some(({ entry }) => isPrimary(entry))) {
    steps.push(`Then make the smaller model the primary: oclaw config set agents.defaults.model.primary ${provider}/${example}`);
  } else if (loaded.some(isPrimary)) {
    // The primary is loaded, on the GPU: the CPU one is another model sharing the memory.
    const others = onCpu.map(({ entry }) => entry.name);
    steps.push(`Your primary (${primary}) is on the GPU; ${others.join(", ")} ${others.length === 1 ? "is" : "are"} ` +
      `another model: 'ollama stop ${others[0]}' frees the memory if nothing needs it.`);
  } else {
    steps.push(`The loaded model is not your configured primary${primary === undefined ? " (none is set)" : ` (${primary})`}: ` +
      `set the one you mean explicitly: oclaw config set agents.defaults.model.primary ${provider}/<model>`);
  }
  return check("cpu", "warn", `Loaded on the CPU: ${describe(onCpu)}`, { provider, fix: steps.join(" ") });
}

function isRef(ref: string, provider: string, name: string): boolean {
  const slash = ref.indexOf("/");
  const p = slash === -1 ? "ollama" : ref.slice(0, slash);
  const id = slash === -1 ? ref : ref.slice(slash + 1);
  return p === provider && sameModelId(id, name);
}

/**
 * The context check. A loaded model's allocated context (`/api/ps` `context_length`, Ollama 0.10+) is
 * compared only with a context the config asks for explicitly (`params.num_ctx`, `contextTokens`, a written
 * `contextWindow`): without one, the server's own choice (its VRAM tier, OLLAMA_CONTEXT_LENGTH, the
 * Modelfile) is right by definition, and suggesting the trained window invites out-of-memory loads.
 * Models without an explicit value are just reported.
 */
export function contextCheck(
  provider: string,
  loaded: PsEntry[],
  models: CatalogModel[],
  configData: Record<string, unknown> = {},
): CheckResult | undefined {
  const short: string[] = [];
  const fixes: string[] = [];
  const reported: string[] = [];
  for (const entry of loaded) {
    const allocated = entry.context_length;
    if (allocated === undefined || allocated <= 0) continue;
    const model = models.find((m) => m.provider === provider && sameModelId(m.id, entry.name));
    const explicit = model === undefined ? undefined : explicitContext(model, configData);
    if (model === undefined || explicit === undefined || explicit.tokens === undefined) {
      reported.push(`${provider}/${entry.name} ${allocated}`);
      continue;
    }
    const expected = explicit.tokens;
    if (allocated >= expected) {
      reported.push(`${model.ref} ${allocated}`);
      continue;
    }
    const from = explicit.source === "num_ctx" ? "params.num_ctx" : explicit.source;
    short.push(`${model.ref} has ${allocated} tokens of context allocated, ${from} says ${expected}`);
    // oclaw sends the explicit value as num_ctx, so its own requests get it; another client loaded the
    // model with less (or the model's trained context is smaller).
    fixes.push(
      `${model.ref} was loaded by a client that asked for less (or its trained context is smaller): its next ` +
        `request from oclaw reloads it with ${expected}; to give every client that much, start Ollama with ` +
        `OLLAMA_CONTEXT_LENGTH=${expected} ('sudo systemctl edit ollama', Environment="OLLAMA_CONTEXT_LENGTH=${expected}"); ` +
        `on a host short of memory, lower its ${from} to ${allocated} instead`,
    );
  }
  if (short.length > 0) {
    return check("context", "warn", `${short.join("; ")}: longer prompts are cut without an error`, {
      provider,
      // One sentence: the fixes after the first continue it in lower case.
      fix: fixes.map((f, i) => (i === 0 ? f : f[0]!.toLowerCase() + f.slice(1))).join("; "),
    });
  }
  if (reported.length === 0) return undefined;
  return check("context", "ok", `Context allocated (tokens): ${reported.join(", ")}`, { provider });
}
