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

/**
 * A copy of `value` with every secret replaced by `***` (a secret key itself → `***`), and the password in a
 * URL's credentials masked (`http://user:***@host`).
 */
export function maskSecrets(value: unknown, key?: string): unknown {
  const secret = key !== undefined && isSecretConfigKey(key);
  if (secret && (typeof value === "string" || typeof value === "number")) return "***";
  if (typeof value === "string") return maskUrlPassword(value);
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, secret ? key : undefined));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  }
  return value;
}

/** A URL's `user:password@` credentials, when `text` is such a URL. */
function urlCredentials(text: string): { user: string; password: string } | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(text)) return undefined;
  try {
    const url = new URL(text);
    return url.password === "" ? undefined : { user: url.username, password: url.password };
  } catch {
    return undefined;
  }
}

/** Every password written inside a URL (`http://user:pass@host`) anywhere in `value`, decoded and as written. */
export function collectUrlPasswords(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === "string") {
    const credentials = urlCredentials(value);
    if (credentials !== undefined) {
      into.add(credentials.password);
      try {
        into.add(decodeURIComponent(credentials.password));
      } catch {
        // A malformed escape: the password as written is what a message would show.
      }
    }
  } else if (Array.isArray(value)) for (const item of value) collectUrlPasswords(item, into);
  else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) collectUrlPasswords(item, into);
  return into;
}

/** `text` with the password of a URL's credentials masked: `http://user:***@host`. */
export function maskUrlPassword(text: string): string {
  const credentials = urlCredentials(text);
  if (credentials === undefined) return text;
  return text.replace(`:${credentials.password}@`, ":***@");
}

/** Header names whose values are never secret (the rest of a provider's headers are redacted like keys). */
const PLAIN_HEADERS = new Set(["accept", "accept-encoding", "accept-language", "content-type", "user-agent", "connection"]);

/** The values of configured headers worth redacting; for Authorization also the credentials after the scheme. */
export function headerSecrets(headers: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (PLAIN_HEADERS.has(name.toLowerCase()) || value === "") continue;
    out.push(value);
    const credentials = /^\w+\s+(\S+)$/.exec(value)?.[1];
    if (credentials !== undefined) out.push(credentials);
  }
  return out;
}
