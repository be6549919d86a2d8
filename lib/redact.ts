/**
 * The secrets oclaw knows (the config's apiKeys, header values, passwords in base URLs, auth-profile keys),
 * gathered once the config is read and redacted at the output edge from everything oclaw writes: error
 * messages a server echoed, health's Nagios line, chat's `--json` error event, `-v` lines. One set per run,
 * held by the Io; both output streams consult it (lib/runtime.ts).
 */

/** Shorter values are not redacted: `***` in place of every "ab" in the output would hide more than keys. */
const MIN_SECRET_LENGTH = 4;

/**
 * Keys that are not secrets: Ollama ignores the key, and these are the values its docs and OpenClaw's use
 * to switch a provider on. Redacting them would put `***` for every "ollama" in a reply, a model name or a
 * provider id (the health line read "OK: *** 0.12.3").
 */
const PLACEHOLDERS = new Set(["ollama", "ollama-local"]);

/** What a redacted value is replaced with. */
export const REDACTED = "***";

/** The set of secret values to redact, and the redaction. */
export class Secrets {
  #values: string[] = [];

  /** Adds values (too-short ones are ignored); each is also redacted in its URL-encoded form. */
  add(values: Iterable<string>): void {
    for (const value of values) {
      if (PLACEHOLDERS.has(value.toLowerCase())) continue;
      for (const form of [value, encodeURIComponent(value)]) {
        if (form.length >= MIN_SECRET_LENGTH && !this.#values.includes(form)) this.#values.push(form);
      }
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.#values.sort((a, b) => b.length - a.length);
  }

  /** How many values are known. */
  get size(): number {
    return this.#values.length;
  }

  /** `text` with every known secret replaced by `***`. */
  redact(text: string): string {
    let out = text;
    for (const value of this.#values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    return out;
  }
}
