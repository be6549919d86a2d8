/**
 * Reading a local file at once. A regular file is read synchronously: an asynchronous read goes through the
 * runtime's thread pool, round trips a start-up pays for each file (config, memo, auth profiles, host
 * memory). Anything else (a FIFO nobody writes to, a device) is not read here: the caller reads it the
 * asynchronous way, which a signal or the run's timeout can end. The file is opened non-blocking, so that
 * opening a FIFO never waits for a writer, even one put in place of a regular file a moment before.
 */
import fs from "node:fs";
import { readFile } from "node:fs/promises";

/**
 * The text (UTF-8) of `file` when it is a regular file, or undefined when it is something else.
 * @throws the runtime's error for a file that cannot be opened (ENOENT, EACCES, ...)
 */
export function readRegularFileNow(file: string): string | undefined {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    return fs.fstatSync(fd).isFile() ? fs.readFileSync(fd, "utf8") : undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The text (UTF-8) of `file`: at once when it is a regular file, else read asynchronously (the caller bounds
 * that wait with its signal).
 * @throws the runtime's error for a file that cannot be read (ENOENT, EACCES, ...)
 */
export async function readTextFile(file: string): Promise<string> {
  return readRegularFileNow(file) ?? await readFile(file, "utf8");
}
