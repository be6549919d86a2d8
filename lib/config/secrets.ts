/**
 * Which config values are secrets: keys named like key/token/secret/password (`apiKey`, `botToken`,
 * `clientSecret`), matched by word so `maxTokens` or `keep_alive` are not.
 */

const SECRET_WORDS = new Set(["key", "apikey", "token", "secret", "password", "passwd", "authorization", "bearer"]);

/** True for a config key whose value is a secret. */
export function isSecretConfigKey(key: string): boolean {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[\s_\-.]+/);
  return words.some((word) => SECRET_WORDS.has(word)) || SECRET_WORDS.has(key.toLowerCase());
}

/** Every string value under a secret key, anywhere in `value`. */
export function collectSecrets(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) collectSecrets(item, into);
  else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === "string" && item !== "" && isSecretConfigKey(key)) into.add(item);
      else if (Array.isArray(item) && isSecretConfigKey(key)) {
        for (const entry of item) if (typeof entry === "string" && entry !== "") into.add(entry);
      } else collectSecrets(item, into);
    }
  }
  return into;
}

/** A copy of `value` with every secret replaced by `***` (a secret key itself → `***`). */
export function maskSecrets(value: unknown, key?: string): unknown {
  const secret = key !== undefined && isSecretConfigKey(key);
  if (secret && (typeof value === "string" || typeof value === "number")) return "***";
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, secret ? key : undefined));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  }
  return value;
}
