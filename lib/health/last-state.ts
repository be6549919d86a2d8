/**
 * `--changes-only`: the state of the last run with the same config file and arguments, kept in
 * `$XDG_STATE_HOME/oclaw/health/<key>.json` (written atomically, 0600), so a cron job prints only when the
 * state changes.
 */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../atomic-write.ts";
import { locateConfig } from "../config/location.ts";
import type { Io } from "../io.ts";
import { stateDir } from "../state/dirs.ts";
import { keyHash } from "../state/key-hash.ts";
import type { HealthState } from "./report.ts";

/** What a run is keyed by: the config file it reads and the arguments that change its verdict. */
export interface RunKey {
  configPath: string | undefined;
  models: string[];
  probe: string | undefined;
  warnMs: number;
  critMs: number;
}

/** The file holding the last state of runs with this key, named after its key hash. */
export function lastStateFile(io: Io, key: RunKey): string {
  const config = path.resolve(locateConfig(io, key.configPath).path);
  const text = JSON.stringify([config, key.models, key.probe ?? null, key.warnMs, key.critMs]);
  return path.join(stateDir(io), "health", `${keyHash(text).slice(0, 16)}.json`);
}

/** The state the last run left, or undefined (first run, unreadable or foreign content). */
export async function readLastState(file: string): Promise<HealthState | undefined> {
  try {
    const data = JSON.parse(await readFile(file, "utf8")) as { state?: unknown };
    const state = data.state;
    return state === "ok" || state === "warning" || state === "critical" || state === "unknown" ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers this run's state. @throws OclawError E_WRITE */
export async function writeLastState(file: string, state: HealthState, summary: string, at: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, JSON.stringify({ state, summary, at }) + "\n", { mode: 0o600 });
}
