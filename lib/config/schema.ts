/**
 * The config schema, as strict as OpenClaw's own where oclaw looks: the root's key names, `models`,
 * `models.providers.*`, `agents.defaults.model(s)`, `secrets` and the Ollama plugin's config (typos there are
 * errors with a "did you mean" hint). Everything under the other root keys is passed through untouched.
 */
import { z } from "../zod.ts";
import type { KeySegment } from "./key-path.ts";
import { CostSchema, isBundledProviderId, ModelEntrySchema, ParamsSchema, ProviderSchema, RequestSchema, TlsSchema } from "./schema-provider.ts";
import { SecretsSchema } from "./schema-secret.ts";
import { suggestKey } from "./suggest.ts";

export { ParamsSchema, SUPPORTED_APIS } from "./schema-provider.ts";

const RefSchema = z.string().min(1).refine((ref) => {
  const slash = ref.indexOf("/");
  return slash !== 0 && slash !== ref.length - 1;
}, { message: "expected a model reference like ollama/llama3.2:3b" });

/** `agents.defaults.model`: `"provider/id"` or `{ primary, fallbacks }`. */
export const ModelSelectionSchema = z.union([
  RefSchema,
  z.strictObject({ primary: RefSchema.optional(), fallbacks: z.array(RefSchema).optional() }),
], { error: 'expected "provider/id" or { primary, fallbacks: [...] }' });

/** One entry of `agents.defaults.models` (OpenClaw's AgentModelRuntimeEntrySchema). */
export const AgentModelEntrySchema = z.strictObject({
  alias: z.string().optional(),
  params: ParamsSchema.optional(),
  agentRuntime: z.strictObject({ id: z.string().optional() }).optional(),
  pickerRuntimes: z.array(z.string()).max(8).optional(),
  codeMode: z.boolean().optional(),
  streaming: z.boolean().optional(),
});

/** The root keys OpenClaw 2026.9.6 accepts (its root object is strict: anything else stops it from starting). */
export const ROOT_KEYS = [
  "$schema", "meta", "env", "wizard", "diagnostics", "logging", "update", "telemetry", "browser", "ui", "secrets",
  "auth", "accessGroups", "acp", "models", "nodeHost", "agents", "worktreeRoot", "worktreeAcceleration", "tools",
  "security", "bindings", "broadcast", "attachments", "messages", "tts", "commands", "approvals", "session", "cron",
  "transcripts", "hooks", "channels", "discovery", "talk", "gateway", "cloudWorkers", "desktop", "memory", "mcp",
  "skills", "plugins", "surfaces", "proxy",
  // Not OpenClaw's: `$include` is resolved before the schema sees the file.
  "$include",
] as const;

/** `plugins.entries.ollama.config`, as the Ollama plugin's manifest (openclaw.plugin.json) declares it. */
export const OllamaPluginConfigSchema = z.strictObject({
  discovery: z.strictObject({ enabled: z.boolean().optional() }).optional(),
  nodeInference: z.strictObject({ enabled: z.boolean().optional() }).optional(),
  webSearch: z.strictObject({ baseUrl: z.string().optional() }).optional(),
});

const rootShape = Object.fromEntries(ROOT_KEYS.map((key) => [key, z.unknown().optional()])) as Record<
  typeof ROOT_KEYS[number],
  z.ZodOptional<z.ZodUnknown>
>;

/** The whole config: the root's keys, and oclaw's subtrees field by field. */
export const ConfigSchema = z.strictObject({
  ...rootShape,
  secrets: SecretsSchema.optional(),
  models: z.strictObject({
    mode: z.enum(["merge", "replace"]).optional(),
    providers: z.record(z.string(), ProviderSchema).optional(),
    catalogRefresh: z.strictObject({ enabled: z.boolean().optional(), url: z.string().optional() }).optional(),
  }).optional(),
  agents: z.strictObject({
    ownership: z.unknown().optional(),
    defaults: z.looseObject({
      model: ModelSelectionSchema.optional(),
      models: z.record(z.string(), AgentModelEntrySchema).optional(),
    }).optional(),
    entries: z.unknown().optional(),
    // The older list form OpenClaw still loads (it moves it to `entries`).
    list: z.array(z.unknown()).optional(),
  }).optional(),
  plugins: z.looseObject({
    entries: z.record(z.string(), z.unknown()).optional(),
  }).optional(),
});

