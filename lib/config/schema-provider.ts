/**
 * `models.providers.<id>` and its `models[]`, field for field as OpenClaw 2026.9.6 accepts them
 * (src/config/zod-schema.core.ts: ModelProviderSchema, ModelDefinitionSchema, the `request` overrides).
 * oclaw honours the fields a client needs and accepts the rest untouched.
 */
import { z } from "../zod.ts";
import { SecretInputSchema } from "./schema-secret.ts";
import { suggestKey } from "./suggest.ts";

export { SUPPORTED_APIS } from "./apis.ts";

/** Every `api` OpenClaw accepts (its MODEL_APIS); oclaw speaks two of them. */
export const OPENCLAW_APIS = [
  "openai-completions",
  "openai-responses",
  "openai-chatgpt-responses",
  "anthropic-messages",
  "google-generative-ai",
  "google-vertex",
  "github-copilot",
  "bedrock-converse-stream",
  "ollama",
  "pi-messages",
  "azure-openai-responses",
] as const;

// The provider ids OpenClaw bundles (its BUILT_IN_MODEL_PROVIDER_OVERLAY_IDS): only these may leave out
// baseUrl and models; any other id is a custom provider and needs both.
const BUNDLED_PROVIDER_IDS = new Set(
  ("amazon-bedrock amazon-bedrock-mantle anthropic anthropic-vertex arcee azure-openai-responses byteplus byteplus-plan " +
    "cerebras chutes claude-cli clawrouter cloudflare-ai-gateway codex comfy copilot-proxy dashscope deepinfra deepseek " +
    "fal fireworks github-copilot gmi gmi-cloud gmicloud google google-antigravity google-gemini-cli google-vertex groq " +
    "huggingface kilocode kimi kimi-coding litellm lmstudio meta microsoft-foundry minimax minimax-portal mistral " +
    "modelstudio moonshot moonshot-ai moonshotai nvidia novita novita-ai novitaai ollama ollama-cloud openai opencode " +
    "opencode-go openrouter qianfan qwen qwen-token-plan qwencloud sglang stepfun stepfun-plan synthetic " +
    "tencent-tokenhub tencent-tokenplan together venice vercel-ai-gateway vllm volcengine volcengine-plan vydra x-ai " +
    "xai xiaomi xiaomi-token-plan z.ai z-ai zai").split(" "),
);

/** True for a provider id OpenClaw bundles (it may then leave out baseUrl and models). */
export function isBundledProviderId(id: string): boolean {
  return BUNDLED_PROVIDER_IDS.has(id.trim().toLowerCase());
}

/** One of OpenClaw's APIs. */
export type OpenClawApi = typeof OPENCLAW_APIS[number];

// OpenClaw's enum, with oclaw's "did you mean" for a near miss.
const ApiSchema = z.string().superRefine((value, ctx) => {
  if ((OPENCLAW_APIS as readonly string[]).includes(value)) return;
  const near = suggestKey(value, OPENCLAW_APIS);
  ctx.addIssue({
    code: "custom",
    message: near === undefined
      ? `unknown api '${value}' (one of ${OPENCLAW_APIS.join(", ")})`
      : `unknown api '${value}' (did you mean ${near}?)`,
  });
});

/** `params`: the Ollama options oclaw interprets, typed; any other option passed through. */
export const ParamsSchema = z.looseObject({
  streaming: z.boolean().optional(),
  num_ctx: z.number().int().positive().optional(),
  temperature: z.number().optional(),
  keep_alive: z.union([z.string(), z.number()]).optional(),
  think: z.union([z.boolean(), z.enum(["low", "medium", "high", "max"])]).optional(),
});

const TierSchema = z.strictObject({
  input: z.number(),
  output: z.number(),
  cacheRead: z.number(),
  cacheWrite: z.number(),
  range: z.union([z.tuple([z.number(), z.number()]), z.tuple([z.number()])]),
});

/** `cost` of a model entry. */
export const CostSchema = z.strictObject({
  input: z.number().optional(),
  output: z.number().optional(),
  cacheRead: z.number().optional(),
  cacheWrite: z.number().optional(),
  tieredPricing: z.array(TierSchema).optional(),
});

const AgentRuntimeSchema = z.strictObject({ id: z.string().optional() });

const ThinkingLevelMapSchema = z.strictObject(Object.fromEntries(
  ["off", "minimal", "low", "medium", "high", "xhigh", "max"].map((level) => [level, z.string().nullable().optional()]),
));

