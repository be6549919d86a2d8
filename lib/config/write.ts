/**
 * Safe updates of the config file: read-modify-write under an exclusive lock file (`<file>.lock`, holding
 * the owner's PID and host), so two `oclaw config set` at once lose no update; the write goes through
 * lib/atomic-write.ts (a regular file only, temp file + rename, symlinks followed), keeps the file's mode
 * (0600 for a new file, its directory created 0700) and leaves a byte copy of the previous file in
 * `<file>.bak`. A file that is not valid UTF-8, or is read-only (unless forced), is refused untouched.
 */
import { mkdir, open, readFile, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { OclawError } from "../errors.ts";
import { writeFileAtomic, type WriteTarget, writeTarget } from "../atomic-write.ts";
import { fsReason, isNotFound } from "../fs-errors.ts";
import { abortError, sleep } from "../http/abort.ts";

/** This machine's name, for the lock file: `node:os` is loaded only by a write (it costs every start ~1 ms). */
function hostname(): string {
  return (process.getBuiltinModule("node:os") as typeof import("node:os")).hostname();
}

/**
 * A lock whose owner cannot be asked (another host, or content not yet written) is left over from a crashed
 * process once this old: an update holds it for milliseconds. Shorter than {@link LOCK_WAIT_MS}, so a waiter
 * always outlives a stale lock instead of giving up on it.
 */
export const STALE_LOCK_MS = 10_000;

/** How long to wait for another live process's lock before giving up. */
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
  /** Ends the wait for the lock (Ctrl-C, SIGTERM, the run's timeout). */
  signal?: AbortSignal;
  /** Edit a file whose mode has no write bit (`--force`), as editors do. */
  force?: boolean;
}

function writeError(file: string, action: string, cause: unknown): OclawError {
  return new OclawError("E_CONFIG_WRITE", `Cannot ${action} ${file}: ${fsReason(cause, "write")}`, {
    hint: "Check the path and its permissions, or choose another file with --config",
    cause,
  });
}

/** The atomic writer's refusal (a device, a FIFO, a dangling link ...) as a config write error. */
function asConfigWriteError(error: unknown, file: string): OclawError {
  if (error instanceof OclawError) {
    return new OclawError("E_CONFIG_WRITE", error.message, {
      hint: error.hint ?? "Check the path and its permissions, or choose another file with --config",
      cause: error.cause,
    });
  }
  return writeError(file, "write", error);
}

/**
 * Decodes the config's bytes; a file that is not valid UTF-8 is refused rather than have its bytes turned
 * into U+FFFD by the edit.
 * @throws OclawError E_CONFIG_PARSE naming the first bad byte's line and column
 */
export function decodeConfigBytes(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    // Where: the first replacement character of a lenient decode (a file may hold a real U+FFFD before it,
    // then this points there; the message is a pointer, not a proof).
    const lenient = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
    const at = Math.max(0, lenient.indexOf("\uFFFD"));
    const before = lenient.slice(0, at);
    const line = before.split("\n").length;
    const column = at - before.lastIndexOf("\n");
    throw new OclawError("E_CONFIG_PARSE", `Refusing to edit ${file}: it is not valid UTF-8 (first bad byte at line ${line}, column ${column})`, {
      hint: "Convert the file to UTF-8 (e.g. iconv) first; it was not changed",
      cause,
    });
  }
}

/**
 * Reads the config file, passes its text (undefined when missing) to `update`, and writes what `update`
 * returns — all under the file's lock. `update` may throw to refuse; the file is then untouched.
 * @throws OclawError E_CONFIG_WRITE when the path is not a regular file (a device, a FIFO ...: nothing is
 *   touched, no lock or `.bak` created), is read-only without `force`, the directory cannot be created, the
 *   lock not taken or the file not written; E_CONFIG_PARSE for a file that is not UTF-8; E_ABORTED when
 *   `signal` ends the wait; whatever `update` throws
 */
export async function updateConfigFile(
  configPath: string,
  update: (text: string | undefined) => Promise<string> | string,
  options: UpdateOptions = {},
): Promise<UpdateResult> {
  const target = await examine(configPath);
  const file = path.resolve(target.file);
  const dir = path.dirname(file);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw writeError(dir, "create the config directory", cause);
  }
  const release = await acquireLock(`${file}.lock`, options);
  try {
    // Looked at again under the lock: another writer may have created or replaced it meanwhile.
    const current = await examine(file);
    if (current.exists && (current.mode! & 0o222) === 0 && options.force !== true) {
      throw new OclawError("E_CONFIG_WRITE", `Refusing to edit ${file}: the file is read-only (mode ${current.mode!.toString(8).padStart(4, "0")})`, {
        hint: "Make it writable (chmod u+w), or pass --force to edit it anyway (the mode is kept)",
      });
    }
    const bytes = current.exists ? await readBytes(file) : undefined;
    const before = bytes === undefined ? undefined : decodeConfigBytes(bytes, file);
    const after = await update(before);
    if (after === before) return { file, changed: false, created: false };
    const mode = current.mode ?? 0o600;
    if (bytes !== undefined) await writeAtomic(`${file}.bak`, bytes, mode);
    await writeAtomic(file, after, mode);
    return { file, changed: true, created: before === undefined };
  } finally {
    await release();
  }
}

