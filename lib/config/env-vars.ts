/**
 * `${VAR}` substitution in config strings (`[A-Z_][A-Z0-9_]*`); `$${VAR}` stands for a literal `${VAR}`.
 * Keys are never substituted, only string values.
 */
import type { KeySegment } from "./key-path.ts";

/** A `${VAR}` that has no value. */
export interface MissingVar {
  name: string;
  path: KeySegment[];
}

const REFERENCE = /\$(\$?)\{([A-Z_][A-Z0-9_]*)\}/g;

/**
 * Substitutes `${VAR}` in every string of `value`; a variable that is unset or empty is reported to
 * `onMissing` and left as written.
 */
export function substituteEnvVars(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  onMissing: (missing: MissingVar) => void,
  at: KeySegment[] = [],
): unknown {
  if (typeof value === "string") {
    return value.replace(REFERENCE, (whole, escape: string, name: string) => {
      if (escape === "$") return whole.slice(1);
      const found = env[name];
      if (found === undefined || found === "") {
        onMissing({ name, path: at });
        return whole;
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnvVars(item, env, onMissing, [...at, i]));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = substituteEnvVars(item, env, onMissing, [...at, key]);
    return out;
  }
  return value;
}
