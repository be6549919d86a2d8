/**
 * The disk cache of `/api/show` answers, keyed by base URL + model name + digest, so a repeated discovery
 * costs one `/api/tags` request. One JSON file per base URL under the cache directory (lib/state/dirs.ts),
 * written by the one atomic writer (lib/atomic-write.ts); a missing, unreadable or corrupt file is an empty
 * cache, never an error. Only the fields oclaw reads are kept, each bounded, so a server's huge answer never
 * becomes a huge file every later run reloads.
 */
import { mkdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../atomic-write.ts";
import { lazySchema, z } from "../zod.ts";
import type { Logger } from "../log.ts";
import { ollamaApi, type Show } from "./ollama-api.ts";
import { acceptCacheFile } from "./answer-checks.ts";
import { keyHash } from "../state/key-hash.ts";

/** Bumped when the file layout changes; files of another format are ignored (2: trimmed answers only). */
const FORMAT = 2;

/** A cache file larger than this was not written by this oclaw: it is ignored, not loaded. */
const MAX_CACHE_FILE_BYTES = 8 * 1024 * 1024;

const cacheFileSchema = lazySchema(() =>
  z.object({
    format: z.literal(FORMAT),
    baseUrl: z.string(),
    models: z.record(z.string(), z.object({ digest: z.string(), show: ollamaApi().show })),
  })
);

type CacheEntries = z.infer<ReturnType<typeof cacheFileSchema>>["models"];

/** oclaw's cache directory (lib/state/dirs.ts resolves every directory oclaw keeps files in). */
export { cacheDir as defaultCacheDir } from "../state/dirs.ts";

/** The cache file for one base URL, named after its key hash. */
function cacheFileFor(dir: string, baseUrl: string): string {
  return path.join(dir, `show-${keyHash(baseUrl)}.json`);
}

/** Longest string kept from an `/api/show` answer (a Modelfile's parameters are a few hundred bytes). */
const MAX_CACHED_STRING = 16 * 1024;

/** Most entries kept of a list or a record (capabilities, details). */
const MAX_CACHED_ITEMS = 64;

/** The `details` keys oclaw shows. */
const DETAIL_KEYS = ["format", "family", "families", "parameter_size", "quantization_level", "parent_model"];

function boundedString(value: unknown): string | undefined {
  return typeof value === "string" && value.length <= MAX_CACHED_STRING ? value : undefined;
}

/**
 * Keeps what oclaw reads of an `/api/show` answer, nothing else: capabilities, the details it shows, the
 * parameters text, and of `model_info` only `general.architecture` and `<architecture>.context_length`
 * (a verbose answer's tokenizer vocabulary can be a hundred megabytes).
 */
export function trimShow(show: Show): Show {
  const out: Show = {};
  if (show.capabilities !== undefined) {
    out.capabilities = show.capabilities.filter((c) => c.length <= 64).slice(0, MAX_CACHED_ITEMS);
  }
  if (show.details !== undefined) {
    const details: Record<string, unknown> = {};
    for (const key of DETAIL_KEYS) {
      const value = show.details[key];
      if (boundedString(value) !== undefined) details[key] = value;
      else if (Array.isArray(value)) {
        details[key] = value.filter((v) => boundedString(v) !== undefined).slice(0, MAX_CACHED_ITEMS);
      }
    }
    out.details = details;
  }
  const parameters = boundedString(show.parameters);
  if (parameters !== undefined) out.parameters = parameters;
  if (show.model_info !== undefined) {
    const architecture = boundedString(show.model_info["general.architecture"]);
    const info: Record<string, unknown> = {};
    if (architecture !== undefined) {
      info["general.architecture"] = architecture;
      const context = show.model_info[`${architecture}.context_length`];
      if (typeof context === "number") info[`${architecture}.context_length`] = context;
    }
    out.model_info = info;
  }
  return out;
}

/** The `/api/show` answers known for one base URL. */
export interface ShowCache {
  /** The cached answer for a model, when its digest still matches. */
  get(name: string, digest: string): Show | undefined;
  /** Records an answer (trimmed) to be written by {@link ShowCache.save}. */
  set(name: string, digest: string, show: Show): void;
  /**
   * Writes the file when something changed, merged with what another run may have written meanwhile.
   * `keep`: the names still on the server; others are dropped. Failures are logged, never thrown.
   */
  save(keep?: ReadonlySet<string>): Promise<void>;
}

async function readEntries(file: string, baseUrl: string, log: Logger): Promise<CacheEntries> {
  let text: string;
  try {
    if ((await stat(file)).size > MAX_CACHE_FILE_BYTES) {
      log.debug(`ignoring cache file ${file}: larger than ${MAX_CACHE_FILE_BYTES} bytes`);
      return {};
    }
    text = await readFile(file, "utf8");
  } catch {
    return {};
  }
  try {
    const data: unknown = JSON.parse(text);
    const parsed = acceptCacheFile(data, FORMAT) ?? cacheFileSchema().parse(data);
    if (parsed.baseUrl === baseUrl) return parsed.models;
  } catch {
    // A half-written or foreign file: start over; the next save replaces it.
  }
  log.debug(`ignoring unreadable cache file ${file}`);
  return {};
}

/** Opens the cache for `baseUrl` in `dir`; `dir` undefined gives a cache that lives only in memory. */
export async function openShowCache(dir: string | undefined, baseUrl: string, log: Logger): Promise<ShowCache> {
  const file = dir === undefined ? undefined : cacheFileFor(dir, baseUrl);
  const entries: CacheEntries = file === undefined ? {} : await readEntries(file, baseUrl, log);
  const added: CacheEntries = {};
  let dirty = false;
  return {
    get(name, digest) {
      const hit = entries[name];
      return hit !== undefined && hit.digest === digest ? hit.show : undefined;
    },
    set(name, digest, show) {
      const entry = { digest, show: trimShow(show) };
      entries[name] = entry;
      added[name] = entry;
      dirty = true;
    },
    async save(keep) {
      if (file === undefined) return;
      // Nothing new and nothing to drop: the file is left as it is, without reading it again.
      if (!dirty && (keep === undefined || Object.keys(entries).every((name) => keep.has(name)))) return;
      const onDisk = await readEntries(file, baseUrl, log);
      // Another run may have written newer answers since we read the file; ours from this run win.
      const merged: CacheEntries = { ...entries, ...onDisk, ...added };
      let pruned = false;
      if (keep !== undefined) {
        for (const name of Object.keys(merged)) {
          if (!keep.has(name)) {
            delete merged[name];
            pruned = true;
          }
        }
      }
      if (!dirty && !pruned) return;
      await writeAtomic(file, JSON.stringify({ format: FORMAT, baseUrl, models: merged }), log);
      dirty = false;
    },
  };
}

async function writeAtomic(file: string, text: string, log: Logger): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, text, { mode: 0o600 });
    log.debug(`wrote cache file ${file}`);
  } catch (error) {
    // A read-only home or a full disk costs speed, not correctness.
    log.debug(`could not write cache file ${file}: ${(error as Error).message}`);
  }
}
