/**
 * What Ollama accepts for `think`, by version: a bool only before 0.11.0 (api/types.go), "low" | "medium" |
 * "high" since, "max" since 0.21.3. oclaw sends what the server takes and, when it still refuses, asks once
 * more with the nearest value.
 */
import { SINCE, versionAtLeast } from "../catalog/ollama-version.ts";
import { OclawError } from "../errors.ts";
import type { Think } from "./request.ts";

/** True for Ollama's 400 for a think value it does not take (`invalid think value`, `/v1`'s `invalid reasoning value`). */
export function isInvalidThink(error: unknown): boolean {
  return error instanceof OclawError && error.status === 400 && /invalid (think|reasoning) value/.test(error.message);
}

/** The `think` a server of `version` takes for the one asked: "max" → "high" before 0.21.3, a level → true before 0.11.0. */
export function thinkFor(think: Think, version: string | undefined): Think {
  if (typeof think !== "string") return think;
  if (versionAtLeast(version, SINCE.thinkLevels) === false) return true;
  if (think === "max" && versionAtLeast(version, SINCE.thinkMax) === false) return "high";
  return think;
}