const MediaInputSchema = z.strictObject({
  image: z.strictObject({
    maxBytes: z.number().int().positive().optional(),
    maxPixels: z.number().int().positive().optional(),
    maxSidePx: z.number().int().positive().optional(),
    preferredSidePx: z.number().int().positive().optional(),
    tokenMode: z.enum(["tile", "detail", "provider"]).optional(),
  }).optional(),
});

// OpenClaw checks `compat` field by field (ModelCompatSchema); oclaw reads only supportsTools and passes
// the rest through, so a compat flag added in a later OpenClaw does not make the file invalid here.
const CompatSchema = z.looseObject({ supportsTools: z.boolean().optional() });

/** One entry of `models.providers.<id>.models`. */
export const ModelEntrySchema = z.strictObject({
  id: z.string().min(1),
  // OpenClaw requires it; oclaw reports a missing one (schema.ts) but reads the entry with name = id.
  name: z.string().min(1).optional(),
  api: ApiSchema.optional(),
  baseUrl: z.string().min(1).optional(),
  reasoning: z.boolean().optional(),
  input: z.array(z.enum(["text", "image", "video", "audio"])).optional(),
  cost: CostSchema.optional(),
  contextWindow: z.number().positive().optional(),
  contextTokens: z.number().int().positive().optional(),
  maxTokens: z.number().positive().optional(),
  thinkingLevelMap: ThinkingLevelMapSchema.optional(),
  params: ParamsSchema.optional(),
  agentRuntime: AgentRuntimeSchema.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  compat: CompatSchema.optional(),
  mediaInput: MediaInputSchema.optional(),
  metadataSource: z.literal("models-add").optional(),
});

/** `request.tls` (and `request.proxy.tls`): PEM text or SecretRefs to it. */
export const TlsSchema = z.strictObject({
  ca: SecretInputSchema.optional(),
  cert: SecretInputSchema.optional(),
  key: SecretInputSchema.optional(),
  passphrase: SecretInputSchema.optional(),
  serverName: z.string().optional(),
  insecureSkipVerify: z.boolean().optional(),
});

const AuthSchema = z.union([
  z.strictObject({ mode: z.literal("provider-default") }),
  z.strictObject({ mode: z.literal("authorization-bearer"), token: SecretInputSchema }),
  z.strictObject({
    mode: z.literal("header"),
    headerName: z.string().min(1),
    value: SecretInputSchema,
    prefix: z.string().optional(),
  }),
]);

const ProxySchema = z.union([
  z.strictObject({ mode: z.literal("env-proxy"), tls: TlsSchema.optional() }),
  z.strictObject({ mode: z.literal("explicit-proxy"), url: z.string().min(1), tls: TlsSchema.optional() }),
]);

/** `models.providers.<id>.request`: transport overrides. */
export const RequestSchema = z.strictObject({
  headers: z.record(z.string(), SecretInputSchema).optional(),
  auth: AuthSchema.optional(),
  proxy: ProxySchema.optional(),
  tls: TlsSchema.optional(),
  allowPrivateNetwork: z.boolean().optional(),
});

const LocalServiceSchema = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  healthUrl: z.string().min(1).optional(),
  readyTimeoutMs: z.number().int().positive().optional(),
  idleStopMs: z.number().int().nonnegative().optional(),
});

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** `models.providers.<id>`. */
export const ProviderSchema = z.strictObject({
  baseUrl: z.string().refine((v) => v.trim() === "" || isHttpUrl(v), { message: "expected an http:// or https:// URL" })
    .optional(),
  apiKey: SecretInputSchema.optional(),
  auth: z.enum(["api-key", "aws-sdk", "oauth", "token"]).optional(),
  api: ApiSchema.optional(),
  maxTokens: z.number().positive().optional(),
  timeoutSeconds: z.number().int().positive().optional(),
  region: z.string().min(1).optional(),
  injectNumCtxForOpenAICompat: z.boolean().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  agentRuntime: AgentRuntimeSchema.optional(),
  localService: LocalServiceSchema.optional(),
  headers: z.record(z.string(), SecretInputSchema).optional(),
  authHeader: z.boolean().optional(),
  request: RequestSchema.optional(),
  models: z.array(ModelEntrySchema).optional(),
  // Older forms OpenClaw still loads and migrates into the model entries (a warning there, not an error).
  contextTokens: z.number().int().positive().optional(),
  contextWindow: z.number().positive().optional(),
});

/** A provider entry's type. */
export type ProviderConfig = z.infer<typeof ProviderSchema>;
/** A model entry's type. */
export type ModelConfig = z.infer<typeof ModelEntrySchema>;
/** A `request.tls` block's type. */
export type TlsConfig = z.infer<typeof TlsSchema>;
