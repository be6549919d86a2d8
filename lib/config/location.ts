/**
 * Where the config file and OpenClaw's state directory are: `--config PATH` > `$OPENCLAW_CONFIG_PATH` >
 * `$OPENCLAW_STATE_DIR/openclaw.json` > `~/.openclaw/openclaw.json` (the same file OpenClaw reads).
 */
import path from "node:path";
import type { Io } from "../io.ts";

/** The config file's name inside the state directory. */
export const CONFIG_FILENAME = "openclaw.json";

/** What chose the config file. */
export type ConfigSource = "flag" | "OPENCLAW_CONFIG_PATH" | "OPENCLAW_STATE_DIR" | "default";

/** The config file's path and what chose it. */
export interface ConfigLocation {
  path: string;
  source: ConfigSource;
}

function envValue(io: Io, name: string): string | undefined {
  const value = io.env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** Expands a leading `~` to the home directory and resolves a relative path against the working directory. */
export function expandUserPath(io: Io, value: string): string {
  const text = value.trim();
  if (text === "~") return io.homeDir;
  if (text.startsWith("~/")) return path.join(io.homeDir, text.slice(2));
  return path.resolve(io.cwd, text);
}

/** OpenClaw's state directory: `$OPENCLAW_STATE_DIR`, else `~/.openclaw`. */
export function stateDirFor(io: Io): string {
  const override = envValue(io, "OPENCLAW_STATE_DIR");
  return override === undefined ? path.join(io.homeDir, ".openclaw") : expandUserPath(io, override);
}

/** Picks the config file by precedence; `flag` is the value of `--config`. */
export function locateConfig(io: Io, flag?: string | undefined): ConfigLocation {
  if (flag !== undefined && flag.trim() !== "") return { path: expandUserPath(io, flag), source: "flag" };
  const explicit = envValue(io, "OPENCLAW_CONFIG_PATH");
  if (explicit !== undefined) return { path: expandUserPath(io, explicit), source: "OPENCLAW_CONFIG_PATH" };
  const source = envValue(io, "OPENCLAW_STATE_DIR") === undefined ? "default" : "OPENCLAW_STATE_DIR";
  return { path: path.join(stateDirFor(io), CONFIG_FILENAME), source };
}
