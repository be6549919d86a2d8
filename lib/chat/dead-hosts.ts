/**
 * Memory of unreachable hosts between runs, so a cron job does not pay the same connect timeout every
 * minute: a candidate whose server could not be reached (refused, connect timeout, DNS) is remembered in
 * `$XDG_STATE_HOME/oclaw/hosts.json` for 60 s (`OCLAW_DEAD_HOST_TTL` seconds; 0 turns it off), and the next
 * runs try candidates on remembered hosts last. A host that answers is forgotten at once.
 *
 * Concurrent runs: the file is replaced atomically (lib/atomic-write.ts), so a reader sees one whole
 * version; each run re-reads it just before writing and applies only what it learnt itself (merge on write),
 * so runs that learn about different hosts keep each other's entries — two runs writing at the same instant
 * may lose one entry, which costs one connect timeout, never a broken file.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../atomic-write.ts";
import { readTextFile } from "../read-now.ts";
import type { Provider } from "../catalog/types.ts";
import { OclawError } from "../errors.ts";
import type { Io } from "../io.ts";
import type { Logger } from "../log.ts";
import { stateDir } from "../state/dirs.ts";
import type { Attempt, Candidate } from "./fallback.ts";

/** The variable that sets how long a host stays remembered, in seconds. */
export const DEAD_HOST_TTL_ENV = "OCLAW_DEAD_HOST_TTL";

/** How long a host stays remembered by default. */
export const DEFAULT_DEAD_HOST_TTL_S = 60;

/** One remembered host: when it failed and how. */
interface DeadHost {
  /** Epoch ms of the failure. */
  at: number;
  /** E_UNREACHABLE or E_DNS. */
  code: string;
}

type Hosts = Record<string, DeadHost>;

/** The remembering TTL in ms (0: off); an unreadable value means the default. */
export function deadHostTtlMs(env: Record<string, string | undefined>): number {
  const raw = env[DEAD_HOST_TTL_ENV]?.trim();
  const seconds = raw === undefined || raw === "" ? NaN : Number(raw);
  return (Number.isFinite(seconds) && seconds >= 0 ? seconds : DEFAULT_DEAD_HOST_TTL_S) * 1000;
}

/** The file: `$XDG_STATE_HOME/oclaw/hosts.json`. */
export function hostsFile(io: Pick<Io, "env" | "homeDir">): string {
  return path.join(stateDir(io), "hosts.json");
}

/** The remembered hosts still within the TTL; a missing or broken file is an empty memory. */
async function readHosts(file: string, now: number, ttlMs: number): Promise<Hosts> {
  let data: unknown;
  try {
    data = JSON.parse(await readTextFile(file));
  } catch {
    return {};
  }
  const hosts: Hosts = {};
  const entries = (data as { hosts?: unknown } | null)?.hosts;
  if (typeof entries !== "object" || entries === null) return hosts;
  for (const [origin, entry] of Object.entries(entries as Record<string, unknown>)) {
    const { at, code } = (entry ?? {}) as { at?: unknown; code?: unknown };
    if (typeof at === "number" && typeof code === "string" && now - at < ttlMs && at <= now + 1000) hosts[origin] = { at, code };
  }
  return hosts;
}

/** True for a failure to reach the server at all (the host is worth remembering). */
function unreachable(error: unknown): boolean {
  return error instanceof OclawError && (error.code === "E_UNREACHABLE" || error.code === "E_DNS");
}

/** What a chat run does with the memory. */
export interface DeadHostMemory {
  /** The candidates with those on remembered hosts moved last (otherwise in order); `-v` says why. */
  order(candidates: Candidate[]): Candidate[];
  /** The attempt, watched: a host that could not be reached is remembered, one that answered forgotten. */
  watch(attempt: Attempt): Attempt;
  /** Writes what this run learnt (merge on write); never throws. */
  save(): Promise<void>;
}

/** Loads the memory for a chat run. Never throws: without a readable file nothing is remembered. */
export async function deadHostMemory(io: Io, log: Logger, providers: Provider[]): Promise<DeadHostMemory> {
  const ttlMs = deadHostTtlMs(io.env);
  const file = hostsFile(io);
  const known = ttlMs === 0 ? {} : await readHosts(file, io.wallClock(), ttlMs);
  // What this run learnt: origin → failure, or null for a host that answered.
  const learnt = new Map<string, DeadHost | null>();
  const originOf = (c: Candidate): string | undefined => {
    const provider = providers.find((p) => p.id === c.provider);
    if (provider === undefined) return undefined;
    try {
      return new URL(provider.baseUrl).origin;
    } catch {
      return undefined;
    }
  };

  return {
    order(candidates) {
      const alive: Candidate[] = [];
      const dead: Candidate[] = [];
      for (const c of candidates) {
        const origin = originOf(c);
        const entry = origin === undefined ? undefined : known[origin];
        if (entry === undefined) {
          alive.push(c);
          continue;
        }
        dead.push(c);
        const age = Math.max(0, Math.round((io.wallClock() - entry.at) / 1000));
        log.debug(`${c.ref}: ${origin} could not be reached ${age} s ago (${entry.code}); trying it last (${file})`);
      }
      return [...alive, ...dead];
    },
    watch(attempt) {
      return async function* (candidate, signal) {
        const origin = originOf(candidate);
        try {
          for await (const event of attempt(candidate, signal)) {
            if (origin !== undefined && event.type !== "start") learnt.set(origin, null);
            yield event;
          }
        } catch (error) {
          if (origin !== undefined && !signal.aborted) {
            if (unreachable(error)) learnt.set(origin, { at: io.wallClock(), code: (error as OclawError).code });
            else if (error instanceof OclawError && error.status !== undefined) learnt.set(origin, null);
          }
          throw error;
        }
      };
    },
    async save() {
      if (ttlMs === 0 || learnt.size === 0) return;
      const changes = [...learnt].filter(([origin, entry]) => entry !== null || known[origin] !== undefined);
      if (changes.length === 0) return;
      try {
        const hosts = await readHosts(file, io.wallClock(), ttlMs);
        for (const [origin, entry] of changes) {
          if (entry === null) delete hosts[origin];
          else {
            hosts[origin] = entry;
            log.debug(`remembering ${origin} as unreachable for ${ttlMs / 1000} s (${file})`);
          }
        }
        await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        await writeFileAtomic(file, JSON.stringify({ hosts }, null, 2) + "\n", { mode: 0o600 });
      } catch (error) {
        log.debug(`cannot update ${file}: ${(error as Error).message}`);
      }
    },
  };
}
