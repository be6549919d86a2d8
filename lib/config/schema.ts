/**
 * The config schema. Strict inside `models.providers.*` and `agents.defaults.model` (typos there are errors
 * with a "did you mean" hint); every other key of OpenClaw's config is passed through untouched.
 */
import { z } from "../zod.ts";
import type { KeySegment } from "./key-path.ts";
import { suggestKey } from "./suggest.ts";

/** The wire protocols oclaw speaks. */
export const SUPPORTED_APIS = ["ollama", "openai-completions"] as const;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

// OpenClaw knows more APIs (anthropic-messages, ...): such providers are valid config that oclaw skips.
// A near miss of one oclaw speaks is a typo, though.
const ApiSchema = z.string().min(1).superRefine((value, ctx) => {
  if ((SUPPORTED_APIS as readonly string[]).includes(value)) return;
  const near = suggestKey(value, SUPPORTED_APIS);
  if (near !== undefined) ctx.addIssue({ code: "custom", message: `unknown api '${value}' (did you mean ${near}?)` });
});

const RefSchema = z.string().min(1).refine((ref) => {
  const slash = ref.indexOf("/");
  return slash !== 0 && slash !== ref.length - 1;
}, { message: "expected a model reference like ollama/llama3.2:3b" });

const CostSchema = z.strictObject({
  input: z.number().nonnegative().optional(),
  output: z.number().nonnegative().optional(),
  cacheRead: z.number().nonnegative().optional(),
  cacheWrite: z.number().nonnegative().optional(),
});

/** `params`: the Ollama options oclaw interprets, typed; any other option passed through. */
export const ParamsSchema = z.looseObject({
  streaming: z.boolean().optional(),
  num_ctx: z.number().int().positive().optional(),
  temperature: z.number().optional(),
  keep_alive: z.union([z.string(), z.number()]).optional(),
  think: z.union([z.boolean(), z.enum(["low", "medium", "high", "max"])]).optional(),
});

/** One entry of `models.providers.<id>.models`. */
export const ModelEntrySchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  api: ApiSchema.optional(),
  reasoning: z.boolean().optional(),
  input: z.array(z.enum(["text", "image"])).optional(),
  cost: CostSchema.optional(),
  contextWindow: z.number().int().positive().optional(),
  maxTokens: z.number().int().positive().optional(),
  params: ParamsSchema.optional(),
  // OpenClaw's own keys: accepted, not used by oclaw.
  headers: z.record(z.string(), z.string()).optional(),
  compat: z.record(z.string(), z.unknown()).optional(),
});

/** `models.providers.<id>`. */
export const ProviderSchema = z.strictObject({
  baseUrl: z.string().min(1).refine(isHttpUrl, { message: "expected an http:// or https:// URL" }).optional(),
  apiKey: z.string().optional(),
  api: ApiSchema.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeoutSeconds: z.number().positive().optional(),
  models: z.array(ModelEntrySchema).optional(),
  // OpenClaw's own keys: accepted, not used by oclaw.
  auth: z.string().optional(),
  authHeader: z.boolean().optional(),
});

/** `agents.defaults.model`: `"provider/id"` or `{ primary, fallbacks }`. */
export const ModelSelectionSchema = z.union([
  RefSchema,
  z.strictObject({ primary: RefSchema.optional(), fallbacks: z.array(RefSchema).optional() }),
], { error: 'expected "provider/id" or { primary, fallbacks: [...] }' });

/** The whole config: only oclaw's subtrees are checked. */
export const ConfigSchema = z.looseObject({
  models: z.looseObject({
    providers: z.record(z.string(), ProviderSchema).optional(),
  }).optional(),
  agents: z.looseObject({
    defaults: z.looseObject({
      model: ModelSelectionSchema.optional(),
      models: z.record(z.string(), z.looseObject({ params: ParamsSchema.optional() })).optional(),
    }).optional(),
  }).optional(),
});

/** The validated config's type (oclaw's subtrees typed, the rest unknown). */
export type ConfigData = z.infer<typeof ConfigSchema>;

/** One thing wrong with a config. */
export interface ConfigProblem {
  path: KeySegment[];
  message: string;
  hint?: string;
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
      const problem: ConfigProblem = { path: [...at, key], message: `unknown key '${key}'` };
      if (near !== undefined) problem.hint = `did you mean ${near}?`;
      else if (known.length > 0) problem.hint = `known keys: ${known.join(", ")}`;
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

/** The keys a strict object at `at` allows, for suggestions. */
function knownKeys(at: KeySegment[]): string[] {
  const names = at.filter((s): s is string => typeof s === "string");
  const inModelList = at.length >= 2 && typeof at[at.length - 1] === "number" && at[at.length - 2] === "models";
  if (names[0] === "agents" && names.at(-1) === "model") return ["primary", "fallbacks"];
  if (names.at(-1) === "cost") return Object.keys(CostSchema.shape);
  if (inModelList) return Object.keys(ModelEntrySchema.shape);
  if (names[0] === "models" && names[1] === "providers" && at.length === 3) return Object.keys(ProviderSchema.shape);
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
  const providers = asRecord(asRecord(asRecord(data)?.models)?.providers) ?? {};
  for (const [id, value] of Object.entries(providers)) {
    const provider = asRecord(value);
    if (provider === undefined) continue;
    if (id.includes("/") || id.trim() === "") {
      problems.push({ path: ["models", "providers", id], message: "a provider id cannot be empty or contain '/'" });
    }
    if (id !== "ollama" && provider.baseUrl === undefined) {
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
      if (seen.has(modelId)) {
        problems.push({ path: ["models", "providers", id, "models", i, "id"], message: `duplicate model id '${modelId}'` });
      }
      seen.add(modelId);
    }
  }
  return problems;
}
