/**
 * The wire protocols oclaw speaks, in a leaf of their own: the provider code needs the list at every start,
 * the schema (lib/config/schema-provider.ts) only when a config is validated.
 */

/** The wire protocols oclaw speaks. */
export const SUPPORTED_APIS = ["ollama", "openai-completions"] as const;
