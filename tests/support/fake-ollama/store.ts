/**
 * The fake server's model store: the fixture file, synthetic stores for scale tests, name resolution
 * and the bodies of /api/tags, /api/show, /api/ps and /v1/models built from it.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { effectiveContext } from "./context.ts";
import type { FakeModel, FakeOllamaOptions, PsEntry } from "./types.ts";
import { atLeast } from "./version.ts";

const FIXTURE = fileURLToPath(new URL("../../fixtures/models.json", import.meta.url));

/** The default store: tests/fixtures/models.json (a fresh copy on every call). */
export function fixtureModels(): FakeModel[] {
  return (JSON.parse(readFileSync(FIXTURE, "utf8")) as { models: FakeModel[] }).models;
}

/** One fixture model by name (a fresh copy). @throws when the fixture has no such model */
export function fixtureModel(name: string): FakeModel {
  const model = fixtureModels().find((m) => m.name === name);
  if (!model) throw new Error(`No model ${name} in tests/fixtures/models.json`);
  return model;
}

/**
 * N synthetic tools models (`synth-000:7b` ...) with distinct digests, architectures cycling over
 * llama/qwen2/mistral and context lengths 4096 × (1..8), for discovery at scale.
 */
export function syntheticModels(count: number): FakeModel[] {
  const arches = ["llama", "qwen2", "mistral"];
  return Array.from({ length: count }, (_, i) => {
    const arch = arches[i % arches.length]!;
    const hex = (i + 1).toString(16).padStart(8, "0");
    return {
      name: `synth-${String(i).padStart(3, "0")}:7b`,
      modified_at: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString().replace(".000Z", "Z"),
      size: 4_000_000_000 + i,
      digest: hex.repeat(8),
      details: {
        parent_model: "",
        format: "gguf",
        family: arch,
        families: [arch],
        parameter_size: "7.2B",
        quantization_level: "Q4_K_M",
      },
      model_info: {
        "general.architecture": arch,
        "general.parameter_count": 7_241_732_096,
        [`${arch}.context_length`]: 4096 * ((i % 8) + 1),
        [`${arch}.embedding_length`]: 4096,
      },
      parameters: { temperature: 0.7 },
      template: "{{ .Prompt }}",
      capabilities: ["completion", "tools"],
    };
  });
}

