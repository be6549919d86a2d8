/** The one test for a JSON object, as zod's object schemas and every hand check read it. */

/** True for a plain JSON object: not an array, not null. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
