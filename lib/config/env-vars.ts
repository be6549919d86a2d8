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
 * `onMissing` and left as written. Objects and arrays are changed in place (the caller owns the freshly
 * parsed value): a big config is not copied, and the key path is one stack copied only for a report.
 */
export function substituteEnvVars(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  onMissing: (missing: MissingVar) => void,
  at: KeySegment[] = [],
): unknown {
  if (typeof value === "string") {
    if (!value.includes("$")) return value;
    return value.replace(REFERENCE, (whole, escape: string, name: string) => {
      if (escape === "$") return whole.slice(1);
      const found = env[name];
      if (found === undefined || found === "") {
        onMissing({ name, path: [...at] });
        return whole;
      }
      return found;
    });
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      value[i] = substituteEnvVars(value[i], env, onMissing, at);
      at.pop();
    }
    return value;
  }
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      at.push(key);
      record[key] = substituteEnvVars(record[key], env, onMissing, at);
      at.pop();
    }
    return record;
  }
  return value;
}
