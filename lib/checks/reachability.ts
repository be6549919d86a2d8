/**
 * Doctor's "is the server there?" check: the probe's failure classified and fixed by lib/http/failure-hints.ts
 * (one source of those words), with where the base URL came from.
 */
import type { Provider } from "../catalog/types.ts";
import type { OclawError } from "../errors.ts";
import { failureFix as fixFor, type FailureKind, failureKindOf } from "../http/failure-hints.ts";
import type { ServerProbe } from "./server.ts";
import { check, type CheckResult } from "./types.ts";

/** Classifies a failed probe: another program on the port, or what the request's failure says. */
export function failureKind(probe: Extract<ServerProbe, { ok: false }>): FailureKind {
  if (probe.notOllama) return "not-ollama";
  return failureKindOf(probe.error, new URL(probe.url).hostname);
}

const SOURCE: Record<Provider["baseUrlSource"], string> = {
  config: "baseUrl in the config",
  OLLAMA_HOST: "OLLAMA_HOST",
  default: "the default address",
};

/** Where a provider's base URL came from, in words. */
export function urlSource(provider: Provider): string {
  return provider.id === "ollama" || provider.baseUrlSource !== "config"
    ? SOURCE[provider.baseUrlSource]
    : `models.providers.${provider.id}.baseUrl`;
}

/** The fix for a failure kind (lib/http/failure-hints.ts words it), for this provider. */
export function failureFix(kind: FailureKind, provider: Provider, error?: OclawError): string {
  return fixFor(kind, {
    baseUrl: provider.baseUrl,
    ollama: provider.api === "ollama",
    where: urlSource(provider),
    hint: error?.hint,
  });
}

/** How many tries a probe took, for messages: "" for one. */
function tries(probe: ServerProbe): string {
  return probe.dnsRetries ? ` (${probe.dnsRetries + 1} tries)` : "";
}

/**
 * The doctor checks for a provider's reachability: `reachable`, plus `dns` (warn) when the resolver failed
 * for a moment before it answered — the flaky-resolver symptom, worth fixing before it hits a real request.
 */
export function reachabilityChecks(provider: Provider, probe: ServerProbe): CheckResult[] {
  if (probe.ok) {
    const what = probe.version !== undefined ? `Ollama ${probe.version}` : "The server";
    const out = [check("reachable", "ok", `${what} answers at ${provider.baseUrl} (${urlSource(provider)})`, {
      provider: provider.id,
      ms: probe.ms,
    })];
    if (probe.dnsRetries) {
      const host = new URL(provider.baseUrl).hostname;
      out.push(check("dns", "warn", `Looking up ${host} failed for a moment (EAI_AGAIN) and worked on try ${probe.dnsRetries + 1}`, {
        provider: provider.id,
        fix: failureFix("dns-transient", provider),
      }));
    }
    return out;
  }
  const kind = failureKind(probe);
  return [check("reachable", "fail", probe.error.message + tries(probe), {
    provider: provider.id,
    fix: failureFix(kind, provider, probe.error),
    ms: probe.ms,
  })];
}
