/**
 * Where oclaw keeps files between runs, resolved in one place by the XDG base-directory rules: the show
 * cache under `$XDG_CACHE_HOME/oclaw` (else `~/.cache/oclaw`); sessions, the run log, health state and
 * remembered dead hosts under `$XDG_STATE_HOME/oclaw` (else `~/.local/state/oclaw`). Every file written
 * there goes through lib/atomic-write.ts.
 */
import path from "node:path";
import type { Io } from "../io.ts";

/** What the directory rules read: the environment and the home directory. */
export type DirsIo = Pick<Io, "env" | "homeDir">;

/** An XDG variable's value when it is usable: the spec says a relative path is invalid and must be ignored. */
function xdgBase(io: DirsIo, name: string): string | undefined {
  const value = io.env[name]?.trim();
  return value !== undefined && value !== "" && path.isAbsolute(value) ? value : undefined;
}

/** oclaw's cache directory: `$XDG_CACHE_HOME/oclaw`, else `~/.cache/oclaw`. */
export function cacheDir(io: DirsIo): string {
  return path.join(xdgBase(io, "XDG_CACHE_HOME") ?? path.join(io.homeDir, ".cache"), "oclaw");
}

/** oclaw's state directory: `$XDG_STATE_HOME/oclaw`, else `~/.local/state/oclaw` (create it 0700). */
export function stateDir(io: DirsIo): string {
  return path.join(xdgBase(io, "XDG_STATE_HOME") ?? path.join(io.homeDir, ".local", "state"), "oclaw");
}
