/** The one test for a JSON object, as zod's object schemas and every hand check read it. */

/** True for a plain JSON object: not an array, not null. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A JSON object that zod's object schemas copy key for key: one with an own `__proto__` key (JSON.parse
 * makes one from `{"__proto__": …}`) would lose it in zod's copy, so a hand check that stands in for a
 * schema leaves such an object to zod.
 */
export function isCopyableObject(value: unknown): value is Record<string, unknown> {
  return isJsonObject(value) && !Object.hasOwn(value, "__proto__");
}
