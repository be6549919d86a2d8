/**
 * OpenClaw's auth profiles (`$OPENCLAW_STATE_DIR/agents/<agent>/agent/auth-profiles.json`):
 * `{ "version": 1, "profiles": { "ollama:default": { "type": "api_key", "provider": "ollama", "key": "..." } } }`.
 * oclaw only reads them, to learn whether a provider was set up through OpenClaw's onboarding.
 */
import path from "node:path";
import { readTextFile } from "../read-now.ts";

/** The agent whose profiles are read unless told otherwise. */
export const DEFAULT_AGENT = "main";

/** One profile found for a provider. */
export interface AuthProfile {
  /** The profile id (`ollama:default`). */
  id: string;
  provider: string;
  type: string;
  /** The credential (`key` or `token`), when the profile holds one. */
  secret?: string;
}

/** The auth-profiles.json path for an agent. */
export function authProfilesPath(stateDir: string, agent: string = DEFAULT_AGENT): string {
  return path.join(stateDir, "agents", agent, "agent", "auth-profiles.json");
}

/**
 * The profiles for `provider` in an agent's auth-profiles.json; an absent, unreadable or malformed file
 * counts as no profiles (it is OpenClaw's file, and a broken one must not stop oclaw).
 */
export async function findAuthProfiles(file: string, provider: string): Promise<AuthProfile[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readTextFile(file));
  } catch {
    return [];
  }
  const profiles = (parsed as { profiles?: unknown } | null)?.profiles;
  if (typeof profiles !== "object" || profiles === null) return [];
  const found: AuthProfile[] = [];
  for (const [id, value] of Object.entries(profiles)) {
    if (typeof value !== "object" || value === null) continue;
    const entry = value as Record<string, unknown>;
    if (entry.provider !== provider || typeof entry.type !== "string") continue;
    const profile: AuthProfile = { id, provider, type: entry.type };
    const secret = [entry.key, entry.token, entry.access].find((v) => typeof v === "string" && v !== "");
    if (typeof secret === "string") profile.secret = secret;
    found.push(profile);
  }
  return found;
}
