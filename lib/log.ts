/**
 * The `-v` logger: requests, timings and decisions on stderr, with secrets redacted.
 */
import type { OutStream } from "./io.ts";

/** Logs verbose diagnostics. */
export interface Logger {
  readonly enabled: boolean;
  /** Writes `oclaw: <message>` to stderr when verbose; secrets are redacted. */
  debug(message: string): void;
}

const SECRET_KEY = /(api[-_]?key|token|secret|password|authorization)/i;

/** True for config keys whose values are secrets (`apiKey`, `token`, `clientSecret`, `password` ...). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * Redacts known secret values and `Bearer` tokens from a line of text.
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text.replace(/(Bearer\s+)[^\s"',]+/gi, "$1***");
  out = out.replace(/("?(?:api[-_]?key|token|secret|password)"?\s*[:=]\s*"?)[^\s"',}]+/gi, "$1***");
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join("***");
  }
  return out;
}

/** Creates the logger; `secrets` are values redacted wherever they appear. */
export function createLogger(stderr: OutStream, enabled: boolean, secrets: Set<string> = new Set()): Logger & {
  secrets: Set<string>;
} {
  return {
    enabled,
    secrets,
    debug(message: string): void {
      if (enabled) void stderr.write(`oclaw: ${redact(message, secrets)}\n`);
    },
  };
}
