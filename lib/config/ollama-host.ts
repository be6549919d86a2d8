/**
 * `OLLAMA_HOST` as Ollama's own client reads it (envconfig.Host in ollama/ollama's envconfig/config.go,
 * v0.33): no scheme means `http` and port 11434; `http://host` means port 80 and `https://host` port 443;
 * a bare `ollama.com` means `https://ollama.com:443`; `0.0.0.0` and `::` are bind addresses, so a client
 * connects to loopback instead. Credentials (`http://user:pass@host`) are kept here; providers.ts moves them
 * into a Basic Authorization header.
 */

import { OclawError, usageError } from "../errors.ts";

const HINT = "Use host, host:port or http(s)://[user:password@]host[:port], e.g. 127.0.0.1:11434";

/** Ollama's default base URL. */
export const DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434";

/** Ollama's default port. */
export const DEFAULT_OLLAMA_PORT = "11434";

/**
 * Turns an `OLLAMA_HOST`-style value into a base URL without a trailing slash. Empty → default URL.
 * @throws OclawError E_USAGE when the value cannot be read as a host (callers reading `OLLAMA_HOST` rethrow
 *   it as a config error)
 */
export function normalizeOllamaHost(value: string): string {
  const text = value.trim();
  if (text === "") return DEFAULT_OLLAMA_URL;
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  let scheme = schemeMatch ? schemeMatch[1]!.toLowerCase() : "http";
  let defaultPort = schemeMatch ? (scheme === "https" ? "443" : "80") : DEFAULT_OLLAMA_PORT;
  if (!schemeMatch && text === "ollama.com") {
    scheme = "https";
    defaultPort = "443";
  }
  if (scheme !== "http" && scheme !== "https") {
    throw usageError(`Invalid Ollama host '${value}': unsupported scheme '${scheme}'`, HINT);
  }
  let rest = schemeMatch ? text.slice(schemeMatch[0].length) : text;
  const slash = rest.indexOf("/");
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const at = authority.lastIndexOf("@");
  const hostPort = authority.slice(at + 1);
  // `:9999` is a port on this machine, as Go's dialer reads an empty host.
  if (hostPort.startsWith(":")) rest = `${authority.slice(0, at + 1)}127.0.0.1${rest.slice(at + 1)}`;
  const hasPort = /^(\[[^\]]*\]|[^:\[\]]*):\d+$/.test(hostPort);
  let url: URL;
  try {
    url = new URL(`${scheme}://${rest}`);
  } catch (cause) {
    throw new OclawError("E_USAGE", `Invalid Ollama host '${value}': not a host name or URL`, { hint: HINT, cause });
  }
  if (url.hostname === "0.0.0.0" || url.hostname === "") url.hostname = "127.0.0.1";
  if (url.hostname === "[::]") url.hostname = "[::1]";
  if (!hasPort) url.port = defaultPort;
  const path = url.pathname.replace(/\/+$/, "");
  const credentials = url.username === "" && url.password === ""
    ? ""
    : `${url.username}${url.password === "" ? "" : `:${url.password}`}@`;
  return `${url.protocol}//${credentials}${url.host}${path}`;
}
