/**
 * The disk cache of `/api/show` answers, keyed by base URL + model name + digest, so a repeated discovery
 * costs one `/api/tags` request. One JSON file per base URL under the cache directory; writes are atomic
 * (temp file + rename); a missing, unreadable or corrupt file is an empty cache, never an error.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "../zod.ts";
import type { Logger } from "../log.ts";
import { type Show, ShowSchema } from "./ollama-api.ts";

/** Bumped when the file layout changes; files of another format are ignored. */
const FORMAT = 1;

const CacheFileSchema = z.object({
  format: z.literal(FORMAT),
  baseUrl: z.string(),
  models: z.record(z.string(), z.object({ digest: z.string(), show: ShowSchema })),
});

type CacheEntries = z.infer<typeof CacheFileSchema>["models"];

/** oclaw's cache directory (lib/state/dirs.ts resolves every directory oclaw keeps files in). */
export { cacheDir as defaultCacheDir } from "../state/dirs.ts";

/**
 * The cache file for one base URL: named after the start of its SHA-256. Web Crypto, not node:crypto: in the
 * compiled binary node:crypto loads Node's stream machinery at start-up, ~4 ms of every command.
 */
async function cacheFileFor(dir: string, baseUrl: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(baseUrl)));
  const hash = Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
  return path.join(dir, `show-${hash}.json`);
}

/** Keeps what oclaw reads of an `/api/show` answer: capabilities, details, parameters, scalar model_info. */
export function trimShow(show: Show): Show {
  const out: Show = {};
  if (show.capabilities !== undefined) out.capabilities = show.capabilities;
  if (show.details !== undefined) out.details = show.details;
  if (show.parameters !== undefined) out.parameters = show.parameters;
  if (show.model_info !== undefined) {
    // Tokenizer vocabularies and other arrays can be megabytes with verbose answers; nothing here reads them.
    out.model_info = Object.fromEntries(
      Object.entries(show.model_info).filter(([, v]) => typeof v !== "object" || v === null),
    );
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
    text = await readFile(file, "utf8");
  } catch {
    return {};
  }
  try {
    const parsed = CacheFileSchema.parse(JSON.parse(text));
    if (parsed.baseUrl === baseUrl) return parsed.models;
  } catch {
    // A half-written or foreign file: start over; the next save replaces it.
  }
  log.debug(`ignoring unreadable cache file ${file}`);
  return {};
}

/** Opens the cache for `baseUrl` in `dir`; `dir` undefined gives a cache that lives only in memory. */
export async function openShowCache(dir: string | undefined, baseUrl: string, log: Logger): Promise<ShowCache> {
  const file = dir === undefined ? undefined : await cacheFileFor(dir, baseUrl);
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
  const temp = `${file}.${crypto.randomUUID()}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, file);
    log.debug(`wrote cache file ${file}`);
  } catch (error) {
    // A read-only home or a full disk costs speed, not correctness.
    log.debug(`could not write cache file ${file}: ${(error as Error).message}`);
    await rm(temp, { force: true }).catch(() => {});
  }
}
