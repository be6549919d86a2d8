/**
 * oclaw's version line. The commit is baked in by `bun build --define OCLAW_COMMIT=...` (scripts/build.ts);
 * a run from source asks git.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { platformDescription, runtimeDescription } from "./runtime.ts";

declare const OCLAW_COMMIT: string | undefined;

/** The release version (kept equal to package.json's). */
export const VERSION = "0.1.0";

function sourceCommit(): string {
  try {
    const dir = fileURLToPath(new URL("..", import.meta.url));
    const out = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: dir, stdio: ["ignore", "pipe", "ignore"] });
    return out.toString().trim();
  } catch {
    return "unknown";
  }
}

/** `oclaw <version> (<commit>, <runtime> <ver>, <os>-<arch>)`. */
export function versionLine(): string {
  const commit = typeof OCLAW_COMMIT === "string" ? OCLAW_COMMIT : sourceCommit();
  return `oclaw ${VERSION} (${commit}, ${runtimeDescription()}, ${platformDescription()})`;
}
