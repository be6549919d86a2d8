/**
 * Safe updates of the config file: read-modify-write under an exclusive lock file (`<file>.lock`), so two
 * `oclaw config set` at once lose no update; the write is atomic (temp file in the same directory, then
 * rename), keeps the file's mode (0600 for a new file, its directory created 0700) and leaves the previous
 * content in `<file>.bak`.
 */
import { mkdir, realpath, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { OclawError } from "../errors.ts";
import { writeFileAtomic } from "../atomic-write.ts";
import { fsReason, isNotFound } from "../fs-errors.ts";
import { readTextIfExists } from "./json5-text.ts";

/** A lock older than this is left over from a crashed process (an update holds it for milliseconds). */
export const STALE_LOCK_MS = 30_000;

/** How long to wait for another process's lock before giving up. */
export const LOCK_WAIT_MS = 15_000;

/** The outcome of {@link updateConfigFile}. */
export interface UpdateResult {
  /** The file written (symlinks followed). */
  file: string;
  /** False when the new text equals the old one (nothing written). */
  changed: boolean;
  /** True when the file did not exist before. */
  created: boolean;
}

/** Options for {@link updateConfigFile}. */
export interface UpdateOptions {
  /** Called once when another process holds the lock and this one waits (for `-v`). */
  onWait?: (lockFile: string) => void;
}

function writeError(file: string, action: string, cause: unknown): OclawError {
  return new OclawError("E_CONFIG_WRITE", `Cannot ${action} ${file}: ${fsReason(cause, "write")}`, {
    hint: "Check the path and its permissions, or choose another file with --config",
    cause,
  });
}

/**
 * Reads the config file, passes its text (undefined when missing) to `update`, and writes what `update`
 * returns — all under the file's lock. `update` may throw to refuse; the file is then untouched.
 * @throws OclawError E_CONFIG_WRITE when the directory cannot be created, the lock not taken or the file
 *   not written; whatever `update` throws
 */
export async function updateConfigFile(
  configPath: string,
  update: (text: string | undefined) => Promise<string> | string,
  options: UpdateOptions = {},
): Promise<UpdateResult> {
  const file = await realpath(configPath).catch(() => path.resolve(configPath));
  const dir = path.dirname(file);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw writeError(dir, "create the config directory", cause);
  }
  const release = await acquireLock(`${file}.lock`, options.onWait);
  try {
    const before = await readTextIfExists(file);
    const after = await update(before);
    if (after === before) return { file, changed: false, created: false };
    const mode = before === undefined ? 0o600 : (await stat(file)).mode & 0o7777;
    if (before !== undefined) await writeAtomic(`${file}.bak`, before, mode);
    await writeAtomic(file, after, mode);
    return { file, changed: true, created: before === undefined };
  } finally {
    await release();
  }
}

/** Replaces `file` atomically with exactly `mode`; a failure is a config write error. */
async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  try {
    await writeFileAtomic(file, text, { mode });
  } catch (error) {
    throw writeError(file, "write", error instanceof OclawError && error.cause !== undefined ? error.cause : error);
  }
}

/** Takes `<file>.lock` (exclusive create), waiting for another holder; returns the release function. */
async function acquireLock(lockFile: string, onWait?: (lockFile: string) => void): Promise<() => Promise<void>> {
  const token = crypto.randomUUID();
  const started = Date.now();
  let delay = 5;
  for (;;) {
    try {
      await writeFile(lockFile, `${token}\n`, { flag: "wx", mode: 0o600 });
      return async () => {
        // Only remove the lock if it is still ours (a stale-lock breaker may have replaced it).
        const content = await readTextIfExists(lockFile).catch(() => undefined);
        if (content?.startsWith(token)) await unlink(lockFile).catch(() => {});
      };
    } catch (cause) {
      if ((cause as { code?: unknown }).code !== "EEXIST") throw writeError(lockFile, "create the lock file", cause);
    }
    const info = await stat(lockFile).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
    if (info !== undefined && Date.now() - info.mtimeMs > STALE_LOCK_MS) {
      await unlink(lockFile).catch(() => {});
      continue;
    }
    if (Date.now() - started > LOCK_WAIT_MS) {
      throw new OclawError("E_CONFIG_WRITE", `Cannot lock ${lockFile}: another oclaw is updating the config`, {
        hint: `If no oclaw is running, remove ${lockFile}`,
      });
    }
    if (delay === 5) onWait?.(lockFile);
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
}
