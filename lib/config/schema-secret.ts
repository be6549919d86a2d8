/**
 * OpenClaw's SecretRef objects (`{source, provider, id}`) and the `secrets` block that names their
 * providers, as OpenClaw 2026.9.6 validates them (src/config/zod-schema.secret-input.ts and
 * zod-schema.core.ts). A secret field takes a plain string or a SecretRef.
 */
import { z } from "../zod.ts";

/** The provider alias a SecretRef names (`default` unless `secrets.defaults` says otherwise). */
export const SECRET_PROVIDER_ALIAS = /^[a-z][a-z0-9_-]{0,63}$/;
/** An environment variable name a SecretRef of source `env` may name. */
export const ENV_REF_ID = /^[A-Z][A-Z0-9_]{0,127}$/;
const EXEC_REF_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,255}$/;
const FILE_REF_SEGMENT = /^(?:[^~]|~0|~1)*$/;

/** True for a file ref id: `value` (singleValue mode) or an absolute JSON pointer. */
export function isFileRefId(id: string): boolean {
  if (id === "value") return true;
  return id.startsWith("/") && id.slice(1).split("/").every((segment) => FILE_REF_SEGMENT.test(segment));
}

/** True for an exec ref id: a safe name without `.`/`..` segments. */
export function isExecRefId(id: string): boolean {
  return EXEC_REF_ID.test(id) && id.split("/").every((segment) => segment !== "." && segment !== "..");
}

const alias = z.string().regex(SECRET_PROVIDER_ALIAS, {
  message: 'expected a provider alias like "default" (lower case, digits, _ or -)',
});

/** `{source: "env"|"file"|"exec"|"store", provider, id}`. */
export const SecretRefSchema = z.discriminatedUnion("source", [
  z.strictObject({
    source: z.literal("env"),
    provider: alias,
    id: z.string().regex(ENV_REF_ID, { message: "expected an environment variable name like OLLAMA_API_KEY" }),
  }),
  z.strictObject({
    source: z.literal("file"),
    provider: alias,
    id: z.string().refine(isFileRefId, { message: 'expected a JSON pointer like "/ollama/apiKey", or "value"' }),
  }),
  z.strictObject({
    source: z.literal("exec"),
    provider: alias,
    id: z.string().refine(isExecRefId, { message: 'expected an id like "vault/ollama/api-key"' }),
  }),
  z.strictObject({
    source: z.literal("store"),
    provider: alias,
    id: z.string().regex(ENV_REF_ID, { message: "expected a name like OLLAMA_API_KEY" }),
  }),
]);

/** A SecretRef as read from config. */
export type SecretRef = z.infer<typeof SecretRefSchema>;

/** A secret field: the value itself, or a SecretRef to it. */
export const SecretInputSchema = z.union([z.string(), SecretRefSchema]);

/** A secret field's type. */
export type SecretInput = z.infer<typeof SecretInputSchema>;

/** True when a config value is a SecretRef object (checked loosely, before the schema). */
export function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const ref = value as Record<string, unknown>;
  return typeof ref.source === "string" && typeof ref.provider === "string" && typeof ref.id === "string";
}

const absolutePath = z.string().min(1).refine((p) => p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p), {
  message: "expected an absolute path",
});
const envName = z.string().regex(ENV_REF_ID);

/** One entry of `secrets.providers`. */
export const SecretProviderSchema = z.union([
  z.strictObject({ source: z.literal("env"), allowlist: z.array(envName).max(256).optional() }),
  z.strictObject({
    source: z.literal("file"),
    path: z.string().min(1),
    mode: z.enum(["singleValue", "json"]).optional(),
    timeoutMs: z.number().int().positive().max(120_000).optional(),
    maxBytes: z.number().int().positive().max(20_971_520).optional(),
  }),
  z.strictObject({
    source: z.literal("exec"),
    command: absolutePath,
    args: z.array(z.string().max(1024)).max(128).optional(),
    timeoutMs: z.number().int().positive().max(120_000).optional(),
    noOutputTimeoutMs: z.number().int().positive().max(120_000).optional(),
    maxOutputBytes: z.number().int().positive().max(20_971_520).optional(),
    jsonOnly: z.boolean().optional(),
    env: z.record(z.string(), z.string()).optional(),
    passEnv: z.array(envName).max(128).optional(),
    trustedDirs: z.array(absolutePath).max(64).optional(),
  }),
  z.strictObject({
    source: z.literal("exec"),
    pluginIntegration: z.strictObject({ pluginId: z.string().min(1).max(128), integrationId: z.string().min(1).max(128) }),
  }),
  z.strictObject({ source: z.literal("store") }),
]);

/** A `secrets.providers` entry's type. */
export type SecretProviderConfig = z.infer<typeof SecretProviderSchema>;

/** The top-level `secrets` block (providers and defaults checked; `egressProxy` passed through). */
export const SecretsSchema = z.looseObject({
  providers: z.record(z.string(), SecretProviderSchema).optional(),
  defaults: z.strictObject({
    env: z.string().regex(SECRET_PROVIDER_ALIAS).optional(),
    file: z.string().regex(SECRET_PROVIDER_ALIAS).optional(),
    exec: z.string().regex(SECRET_PROVIDER_ALIAS).optional(),
    store: z.string().regex(SECRET_PROVIDER_ALIAS).optional(),
  }).optional(),
});

/** The `secrets` block's type. */
export type SecretsConfig = z.infer<typeof SecretsSchema>;
