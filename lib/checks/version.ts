/**
 * What an Ollama server's version means for oclaw: before 0.6.4 `/api/show` has no `capabilities`
 * (discovery can see no tool support), before 0.8.0 tool calls do not stream.
 */
import { isDevBuild, versionAtLeast as atLeast } from "../catalog/ollama-version.ts";
import { check, type CheckResult } from "./types.ts";

/** First version whose `/api/show` lists `capabilities`. */
export const CAPABILITIES_SINCE = "0.6.4";
/** First version that streams reply tokens while tools are in play. */
export const STREAMING_TOOLS_SINCE = "0.8.0";

/** True when `version` is `floor` or newer (a source build's `0.0.0` counts as newest); undefined when unreadable. */
export function versionAtLeast(version: string, floor: string): boolean | undefined {
  return atLeast(version, floor);
}

/**
 * Judges a server version. `discovers` says whether the provider's catalogue comes from discovery (then an
 * old server leaves it empty: a failure, not a warning).
 */
export function versionCheck(provider: string, version: string, discovers: boolean): CheckResult {
  const upgrade = "Upgrade Ollama: curl -fsSL https://ollama.com/install.sh | sh (or your package manager), " +
    "then restart it";
  if (versionAtLeast(version, CAPABILITIES_SINCE) === false) {
    const message = `Ollama ${version} is older than ${CAPABILITIES_SINCE}: it does not report model capabilities, ` +
      "so discovery cannot tell which models support tools and keeps none";
    return check("version", discovers ? "fail" : "warn", message, {
      provider,
      fix: `${upgrade}. Until then, list the models you use under models.providers.${provider}.models ` +
        "(configured models are used without a capability check); tool calls will not stream either",
    });
  }
  if (versionAtLeast(version, STREAMING_TOOLS_SINCE) === false) {
    return check(
      "version",
      "warn",
      `Ollama ${version} is older than ${STREAMING_TOOLS_SINCE}: with tools, replies do not stream (they arrive ` +
        "all at once, and over /v1 tool calls may come back as plain text)",
      {
        provider,
        fix: `${upgrade}; or turn streaming off for the models you use with tools: params: { streaming: false }`,
      },
    );
  }
  const note = isDevBuild(version)
    ? " (a build from source: taken as the newest)"
    : versionAtLeast(version, CAPABILITIES_SINCE) === undefined
    ? " (not a release number; assumed recent)"
    : "";
  return check("version", "ok", `Ollama ${version}${note}`, { provider });
}
