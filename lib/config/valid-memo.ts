/**
 * A memo of configs the schema found nothing wrong with (problems only OpenClaw cares about, such as a model
 * entry without a `name`, do not count: a run reads such a file), so a cron job or a chat does not build and run
 * OpenClaw's whole zod schema on every start (in the compiled binary that was the largest part of the time
 * before the first request). The key is a hash (lib/state/key-hash.ts) of the build's identity and the config's data after
 * `$include` and `${VAR}`: {@link validateConfig} is a pure function of those, so a hit means the same
 * answer, no problems. Only a build that carries a build id (scripts/build.ts) keeps a memo: a run from
 * source may have an edited schema. Kept in the cache directory, the last few keys, written atomically.
 */
import path from "node:path";
import { writeFileAtomic } from "../atomic-write.ts";
import { ensureStateDir } from "../state/append.ts";
import { keyHash } from "../state/key-hash.ts";
import { readTextFile } from "../read-now.ts";

declare const OCLAW_BUILD_ID: string | undefined;

/** How many configs are remembered (a user with a few configs, or a file edited now and then). */
const KEEP = 16;

/** The memo: whether a config's data is known to validate, and remembering that it did. */
export interface ValidMemo {
  /** The key of `data`, when this build keeps a memo at all. */
  keyOf(data: unknown): string | undefined;
  has(key: string): Promise<boolean>;
  add(key: string): Promise<void>;
}

/** The build's identity, or undefined for a run from source. */
function buildId(): string | undefined {
  return typeof OCLAW_BUILD_ID === "string" && OCLAW_BUILD_ID !== "" ? OCLAW_BUILD_ID : undefined;
}

/** The memo kept in `dir` (the cache directory). Every failure to read or write it is a miss, never an error. */
export function validMemo(dir: string, id: string | undefined = buildId()): ValidMemo {
  const file = path.join(dir, "valid-configs.json");
  let known: string[] | undefined;
  const load = async (): Promise<string[]> => {
    if (known !== undefined) return known;
    try {
      const data: unknown = JSON.parse(await readTextFile(file));
      known = Array.isArray(data) ? data.filter((k): k is string => typeof k === "string") : [];
    } catch {
      known = [];
    }
    return known;
  };
  return {
    keyOf: (data) => (id === undefined ? undefined : keyHash(`${id}\n${JSON.stringify(data)}`)),
    has: async (key) => (await load()).includes(key),
    async add(key) {
      const keys = [key, ...(await load()).filter((k) => k !== key)].slice(0, KEEP);
      known = keys;
      try {
        await ensureStateDir(dir);
        await writeFileAtomic(file, JSON.stringify(keys) + "\n", { mode: 0o600 });
      } catch {
        // A cache that cannot be written is a cache that misses next time.
      }
    },
  };
}
