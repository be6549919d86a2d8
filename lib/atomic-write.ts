/**
 * Writing a file so that a reader sees the old content or the new, never half of it: the text goes to a
 * temporary file in the same directory (a rename is atomic only within one file system), is flushed to
 * disk, and is then renamed over the target.
 */
import { open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { OclawError } from "./errors.ts";
import { fsReason } from "./fs-errors.ts";

/** Options for {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** The file's mode. Without it an existing file keeps its own and a new one gets 0o644. */
  mode?: number;
}

/**
 * Replaces `file` with `text` atomically. The temporary name starts with a dot and ends in `.tmp`, so
 * collectors that read `*.prom` (node_exporter) never pick it up; it is removed when anything fails.
 * @throws OclawError E_WRITE naming the file and why it could not be written (the cause keeps the errno)
 */
export async function writeFileAtomic(file: string, text: string, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${crypto.randomUUID().slice(0, 13)}.tmp`);
  let mode = options.mode ?? 0o644;
  if (options.mode === undefined) {
    try {
      mode = (await stat(file)).mode & 0o7777;
    } catch {
      // A new file: the default mode.
    }
  }
  try {
    const handle = await open(temp, "wx", mode);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
      // open() applies the umask; set the mode we meant.
      await handle.chmod(mode);
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (cause) {
    await rm(temp, { force: true }).catch(() => {});
    throw new OclawError("E_WRITE", `Cannot write ${file}: ${fsReason(cause, "write")}`, { cause });
  }
}
