/**
 * Checks of the config itself: the file found and valid, its permissions while it holds a key, and which
 * providers are enabled and how.
 */
import { readFile, stat } from "node:fs/promises";
import type { ResolvedConfig } from "../config/resolve.ts";
import type { ConfigLocation } from "../config/location.ts";
import { parseJson5 } from "../config/json5-text.ts";
import { collectSecrets } from "../config/secrets.ts";
import type { OclawError } from "../errors.ts";
import { check, type CheckResult } from "./types.ts";

const SOURCE: Record<ConfigLocation["source"], string> = {
  flag: "--config",
  OPENCLAW_CONFIG_PATH: "$OPENCLAW_CONFIG_PATH",
  OPENCLAW_STATE_DIR: "$OPENCLAW_STATE_DIR",
  default: "default location",
};

/** The config check for a config that resolved. */
export function configCheck(config: ResolvedConfig): CheckResult {
  const where = `${config.file.path} (${SOURCE[config.file.source]})`;
  if (!config.file.exists) {
    return check("config", "ok", `No config file at ${where}: built-in defaults apply`);
  }
  return check("config", "ok", `Config ${where} is valid`);
}

/** The config check for a config that failed to load. */
export function configErrorCheck(error: OclawError): CheckResult {
  return check("config", "fail", error.message, {
    fix: error.hint ?? "Fix the config file, then run 'oclaw config validate'",
  });
}

/** Secret values written in the file itself (a `${VAR}` reference is not a secret stored in the file). */
function storedSecrets(text: string, file: string): string[] {
  let parsed: unknown;
  try {
    parsed = parseJson5(text, file);
  } catch {
    return [];
  }
  return [...collectSecrets(parsed)].filter((value) => !/^\$\{[A-Z_][A-Z0-9_]*\}$/.test(value.trim()));
}

/**
 * The permissions check: a config file holding a key must not be readable by other users.
 * Undefined when there is no file to look at.
 */
export async function permissionsCheck(file: string): Promise<CheckResult | undefined> {
  let mode: number;
  let text: string;
  try {
    mode = (await stat(file)).mode & 0o777;
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  const octal = mode.toString(8).padStart(3, "0");
  const secrets = storedSecrets(text, file);
  if (secrets.length === 0) {
    return check("config-permissions", "ok", `${file} holds no key (mode ${octal})`);
  }
  const fix = `chmod 600 ${file}`;
  if ((mode & 0o004) !== 0) {
    return check("config-permissions", "fail", `${file} holds a key and every user on this machine can read it (mode ${octal})`, {
      fix,
    });
  }
  if ((mode & 0o040) !== 0) {
    return check("config-permissions", "warn", `${file} holds a key and its group can read it (mode ${octal})`, { fix });
  }
  return check("config-permissions", "ok", `${file} holds a key and only its owner can read it (mode ${octal})`);
}

const ENABLED_BY = {
  env: "OLLAMA_API_KEY is set",
  config: "models.providers.ollama is in the config",
  "auth-profile": "OpenClaw has an auth profile for it",
} as const;

/** The provider check: which providers are enabled, and how the ollama one was (or why it was not). */
export function providerCheck(config: ResolvedConfig): CheckResult {
  const others = config.providers.filter((p) => p.id !== "ollama").map((p) => `${p.id} (${p.api}, ${p.baseUrl})`);
  const ignored = config.ignoredProviders.map((p) => `${p.id}: ${p.reason}`);
  const tail = [
    others.length > 0 ? `; also ${others.join(", ")}` : "",
    ignored.length > 0 ? `; skipped ${ignored.join("; ")}` : "",
  ].join("");
  const ollama = config.providers.find((p) => p.id === "ollama");
  if (config.ollama.enabled && ollama !== undefined) {
    const how = ENABLED_BY[config.ollama.enabledBy ?? "config"];
    const catalogue = ollama.discover
      ? "models are discovered from the server"
      : `${ollama.models.length} model(s) listed in the config, discovery off (a model pulled later is used ` +
        "only once it is listed there)";
    return check("provider", "ok", `ollama enabled: ${how}; ${catalogue}${tail}`, { provider: "ollama" });
  }
  const enable = "Enable Ollama: export OLLAMA_API_KEY=ollama-local (any value will do), or " +
    "oclaw config set models.providers.ollama.apiKey ollama-local";
  if (config.providers.length === 0) {
    return check("provider", "fail", `No provider is enabled: ${config.ollama.reasons.join("; ")}${tail}`, { fix: enable });
  }
  return check("provider", "ok", `ollama not enabled (${config.ollama.reasons.join("; ")})${tail}`);
}
