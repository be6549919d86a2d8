/**
 * The one way oclaw writes a file (the config, its backup, health's --output, the show cache, state files),
 * so that a reader sees the old content or the new, never half of it — and so that nothing but a regular
 * file is ever replaced. The target is looked at first:
 * - a regular file: the data goes to a temporary file in the same directory (a rename is atomic only within
 *   one file system), is flushed to disk, and is renamed over it;
 * - a symbolic link: the same, on the file it points to (the link stays); a link to nothing is an error
 *   naming the missing target;
 * - a missing path: created the same way;
 * - a device, FIFO, socket or directory: refused, and nothing is touched (as root, a rename over
 *   `/dev/null` would replace the device with a file);
 * - `-` or `/dev/stdout`: the caller's `stdout` gets the data, when it gave one.
 */
import { lstat, open, readlink, realpath, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { OclawError } from "./errors.ts";
import { fsReason, isNotFound } from "./fs-errors.ts";

/** Options for {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** The file's mode. Without it an existing file keeps its own and a new one gets 0o644. */
  mode?: number;
  /**
   * Where `-` and `/dev/stdout` (also `/dev/fd/1`, `/proc/self/fd/1`) write; without it those names are
   * refused like any other device.
   */
  stdout?: (text: string) => Promise<void>;
}

/** Names that mean the process's standard output. */
const STDOUT_NAMES = new Set(["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]);

/** True when `file` names the standard output (`-`, `/dev/stdout` ...). */
export function isStdoutName(file: string): boolean {
  return STDOUT_NAMES.has(file);
}

/** What a path turned out to be: the file to write (links followed) and whether it exists. */
export interface WriteTarget {
  /** The path to replace: `file` itself, or the file its symbolic links lead to. */
  file: string;
  /** False when the file is to be created. */
  exists: boolean;
  /** The existing file's permission bits. */
  mode?: number;
}

/** The kind of a non-regular file, in words. */
function kindOf(info: { isDirectory(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return "a directory";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  if (info.isFIFO()) return "a FIFO (named pipe)";
  if (info.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Looks at `file` before a write: follows symbolic links, and refuses anything but a regular or missing file.
 * Never creates or changes anything.
 * @throws OclawError E_WRITE for a device, FIFO, socket, directory or a link to nothing (`cause.code` tells
 *   which: ENOTREG, EISDIR, ENOENT), or when the path cannot be examined
 */
export async function writeTarget(file: string): Promise<WriteTarget> {
  let info;
  try {
    info = await lstat(file);
  } catch (cause) {
    if (isNotFound(cause)) return { file, exists: false };
    throw new OclawError("E_WRITE", `Cannot write ${file}: ${fsReason(cause, "write")}`, { cause });
  }
  let target = file;
  if (info.isSymbolicLink()) {
    try {
      target = await realpath(file);
      info = await stat(target);
    } catch (cause) {
      if (!isNotFound(cause)) throw new OclawError("E_WRITE", `Cannot write ${file}: ${fsReason(cause, "write")}`, { cause });
      const points = await danglingEnd(file);
      throw new OclawError("E_WRITE", `Cannot write ${file}: it is a symbolic link to ${points}, which does not exist`, {
        hint: `Create ${points}'s directory or fix the link; oclaw does not guess where a broken link should lead`,
        cause,
      });
    }
  }
  if (!info.isFile()) {
    const kind = kindOf(info);
    const named = target === file ? file : `${file} (-> ${target})`;
    const cause = Object.assign(new Error(`${target} is ${kind}`), { code: info.isDirectory() ? "EISDIR" : "ENOTREG" });
    throw new OclawError("E_WRITE", `Refusing to write ${named}: it is ${kind}, not a regular file`, {
      hint: "oclaw replaces only regular files; name a file (or '-' for stdout where that is allowed)",
      cause,
    });
  }
  return { file: target, exists: true, mode: info.mode & 0o7777 };
}

/** The path a chain of links finally points to that does not exist (for the error message). */
async function danglingEnd(file: string): Promise<string> {
  let current = file;
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      link = await readlink(current);
    } catch {
      return current;
    }
    current = path.resolve(path.dirname(current), link);
  }
  return current;
}

/**
 * Replaces `file` with `data` atomically, per the rules above. The temporary name starts with a dot and ends
 * in `.tmp`, so collectors that read `*.prom` (node_exporter) never pick it up; it is removed when anything
 * fails. `data` as text is written as UTF-8; bytes are written as they are.
 * @throws OclawError E_WRITE naming the file and why it could not be written (the cause keeps the errno)
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  if (options.stdout !== undefined && isStdoutName(file)) {
    await options.stdout(typeof data === "string" ? data : new TextDecoder().decode(data));
    return;
  }
  const target = await writeTarget(file);
  const mode = options.mode ?? target.mode ?? 0o644;
  const dir = path.dirname(target.file);
  const temp = path.join(dir, `.${path.basename(target.file)}.${crypto.randomUUID().slice(0, 13)}.tmp`);
  try {
    const handle = await open(temp, "wx", mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
      // open() applies the umask; set the mode we meant.
      await handle.chmod(mode);
    } finally {
      await handle.close();
    }
    await rename(temp, target.file);
  } catch (cause) {
    await rm(temp, { force: true }).catch(() => {});
    throw new OclawError("E_WRITE", `Cannot write ${file}: ${fsReason(cause, "write")}`, { cause });
  }
}
