/**
 * Ollama's Host header check for a server bound to loopback (server/routes.go `allowedHostsMiddleware`,
 * `allowedHost`, `isLocalIP`, v0.33): a DNS-rebinding guard that lets through any IP that is loopback,
 * private, unspecified or one of the machine's own, and the names `localhost`, the machine's hostname and
 * anything under `.localhost`, `.local` or `.internal`. Everything else gets 403 with an empty body.
 */
import { isIP } from "node:net";
import os from "node:os";

function ipv4Allowed(ip: string): boolean {
  const [a = -1, b = -1] = ip.split(".").map(Number);
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || ip === "0.0.0.0";
}

function ipv6Allowed(ip: string): boolean {
  const h = ip.toLowerCase();
  if (h === "::1" || h === "::") return true;
  // fc00::/7 is Go's IsPrivate for IPv6; an IPv4-mapped address is judged as IPv4.
  if (/^f[cd][0-9a-f]{0,2}:/.test(h)) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped !== null && ipv4Allowed(mapped[1]!);
}

function ownAddress(ip: string): boolean {
  return Object.values(os.networkInterfaces()).some((list) => (list ?? []).some((i) => i.address === ip));
}

/** Splits `host[:port]` as Go's net.SplitHostPort would, falling back to the whole value. */
function hostPart(header: string): string {
  const bracket = /^\[([^\]]*)\](?::\d*)?$/.exec(header);
  if (bracket) return bracket[1]!;
  const colons = header.split(":").length - 1;
  if (colons === 1) return header.slice(0, header.indexOf(":"));
  return header;
}

/** True when a loopback-bound Ollama would serve a request with this Host header. */
export function hostAllowed(header: string | undefined): boolean {
  const host = hostPart(header ?? "").toLowerCase();
  const kind = isIP(host);
  if (kind === 4 && (ipv4Allowed(host) || ownAddress(host))) return true;
  if (kind === 6 && (ipv6Allowed(host) || ownAddress(host))) return true;
  if (host === "" || host === "localhost" || host === os.hostname().toLowerCase()) return true;
  return [".localhost", ".local", ".internal"].some((tld) => host.endsWith(tld));
}
