/** Throw-away directories under the system temp dir. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** A fresh temporary directory named `oclaw-<label>-…`; the caller removes it. */
export function tempDir(label = "test"): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `oclaw-${label}-`));
}

/** Runs `body` with a fresh temporary directory and removes it afterwards whatever happens. */
export async function withTempDir<T>(label: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await tempDir(label);
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
