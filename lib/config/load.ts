/**
 * Loading a config file: read, JSON5, `$include`, `${VAR}`, then the schema. Syntax and include errors stop
 * the load (they are thrown); missing variables and schema problems are collected, so `config validate`
 * can list them all and `resolveConfig` can throw the first.
 */
import { OclawError } from "../errors.ts";
import { type MissingVar, substituteEnvVars } from "./env-vars.ts";
import { resolveIncludes } from "./include.ts";
import { isJsonObject } from "../json-object.ts";
import { formatKeyPath, type KeySegment } from "./key-path.ts";
import { parseJson5, readTextIfExists } from "./json5-text.ts";
import type { ConfigLocation } from "./location.ts";
import type { ConfigProblem } from "./schema.ts";
import type { ValidMemo } from "./valid-memo.ts";
import { untilAborted } from "../wait.ts";

/** A problem found while loading, with the error code it maps to. */
export interface LoadProblem extends ConfigProblem {
  code: "E_CONFIG_INVALID" | "E_CONFIG_ENV";
}

/** A config file after loading. */
export interface LoadedConfig {
  location: ConfigLocation;
  exists: boolean;
  /** The file's text as read (undefined when it does not exist). */
  text: string | undefined;
  /** The config after `$include` and `${VAR}` (missing variables left as written). */
  data: Record<string, unknown>;
  problems: LoadProblem[];
}

/**
 * Evaluates config text as if it were the content of `file`.
 * @throws OclawError E_CONFIG_PARSE for a syntax error, E_CONFIG_INVALID for a root that is not an object
 *   or a bad `$include`
 */
export async function evaluateConfigText(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  signal?: AbortSignal,
  memo?: ValidMemo,
): Promise<{ data: Record<string, unknown>; problems: LoadProblem[] }> {
  const parsed = parseJson5(text, file);
  if (!isJsonObject(parsed)) {
    throw new OclawError("E_CONFIG_INVALID", `Invalid config ${file}: the top level must be an object`, {
      hint: "A config file looks like { models: { providers: { ... } } }",
    });
  }
  // An included file may be a FIFO nobody writes to: its read gives way to a signal or the run's timeout.
  const included = await resolveIncludes(parsed, file, (f) => untilAborted(readTextIfExists(f), signal));
  const missing: MissingVar[] = [];
  const data = substituteEnvVars(included, env, (m) => missing.push(m)) as Record<string, unknown>;
  const problems: LoadProblem[] = missing.map((m) => ({
    code: "E_CONFIG_ENV",
    path: m.path,
    message: `environment variable ${m.name} is not set`,
    hint: `export ${m.name}, or write $\${${m.name}} for a literal \${${m.name}}`,
  }));
  for (const problem of await schemaProblems(data, memo)) {
    // A value left as `${VAR}` fails its type check too: the missing variable is the one problem there.
    if (missing.some((m) => isWithin(problem.path, m.path))) continue;
    problems.push({ code: "E_CONFIG_INVALID", ...problem });
  }
  return { data, problems };
}

/**
 * The schema's problems with `data`. The schema module is loaded only when the memo does not already know
 * the answer: building OpenClaw's schema costs more than the rest of a start-up. With a memo (a command
 * reading the config to use it, not `config validate`), problems only OpenClaw cares about are left out,
 * memo or not, so a config OpenClaw would refuse for such a key is remembered as readable too.
 */
async function schemaProblems(data: Record<string, unknown>, memo: ValidMemo | undefined): Promise<ConfigProblem[]> {
  const key = memo?.keyOf(data);
  if (key !== undefined && (await memo!.has(key))) return [];
  const { validateConfig } = await import("./schema.ts");
  const all = validateConfig(data);
  if (memo === undefined) return all;
  const problems = all.filter((problem) => problem.openclawOnly !== true);
  if (key !== undefined && problems.length === 0) await memo.add(key);
  return problems;
}

function isWithin(path: readonly KeySegment[], prefix: readonly KeySegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]));
}

/**
 * Loads the config file at `location`; a missing file is an empty config, except when `--config` named it.
 * Reading ends when `signal` aborts (a config or include that is a FIFO nobody writes to).
 * @throws OclawError E_CONFIG_INVALID for a missing `--config` file or an unreadable file, and whatever
 *   {@link evaluateConfigText} throws
 */
export async function loadConfig(
  location: ConfigLocation,
  env: Readonly<Record<string, string | undefined>>,
  options: { allowMissing?: boolean; signal?: AbortSignal | undefined; memo?: ValidMemo | undefined } = {},
): Promise<LoadedConfig> {
  const text = await untilAborted(readTextIfExists(location.path), options.signal);
  if (text === undefined) {
    if (location.source === "flag" && options.allowMissing !== true) {
      throw new OclawError("E_CONFIG_INVALID", `Config file ${location.path} does not exist (named by --config)`, {
        hint: "Check the path, or create it with: oclaw --config PATH config set KEY VALUE",
      });
    }
    return { location, exists: false, text: undefined, data: {}, problems: [] };
  }
  const { data, problems } = await evaluateConfigText(text, location.path, env, options.signal, options.memo);
  return { location, exists: true, text, data, problems };
}

/** The error for a config's first problem (with a count of the rest). */
export function problemError(problems: LoadProblem[], file: string): OclawError {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  const what = first.code === "E_CONFIG_ENV"
    ? `${first.message.replace(/^e/, "E")} (used at ${formatKeyPath(first.path)} in ${file})`
    : `Invalid config ${file}: ${formatKeyPath(first.path)}: ${first.message}`;
  const joined = [first.hint, more && "run 'oclaw config validate' for the full list"].filter(Boolean).join("; ");
  const hint = joined === "" ? undefined : joined[0]!.toUpperCase() + joined.slice(1);
  return new OclawError(first.code, what + more, { hint });
}