/** Ollama's short-name rule: `registry.ollama.ai/library/` dropped, `:latest` added when untagged. */
export function normalizeName(name: string): string {
  let n = name.trim().toLowerCase().replace(/^registry\.ollama\.ai\/library\//, "");
  if (!n.slice(n.lastIndexOf("/") + 1).includes(":")) n += ":latest";
  return n;
}

/** The full registry name Ollama puts in capability errors: `registry.ollama.ai/library/gemma:2b`. */
export function fullName(name: string): string {
  const short = normalizeName(name);
  return short.includes("/") ? `registry.ollama.ai/${short}` : `registry.ollama.ai/library/${short}`;
}

/** Finds a store model by a request string (case-insensitive, `:latest` implied). */
export function findModel(models: FakeModel[], name: string): FakeModel | undefined {
  const wanted = normalizeName(name);
  return models.find((m) => normalizeName(m.name) === wanted);
}

/** Capabilities as a server of `version` reports them (`thinking` only since 0.9.0). */
export function capabilitiesAt(model: FakeModel, version: string): string[] {
  return atLeast(version, "0.9.0") ? model.capabilities : model.capabilities.filter((c) => c !== "thinking");
}

function newestFirst(models: FakeModel[]): FakeModel[] {
  return [...models].sort((a, b) => Date.parse(b.modified_at) - Date.parse(a.modified_at));
}

/**
 * GET /api/tags body: newest first; cloud models carry `remote_model`/`remote_host`, and from 0.30.0 every
 * entry its `capabilities` (api/types.go `ListModelResponse`).
 */
export function tagsBody(models: FakeModel[], version = "0.12.3"): unknown {
  return {
    models: newestFirst(models).map((m) => {
      const entry: Record<string, unknown> = { name: m.name, model: m.name };
      if (m.remoteHost !== undefined) Object.assign(entry, { remote_model: m.name.replace(/-cloud$|:cloud$/, ""), remote_host: m.remoteHost });
      Object.assign(entry, { modified_at: m.modified_at, size: m.size, digest: m.digest, details: m.details });
      if (atLeast(version, "0.30.0")) entry.capabilities = capabilitiesAt(m, version);
      return entry;
    }),
  };
}

/** Go's `%#v` of a Modelfile parameter value: strings quoted, numbers and booleans bare. */
function goValue(v: string | number | boolean): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** The `parameters` string: one line per value, key padded to 30 columns, list values repeated. */
export function parametersText(parameters: FakeModel["parameters"]): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(parameters ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${key.padEnd(30)} ${goValue(v)}`);
  }
  return lines.join("\n");
}

function modelfile(m: FakeModel): string {
  const lines = [
    `# Modelfile generated by "ollama show"`,
    `# To build a new Modelfile based on this, replace FROM with:`,
    `# FROM ${m.name}`,
    ``,
    `FROM /root/.ollama/models/blobs/sha256-${m.digest}`,
  ];
  if (m.template) lines.push(`TEMPLATE """${m.template}"""`);
  if (m.system) lines.push(`SYSTEM """${m.system}"""`);
  for (const line of parametersText(m.parameters).split("\n").filter(Boolean)) {
    lines.push(`PARAMETER ${line.replace(/ +/, " ")}`);
  }
  if (m.license) lines.push(`LICENSE """${m.license}"""`);
  return lines.join("\n") + "\n";
}

/** POST /api/show body for a model, as a server of `version` writes it. */
export function showBody(m: FakeModel, version: string, verbose: boolean): unknown {
  const info: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m.model_info)) {
    info[k] = Array.isArray(v) && v.length > 5 && !verbose ? [] : v;
  }
  const body: Record<string, unknown> = {};
  if (m.license) body.license = m.license;
  body.modelfile = modelfile(m);
  const parameters = parametersText(m.parameters);
  if (parameters) body.parameters = parameters;
  if (m.template) body.template = m.template;
  if (m.system) body.system = m.system;
  body.details = m.details;
  body.model_info = info;
  // `capabilities` exists since v0.6.4.
  if (atLeast(version, "0.6.4")) body.capabilities = capabilitiesAt(m, version);
  body.modified_at = m.modified_at;
  return body;
}

/**
 * GET /api/ps body: the loaded entries, sizes and details from the store; context_length since 0.10.0
 * (api/types.go `ProcessModelResponse`), by default the context the model would get without a request value.
 */
export function psBody(models: FakeModel[], ps: PsEntry[], options: FakeOllamaOptions): unknown {
  const { version } = options;
  const out: unknown[] = [];
  for (const entry of ps) {
    const m = findModel(models, entry.name);
    if (!m) continue;
    const row: Record<string, unknown> = {
      name: m.name,
      model: m.name,
      size: m.size,
      digest: m.digest,
      details: m.details,
      expires_at: entry.expires_at ?? "2025-07-07T20:27:19.184789+02:00",
      size_vram: entry.size_vram ?? m.size,
    };
    if (atLeast(version, "0.10.0")) row.context_length = entry.context_length ?? effectiveContext(m, undefined, options);
    out.push(row);
  }
  return { models: out };
}

/** GET /v1/models body; `data` is null for an empty store (a nil Go slice). */
export function openaiModelsBody(models: FakeModel[]): unknown {
  const data = newestFirst(models).map((m) => ({
    id: m.name,
    object: "model",
    created: Math.floor(Date.parse(m.modified_at) / 1000),
    owned_by: m.name.includes("/") ? m.name.split("/")[0]! : "library",
  }));
  return { object: "list", data: data.length ? data : null };
}
