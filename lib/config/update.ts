/**
 * `config set` / `config unset` on the file: under the file's lock, edit the text losslessly, check the
 * result the way oclaw will read it, and write it only when the edit adds no problem.
 */
import { OclawError } from "../errors.ts";
import { type ConfigEdit, editConfigText } from "./edit.ts";
import { formatKeyPath, type KeySegment } from "./key-path.ts";
import { evaluateConfigText, type LoadProblem } from "./load.ts";
import type { ConfigLocation } from "./location.ts";
import { updateConfigFile, type UpdateOptions, type UpdateResult } from "./write.ts";

function signature(problem: LoadProblem): string {
  return `${problem.code} ${formatKeyPath(problem.path)} ${problem.message}`;
}

interface Evaluation {
  data: unknown;
  problems: LoadProblem[];
  /** A problem that stopped the evaluation (a broken `$include`, a root that is not an object). */
  fatal?: OclawError;
}

async function evaluate(
  text: string | undefined,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  signal: AbortSignal | undefined,
): Promise<Evaluation> {
  if (text === undefined) return { data: {}, problems: [] };
  try {
    return await evaluateConfigText(text, file, env, signal);
  } catch (error) {
    if (error instanceof OclawError && error.code !== "E_CONFIG_PARSE" && !signal?.aborted) return { data: {}, problems: [], fatal: error };
    throw error;
  }
}

/** The value at `path` in parsed config data, or undefined. */
export function valueAt(data: unknown, path: readonly KeySegment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (Array.isArray(current)) {
      const index = typeof segment === "number" ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
      current = current[index];
    } else if (typeof current === "object" && current !== null && Object.hasOwn(current, String(segment))) {
      current = (current as Record<string, unknown>)[String(segment)];
    } else return undefined;
  }
  return current;
}

/**
 * Applies one edit to the config file at `location`. A problem the file already had does not block the
 * edit (so a broken config can be fixed one key at a time); a problem the edit would add does, and the
 * file is then left byte for byte as it was.
 * With `force`, an edit that adds a problem (a key OpenClaw refuses) is written anyway.
 * @throws OclawError E_CONFIG_INVALID / E_CONFIG_ENV for an edit that would add a problem, E_NOT_SET for
 *   unsetting a missing key, E_CONFIG_PARSE when the file is not valid JSON5, E_CONFIG_WRITE when it
 *   cannot be written
 */
export async function applyConfigEdit(
  location: ConfigLocation,
  edit: ConfigEdit,
  env: Readonly<Record<string, string | undefined>>,
  options: UpdateOptions = {},
): Promise<UpdateResult> {
  const file = location.path;
  return await updateConfigFile(file, async (before) => {
    // Of the file as it was, only its problems are kept past the edit: a big config's data is not held
    // while the edited text is evaluated (memory stays one evaluation, not two).
    const { known, oldFatal, after } = await (async () => {
      const old = await evaluate(before, file, env, options.signal);
      try {
        const after = editConfigText(before, edit, file);
        return { known: new Set(old.problems.map(signature)), oldFatal: old.fatal?.message, after };
      } catch (error) {
        if (error instanceof OclawError && error.code === "E_NOT_SET" && valueAt(old.data, edit.path) !== undefined) {
          throw new OclawError("E_NOT_SET", `${formatKeyPath(edit.path)} is not set in ${file} itself`, {
            hint: "It comes from a file named by $include: edit that file",
          });
        }
        throw error;
      }
    })();
    if (after === before) return after;
    const next = await evaluate(after, file, env, options.signal);
    const verb = edit.op === "set" ? "set" : "unset";
    if (next.fatal !== undefined && next.fatal.message !== oldFatal) {
      throw new OclawError(next.fatal.code, `Refusing to ${verb} ${formatKeyPath(edit.path)}: ${next.fatal.message}`, {
        hint: `${file} was not changed`,
      });
    }
    const first = next.problems.find((p) => !known.has(signature(p)));
    // --force writes what parses, problems or not (the user asked for exactly this file).
    if (first !== undefined && options.force !== true) {
      const where = formatKeyPath(first.path) === formatKeyPath(edit.path) ? "" : ` (${formatKeyPath(first.path)})`;
      const hint = first.hint ? `${first.hint[0]!.toUpperCase()}${first.hint.slice(1)} ` : "";
      throw new OclawError(first.code, `Refusing to ${verb} ${formatKeyPath(edit.path)}${where}: ${first.message}`, {
        hint: `${hint}(${file} was not changed${edit.op === "set" ? "; --force writes it anyway" : ""})`,
      });
    }
    return after;
  }, options);
}
