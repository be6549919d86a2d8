/**
 * "Cannot use the server", told apart by what the network said, and the one place that says how to fix
 * each kind: refused on this machine (Ollama is not running), refused on another host (Ollama listens on
 * loopback only), a connect timeout (a firewall drops the packets), a DNS failure (a flaky resolver, or a
 * wrong name), Ollama's 403 Host check. Each kind has a short hint, carried by the error a request throws,
 * and a full fix with commands, which doctor and health print.
 */
import type { OclawError } from "../errors.ts";
import { errnoCode, isLoopbackHost } from "../net/host.ts";

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

/** Classifies a request's failure by its code, its cause's errno code and status (never by message text). */
export function failureKindOf(error: OclawError, hostname: string): FailureKind {
  if (error.code === "E_DNS") return errnoCode(error.cause) === "EAI_AGAIN" ? "dns-transient" : "dns";
  if (error.code === "E_UNREACHABLE") {
    const code = errnoCode(error.cause);
    if (code === "ECONNREFUSED") return isLoopbackHost(hostname) ? "refused-local" : "refused-remote";
    if (code === "ETIMEDOUT") return "connect-timeout";
    return "other";
  }
  if (error.code === "E_TIMEOUT") return "answer-timeout";
  if (error.status === 403) return "host-check";
  if (error.status !== undefined && error.status >= 500) return "server-error";
  return "other";
}

/**
 * The one-line hint a request's error carries for a failure kind (the full fix is {@link failureFix}'s);
 * `port` is the port that refused (default Ollama's 11434).
 */
export function errorHint(kind: FailureKind, port = "11434"): string | undefined {
  switch (kind) {
    case "refused-local":
      return "Start Ollama with 'ollama serve' (or 'systemctl start ollama')";
    case "refused-remote":
      return "Ollama listens on 127.0.0.1 only by default: on that host set OLLAMA_HOST=0.0.0.0, restart it, " +
        `and let only this machine through the firewall to port ${port}`;
    case "connect-timeout":
      return "A firewall may be dropping traffic to that port; check it on both hosts";
    case "dns-transient":
      return "The resolver failed temporarily; on Ubuntu with systemd-resolved, see the README's DNS section";
    case "dns":
      return "Check the host name in the base URL or OLLAMA_HOST";
    case "host-check":
      return "Ollama bound to loopback rejects other Host headers: set OLLAMA_HOST=0.0.0.0 on the server, " +
        "or reach it through 127.0.0.1";
    default:
      return undefined;
  }
}

/** The server a fix is about. */
export interface FixTarget {
  /** The provider's base URL. */
  baseUrl: string;
  /** True for a native Ollama provider (the fixes name Ollama's own commands). */
  ollama: boolean;
  /** Where the base URL came from, in words ("OLLAMA_HOST", "baseUrl in the config"). */
  where: string;
  /** The failure's own hint, used for kinds without a fix of their own. */
  hint?: string | undefined;
}

/** The fix for a failure kind, in oclaw's words: commands to run where they help. */
export function failureFix(kind: FailureKind, target: FixTarget): string {
  const url = new URL(target.baseUrl);
  const host = url.hostname;
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const where = target.where;
  switch (kind) {
    case "refused-local":
      return target.ollama
        ? `Nothing listens on port ${port} here. Start Ollama: 'ollama serve', or 'sudo systemctl start ollama' ` +
          `where it runs as a service; then 'curl ${target.baseUrl}/api/version' should print its version`
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
      return target.ollama
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
      return target.hint ?? `Check that the server at ${target.baseUrl} (${where}) is up`;
  }
}
