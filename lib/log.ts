/**
 * The `-v` logger: requests, timings and decisions on stderr, with secrets redacted.
 */
import type { OutStream } from "./io.ts";
import { Secrets } from "./redact.ts";

/** Logs verbose diagnostics. */
export interface Logger {
  readonly enabled: boolean;
  /** Writes `oclaw: <message>` to stderr when verbose; secrets are redacted. */
  debug(message: string): void;
  /** Adds values to redact wherever they appear (the config's keys, once it is read). */
  addSecrets(values: Iterable<string>): void;
}

/**
 * Redacts what looks like a credential in a line of text: `Bearer` tokens and `api_key=`/`"token": "…"`
 * pairs. Known secret values are the {@link Secrets} set's to redact (placeholder keys such as `ollama` are
 * not secrets there).
 */
export function redact(text: string, secrets?: Secrets): string {
  let out = text.replace(/(Bearer\s+)[^\s"',]+/gi, "$1***");
  out = out.replace(/("?(?:api[-_]?key|token|secret|password)"?\s*[:=]\s*"?)[^\s"',}]+/gi, "$1***");
  return secrets === undefined ? out : secrets.redact(out);
}

/** Creates the logger; `secrets` are values redacted wherever they appear. */
export function createLogger(stderr: OutStream, enabled: boolean, secrets: Iterable<string> = []): Logger {
  const known = new Secrets();
  known.add(secrets);
  return {
    enabled,
    debug(message: string): void {
      if (enabled) void stderr.write(`oclaw: ${redact(message, known)}\n`);
    },
    addSecrets(values: Iterable<string>): void {
      known.add(values);
    },
  };
}
