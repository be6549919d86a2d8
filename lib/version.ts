/**
 * oclaw's version line. The commit is baked in by `bun build --define OCLAW_COMMIT=...` (scripts/build.ts);
 * a run from source asks git.
 */
import { platformDescription, runtimeDescription } from "./runtime.ts";

declare const OCLAW_COMMIT: string | undefined;

/** The release version (kept equal to package.json's). */
export const VERSION = "0.1.0";

/**
 * The commit of a run from source, from git. Its modules are loaded here, not at the top: the compiled binary
 * loads every static node: import at start-up, and the binary has its commit baked in.
 */
async function sourceCommit(): Promise<string> {
  try {
    const [{ execFileSync }, { fileURLToPath }] = await Promise.all([import("node:child_process"), import("node:url")]);
    const dir = fileURLToPath(new URL("..", import.meta.url));
    const out = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: dir, stdio: ["ignore", "pipe", "ignore"] });
    return out.toString().trim();
  } catch {
    return "unknown";
  }
}

/** `oclaw <version> (<commit>, <runtime> <ver>, <os>-<arch>)`. */
export async function versionLine(): Promise<string> {
  const commit = typeof OCLAW_COMMIT === "string" ? OCLAW_COMMIT : await sourceCommit();
  return `oclaw ${VERSION} (${commit}, ${runtimeDescription()}, ${platformDescription()})`;
}