/** The validated config's type (oclaw's subtrees typed, the rest unknown). */
export type ConfigData = z.infer<typeof ConfigSchema>;

/** One thing wrong with a config. */
export interface ConfigProblem {
  path: KeySegment[];
  message: string;
  hint?: string;
  /**
   * A key only OpenClaw cares about (an unknown root key): `config validate` reports it and `config set`
   * refuses to add it, but other commands read the file without complaint.
   */
  openclawOnly?: true;
}

/** Checks a config (after `$include` and `${VAR}`) and returns every problem found, in document order. */
export function validateConfig(data: unknown): ConfigProblem[] {
  const result = ConfigSchema.safeParse(data);
  const problems: ConfigProblem[] = [];
  if (!result.success) for (const issue of result.error.issues) problems.push(...toProblems(issue));
  problems.push(...semanticProblems(data));
  return problems;
}

type Issue = z.core.$ZodIssue;

function toProblems(issue: Issue): ConfigProblem[] {
  const at = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    const known = knownKeys(at);
    return issue.keys.map((key) => {
      const near = suggestKey(key, known);
      const fix = fixFor(at, key);
      const problem: ConfigProblem = { path: [...at, key], message: `unknown key '${key}'` };
      if (at.length === 0) {
        problem.message += " (OpenClaw refuses to start with it)";
        problem.openclawOnly = true;
      }
      if (fix !== undefined) problem.hint = fix;
      else if (near !== undefined) problem.hint = `did you mean ${near}?`;
      else if (known.length > 0 && known.length <= 20) problem.hint = `known keys: ${known.join(", ")}`;
      return problem;
    });
  }
  if (issue.code === "invalid_union") {
    // Report the branch whose type matched (an object with a typo), not "matches no branch".
    const branch = issue.errors.find((list) =>
      list.length > 0 && list.every((i) => !(i.code === "invalid_type" && i.path.length === 0))
    );
    if (branch) {
      return branch.flatMap((inner) => toProblems({ ...inner, path: [...issue.path, ...inner.path] } as Issue));
    }
  }
  return [{ path: at, message: describe(issue) }];
}

