/**
 * The `-v` logger: requests, timings and decisions on stderr, with secrets redacted.
 */
import type { OutStream } from "./io.ts";

/** Logs verbose diagnostics. */
export interface Logger {
  readonly enabled: boolean;
  /** Writes `oclaw: <message>` to stderr when verbose; secrets are redacted. */
  debug(message: string): void;
  /** Adds values to redact wherever they appear (the config's keys, once it is read). */
  addSecrets(values: Iterable<string>): void;
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
export function createLogger(stderr: OutStream, enabled: boolean, secrets: Iterable<string> = []): Logger {
  const known = new Set(secrets);
  return {
    enabled,
    debug(message: string): void {
      if (enabled) void stderr.write(`oclaw: ${redact(message, known)}\n`);
    },
    addSecrets(values: Iterable<string>): void {
      for (const value of values) known.add(value);
    },
  };
}
