/**
 * "Is the server there?" told apart by what the network said, each with its own fix: refused on this
 * machine (Ollama is not running), refused on another host (Ollama listens on loopback only), a connect
 * timeout (a firewall drops the packets), a DNS failure (a flaky resolver, or a wrong name), Ollama's 403
 * Host check, a server error, or another program on the port.
 */
import type { Provider } from "../catalog/types.ts";
import { OclawError } from "../errors.ts";
import { isLoopbackHost } from "../http.ts";
import type { ServerProbe } from "./server.ts";
import { check, type CheckResult } from "./types.ts";

/** The kinds of "cannot use the server" oclaw tells apart. */
export type FailureKind =
  | "refused-local"
  | "refused-remote"
  | "connect-timeout"
  | "dns-transient"
  | "dns"
  | "host-check"
  | "not-ollama"
  | "server-error"
  | "answer-timeout"
  | "other";

function causeCode(error: OclawError): string | undefined {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Classifies a failed probe. */
export function failureKind(probe: Extract<ServerProbe, { ok: false }>): FailureKind {
  const { error } = probe;
  if (probe.notOllama) return "not-ollama";
  const host = new URL(probe.url).hostname;
  if (error.code === "E_DNS") return causeCode(error) === "EAI_AGAIN" ? "dns-transient" : "dns";
  if (error.code === "E_UNREACHABLE") {
    const code = causeCode(error);
    if (code === "ECONNREFUSED") return isLoopbackHost(host) ? "refused-local" : "refused-remote";
    if (code === "ETIMEDOUT") return "connect-timeout";
    return "other";
  }
  if (error.code === "E_TIMEOUT") return "answer-timeout";
  if (error.status === 403) return "host-check";
  if (error.status !== undefined && error.status >= 500) return "server-error";
  return "other";
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

/** The fix for a failure kind, in oclaw's words: commands to run where they help. */
export function failureFix(kind: FailureKind, provider: Provider, error: OclawError): string {
  const url = new URL(provider.baseUrl);
  const host = url.hostname;
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const where = urlSource(provider);
  switch (kind) {
    case "refused-local":
      return provider.api === "ollama"
        ? `Nothing listens on port ${port} here. Start Ollama: 'ollama serve', or 'sudo systemctl start ollama' ` +
          `where it runs as a service; then 'curl ${provider.baseUrl}/api/version' should print its version`
        : `Nothing listens on port ${port} here: start the server, or correct ${where}`;
    case "refused-remote":
      return `${host} refused port ${port}. Ollama listens on 127.0.0.1 only unless told otherwise: on ${host} run ` +
        `'sudo systemctl edit ollama', add [Service] Environment="OLLAMA_HOST=0.0.0.0", then ` +
        `'sudo systemctl restart ollama'; 'ss -tlnp | grep ${port}' must show *:${port}. Ollama has no ` +
        `authentication: allow only this machine through the firewall (e.g. 'sudo ufw allow from <this-ip> to any port ${port}')`;
    case "connect-timeout":
      return `Nothing answered the connection to ${host}:${port}: a firewall (ufw, iptables, a cloud security ` +
        `group) is most likely dropping the packets. Allow port ${port} from this machine on ${host}, or correct ${where}`;
    case "dns-transient":
      return `The resolver failed for a moment (EAI_AGAIN); oclaw chat retries such failures before falling back. ` +
        `If it keeps happening on Ubuntu 22.04/24.04 (systemd 255), systemd-resolved may be crashing on an IPv6 ` +
        `assertion ('journalctl -u systemd-resolved' shows "Aborting"). Turning DNS-over-TLS off avoids it: put ` +
        `"[Resolve]" and "DNSOverTLS=no" in /etc/systemd/resolved.conf.d/no-dot.conf, then ` +
        `'sudo systemctl restart systemd-resolved'. Or use an IP address in ${where}`;
    case "dns":
      return `The name ${host} does not resolve: check the spelling in ${where} ('getent hosts ${host}'), ` +
        `or use the server's IP address`;
    case "host-check":
      return `Ollama bound to 127.0.0.1 only accepts requests whose Host header names a local address. Reach it ` +
        `as 127.0.0.1, make the proxy send 'Host: 127.0.0.1:11434' (nginx: proxy_set_header Host 127.0.0.1:11434), ` +
        `or set OLLAMA_HOST=0.0.0.0 on the server`;
    case "not-ollama":
      return provider.api === "ollama"
        ? `Another program owns port ${port} on ${host} (Ollama answers GET /api/version with JSON like ` +
          `{"version":"0.12.3"}). Point ${where} at Ollama's port (11434 unless changed); ` +
          `'sudo ss -tlnp | grep :${port}' shows which program listens there`
        : `Check ${where}: an OpenAI-compatible base URL usually ends in /v1`;
    case "server-error":
      return `The server is up but failing: read its log ('journalctl -u ollama -e'), and restart it if it stays so`;
    case "answer-timeout":
      return `The server accepted the connection but did not answer: it may be overloaded or stuck; ` +
        `check 'journalctl -u ollama -e' and restart it`;
    case "other":
      return error.hint ?? `Check that the server at ${provider.baseUrl} (${where}) is up`;
  }
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
        fix: failureFix("dns-transient", provider, new OclawError("E_DNS", "transient")),
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