function describe(issue: Issue): string {
  const message = issue.message.replace(/^Invalid input: /, "");
  if (issue.code === "invalid_value" && "values" in issue) {
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  return message;
}

// Root keys people write from the Ollama doc's troubleshooting steps or other tools, and what OpenClaw wants.
const ROOT_KEY_FIXES: Record<string, string> = {
  provider: "OpenClaw has no root 'provider': models.providers.ollama (or OLLAMA_API_KEY) is what turns the " +
    "Ollama provider on, e.g. oclaw config set models.providers.ollama.apiKey ollama-local",
  model: "set the model in agents.defaults.model.primary (e.g. ollama/llama3.2:3b)",
  defaultModel: "set the model in agents.defaults.model.primary (e.g. ollama/llama3.2:3b)",
  apiKey: "set models.providers.ollama.apiKey (or export OLLAMA_API_KEY)",
  baseUrl: "set models.providers.ollama.baseUrl",
  ollama: "the Ollama provider's settings go under models.providers.ollama",
  providers: "providers go under models.providers",
};

/** What to set instead of an unknown key at `at`, when oclaw knows. */
function fixFor(at: KeySegment[], key: string): string | undefined {
  if (at.length === 0) return ROOT_KEY_FIXES[key];
  if (at.length === 1 && at[0] === "models" && (key === "pricing" || key === "ollamaDiscovery")) {
    return key === "pricing"
      ? "OpenClaw retired models.pricing (pricing ships with its catalogue): remove it"
      : "discovery is switched by plugins.entries.ollama.config.discovery.enabled";
  }
  return undefined;
}

/** The keys a strict object at `at` allows, for suggestions. */
function knownKeys(at: KeySegment[]): string[] {
  const names = at.filter((s): s is string => typeof s === "string");
  const last = at[at.length - 1];
  const inModelList = at.length >= 2 && typeof last === "number" && at[at.length - 2] === "models";
  if (at.length === 0) return ROOT_KEYS.filter((k) => k !== "$include");
  if (at.length === 1 && last === "models") return ["mode", "providers", "catalogRefresh"];
  if (at.length === 1 && last === "agents") return ["defaults", "entries", "ownership"];
  if (names[0] === "agents" && last === "model") return ["primary", "fallbacks"];
  if (names[0] === "agents" && names[2] === "models" && at.length === 4) return Object.keys(AgentModelEntrySchema.shape);
  if (last === "cost") return Object.keys(CostSchema.shape);
  if (last === "tls") return Object.keys(TlsSchema.shape);
  if (last === "request") return Object.keys(RequestSchema.shape);
  if (inModelList) return Object.keys(ModelEntrySchema.shape);
  if (names[0] === "models" && names[1] === "providers" && at.length === 3) return Object.keys(ProviderSchema.shape);
  if (names[0] === "plugins") return Object.keys(OllamaPluginConfigSchema.shape);
  return [];
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}

// Checks that span keys; run on the raw data so `validate` lists them beside the schema's problems.
function semanticProblems(data: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const ollamaPlugin = asRecord(asRecord(asRecord(asRecord(data)?.plugins)?.entries)?.ollama);
  if (ollamaPlugin?.config !== undefined) {
    const checked = OllamaPluginConfigSchema.safeParse(ollamaPlugin.config);
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        problems.push(...toProblems({ ...issue, path: ["plugins", "entries", "ollama", "config", ...issue.path] } as Issue));
      }
    }
  }
  const providers = asRecord(asRecord(asRecord(data)?.models)?.providers) ?? {};
  for (const [id, value] of Object.entries(providers)) {
    const provider = asRecord(value);
    if (provider === undefined) continue;
    if (id.includes("/") || id.trim() === "") {
      problems.push({ path: ["models", "providers", id], message: "a provider id cannot be empty or contain '/'" });
    }
    if (!isBundledProviderId(id) && !Array.isArray(provider.models)) {
      problems.push({
        path: ["models", "providers", id, "models"],
        message: "OpenClaw refuses a custom provider without a models list (it discovers for bundled ids like ollama only)",
        hint: `list them: oclaw models discover --provider ${id} --base-url URL --write`,
        openclawOnly: true,
      });
    }
    if (id !== "ollama" && (typeof provider.baseUrl !== "string" || provider.baseUrl.trim() === "")) {
      problems.push({
        path: ["models", "providers", id, "baseUrl"],
        message: `required for provider '${id}'`,
        hint: "set it, e.g. http://127.0.0.1:8000/v1",
      });
    }
    const seen = new Set<unknown>();
    const models = Array.isArray(provider.models) ? provider.models : [];
    for (const [i, model] of models.entries()) {
      const modelId = asRecord(model)?.id;
      if (typeof modelId !== "string") continue;
      if (asRecord(model)?.name === undefined) {
        problems.push({
          path: ["models", "providers", id, "models", i, "name"],
          message: "missing: OpenClaw requires a name for every model entry",
          hint: `set it, e.g. name: "${modelId}"`,
          openclawOnly: true,
        });
      }
      if (seen.has(modelId)) {
        problems.push({ path: ["models", "providers", id, "models", i, "id"], message: `duplicate model id '${modelId}'` });
      }
      seen.add(modelId);
    }
  }
  return problems;
}