async function examine(file: string): Promise<WriteTarget> {
  try {
    return await writeTarget(file);
  } catch (error) {
    throw asConfigWriteError(error, file);
  }
}

async function readBytes(file: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file);
  } catch (cause) {
    if (isNotFound(cause)) return undefined;
    throw new OclawError("E_CONFIG_INVALID", `Cannot read config file ${file}: ${fsReason(cause)}`, { cause });
  }
}

/** Replaces `file` atomically with exactly `mode`; a failure is a config write error. */
async function writeAtomic(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  try {
    await writeFileAtomic(file, data, { mode });
  } catch (error) {
    throw asConfigWriteError(error, file);
  }
}

/** What a lock file says about its owner. */
interface LockOwner {
  token: string;
  pid?: number;
  host?: string;
}

function parseLock(text: string): LockOwner {
  const [token = "", ...rest] = text.split("\n");
  const owner: LockOwner = { token };
  for (const line of rest) {
    const [key, value] = [line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1)];
    if (key === "pid" && /^\d+$/.test(value)) owner.pid = Number(value);
    if (key === "host") owner.host = value;
  }
  return owner;
}

/** True when a process with this id exists on this host (EPERM: it exists, owned by someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM";
  }
}

/**
 * Whether a lock is left over: its owner, on this host, is gone (at once); or it cannot be asked and the
 * lock is older than {@link STALE_LOCK_MS}. Returns the stale lock's token (to break exactly that lock), or
 * undefined.
 */
async function staleToken(lockFile: string): Promise<string | undefined> {
  let text: string;
  let mtimeMs: number;
  try {
    const handle = await open(lockFile, "r");
    try {
      text = await handle.readFile("utf8");
      mtimeMs = (await handle.stat()).mtimeMs;
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const owner = parseLock(text);
  const stale = owner.pid !== undefined && owner.host === hostname()
    ? !processAlive(owner.pid)
    : Date.now() - mtimeMs > STALE_LOCK_MS;
  return stale ? owner.token : undefined;
}

/**
 * Removes the lock file if it still is the stale lock with `token`. Its owner may have released it (and
 * exited, which made it look dead) while we looked, and another process taken a new lock at the same path:
 * that one must stay.
 */
async function breakStaleLock(lockFile: string, token: string): Promise<void> {
  const now = await readFile(lockFile, "utf8").catch(() => undefined);
  if (now !== undefined && parseLock(now).token === token) await unlink(lockFile).catch(() => {});
}

/** Takes `<file>.lock` (exclusive create), waiting for another holder; returns the release function. */
async function acquireLock(lockFile: string, options: UpdateOptions): Promise<() => Promise<void>> {
  const token = crypto.randomUUID();
  const started = Date.now();
  let delay = 5;
  for (;;) {
    if (options.signal?.aborted) throw abortError(options.signal);
    try {
      await writeFile(lockFile, `${token}\npid ${process.pid}\nhost ${hostname()}\n`, { flag: "wx", mode: 0o600 });
      return async () => {
        // Only remove the lock if it is still ours (a stale-lock breaker may have replaced it).
        const content = await readFile(lockFile, "utf8").catch(() => undefined);
        if (content?.startsWith(token)) await unlink(lockFile).catch(() => {});
      };
    } catch (cause) {
      if ((cause as { code?: unknown }).code !== "EEXIST") throw writeError(lockFile, "create the lock file", cause);
    }
    const stale = await staleToken(lockFile).catch(() => undefined);
    if (stale !== undefined) {
      await breakStaleLock(lockFile, stale);
      continue;
    }
    if (Date.now() - started > LOCK_WAIT_MS) {
      const owner = parseLock(await readFile(lockFile, "utf8").catch(() => ""));
      const who = owner.pid === undefined ? "another oclaw" : `oclaw (pid ${owner.pid}${owner.host === undefined ? "" : ` on ${owner.host}`})`;
      throw new OclawError("E_CONFIG_WRITE", `Cannot lock ${lockFile}: ${who} is updating the config`, {
        hint: `If no oclaw is running, remove ${lockFile}`,
      });
    }
    if (delay === 5) options.onWait?.(lockFile);
    await sleep(delay + Math.random() * delay, options.signal);
    delay = Math.min(delay * 2, 100);
  }
}
