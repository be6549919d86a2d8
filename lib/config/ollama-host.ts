/**
 * `OLLAMA_HOST` as a client reads it: `host`, `host:port`, `:port` or `http(s)://host[:port][/path]`.
 * `0.0.0.0` (and `::`) are bind addresses, so a client connects to loopback instead.
 */

import { OclawError, usageError } from "../errors.ts";

const HINT = "Use host, host:port or http(s)://host[:port], e.g. 127.0.0.1:11434";

/** Ollama's default base URL. */
export const DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434";

/** Ollama's default port. */
export const DEFAULT_OLLAMA_PORT = "11434";

/**
 * Turns an `OLLAMA_HOST`-style value into a base URL without a trailing slash: scheme `http` when
 * missing, port 11434 unless given (443 for `https://host`), `0.0.0.0` → `127.0.0.1`. Empty → default URL.
 * @throws OclawError E_USAGE when the value cannot be read as a host (callers reading `OLLAMA_HOST` rethrow
 *   it as a config error)
 */
export function normalizeOllamaHost(value: string): string {
  let text = value.trim();
  if (text === "") return DEFAULT_OLLAMA_URL;
  if (text.startsWith(":")) text = `127.0.0.1${text}`;
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  const scheme = schemeMatch ? schemeMatch[1]!.toLowerCase() : "http";
  if (scheme !== "http" && scheme !== "https") {
    throw usageError(`Invalid Ollama host '${value}': unsupported scheme '${scheme}'`, HINT);
  }
  const rest = schemeMatch ? text.slice(schemeMatch[0].length) : text;
  const hostPort = rest.split("/", 1)[0]!;
  const hasPort = /^(\[[^\]]*\]|[^:]*):\d+$/.test(hostPort);
  let url: URL;
  try {
    url = new URL(`${scheme}://${rest}`);
  } catch (cause) {
    throw new OclawError("E_USAGE", `Invalid Ollama host '${value}': not a host name or URL`, { hint: HINT, cause });
  }
  if (url.hostname === "0.0.0.0" || url.hostname === "") url.hostname = "127.0.0.1";
  if (url.hostname === "[::]") url.hostname = "[::1]";
  // https without a port means 443 (URL's default); any other missing port means Ollama's.
  if (!hasPort && scheme === "http") url.port = DEFAULT_OLLAMA_PORT;
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${url.host}${path}`;
}
