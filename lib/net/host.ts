/**
 * Facts about a host name that need no network: is it an address already, is it this machine. A leaf
 * room: the HTTP pipeline, the test doubles and the checks all ask it.
 */

/** True for an IPv4 or IPv6 address (a URL's hostname without brackets), which needs no lookup. */
export function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

/** True when the host is this machine (the fix for "refused" differs: start Ollama vs. expose it). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\./.test(h) || h.endsWith(".localhost");
}

/** The errno-style `code` of a failure (ECONNREFUSED, EAI_AGAIN ...), when it has one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
