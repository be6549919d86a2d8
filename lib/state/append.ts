/**
 * Appending whole lines to a state file (sessions, the run log) so that a reader never sees half of an
 * append: the lines go out in one write on a file opened for appending (the kernel puts each such write at
 * the end, whole, even with two oclaw runs at once); when the write fails part-way (a full disk) the file is
 * cut back to where it was. A crash in the middle of the write itself can at worst leave a last line without
 * its newline, which {@link readJsonLines} leaves out and the next append cuts off. Files are 0600 in a 0700 directory, and like every
 * write (lib/atomic-write.ts) only regular files are written: a link is followed, a device refused.
 */
import { type FileHandle, mkdir, open, readFile, rename, stat } from "node:fs/promises";
import path from "node:path";
import { writeTarget } from "../atomic-write.ts";
import { OclawError } from "../errors.ts";
import { fsReason, isNotFound } from "../fs-errors.ts";

/** Mode of state files: the owner's only (they hold prompts and replies). */
export const STATE_FILE_MODE = 0o600;

/** Mode of state directories. */
export const STATE_DIR_MODE = 0o700;

/** Options for {@link appendLines}. */
export interface AppendOptions {
  /**
   * Rotation: when the file would grow past this many bytes, it is first renamed to `<file>.1` (replacing
   * the previous one) and the lines start a new file.
   */
  maxBytes?: number;
}

/**
 * Creates a state directory (and its parents) 0700 when missing.
 * @throws OclawError E_WRITE when it cannot be created
 */
export async function ensureStateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: STATE_DIR_MODE });
  } catch (cause) {
    throw new OclawError("E_WRITE", `Cannot create ${dir}: ${fsReason(cause, "write")}`, { cause });
  }
}

/**
 * Appends `lines` (each without a newline) to `file` as one write, creating the file 0600 and its directory
 * 0700 when missing, rotating first when `maxBytes` would be passed.
 * @throws OclawError E_WRITE naming the file and why; the file is left as it was
 */
export async function appendLines(file: string, lines: string[], options: AppendOptions = {}): Promise<void> {
  if (lines.length === 0) return;
  const bytes = new TextEncoder().encode(lines.map((line) => `${line}\n`).join(""));
  await ensureStateDir(path.dirname(file));
  const target = await writeTarget(file);
  if (target.exists && options.maxBytes !== undefined) await rotate(target.file, bytes.length, options.maxBytes);
  let handle;
  try {
    handle = await open(target.file, "a+", STATE_FILE_MODE);
  } catch (cause) {
    throw new OclawError("E_WRITE", `Cannot write ${file}: ${fsReason(cause, "write")}`, { cause });
  }
  let before = 0;
  try {
    const info = await handle.stat();
    before = await wholeLinesEnd(handle, info.size);
    // A line cut by a crash would run into ours: it goes (readers leave it out anyway).
    if (before < info.size) await handle.truncate(before);
    // open() applies the umask and keeps an existing file's mode: state files are the owner's only.
    if ((info.mode & 0o777) !== STATE_FILE_MODE) await handle.chmod(STATE_FILE_MODE);
    await handle.writeFile(bytes);
  } catch (cause) {
    await handle.truncate(before).catch(() => {});
    throw new OclawError("E_WRITE", `Cannot write ${file}: ${fsReason(cause, "write")}`, { cause });
  } finally {
    await handle.close();
  }
}

/** Where the file's last whole line ends: its size, or less when it ends in a cut line. */
async function wholeLinesEnd(handle: FileHandle, size: number): Promise<number> {
  const chunk = new Uint8Array(4096);
  let end = size;
  while (end > 0) {
    const from = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - from, from);
    const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (at >= 0) return from + at + 1;
    end = from;
  }
  return 0;
}

async function rotate(file: string, adding: number, maxBytes: number): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return;
  }
  if (size === 0 || size + adding <= maxBytes) return;
  try {
    await rename(file, `${file}.1`);
  } catch (cause) {
    // Another run rotated it first.
    if (!isNotFound(cause)) throw new OclawError("E_WRITE", `Cannot rotate ${file}: ${fsReason(cause, "write")}`, { cause });
  }
}

/** A line of a JSON-lines file that is not JSON: where it is. */
export class BadLine extends Error {
  override name = "BadLine";
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

/**
 * Reads a JSON-lines file: each complete line parsed, empty lines skipped, a last line without its newline
 * (an append cut by a crash) left out. A missing file is no lines.
 * @param skipBad leave out lines that are not JSON instead of failing (a log read for display)
 * @throws BadLine for a complete line that is not JSON; OclawError E_USAGE when the file cannot be read
 */
export async function readJsonLines(file: string, skipBad = false): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if (isNotFound(cause)) return [];
    throw new OclawError("E_USAGE", `Cannot read ${file}: ${fsReason(cause)}`, { cause });
  }
  const lines = text.split("\n");
  // The part after the last newline: "" for a whole file, a cut line otherwise.
  lines.pop();
  const values: unknown[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      values.push(JSON.parse(line));
    } catch (error) {
      if (skipBad) return;
      throw new BadLine(file, i + 1, `not JSON (${(error as Error).message})`);
    }
  });
  return values;
}
