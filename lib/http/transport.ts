/**
 * How a request reaches its server: TLS settings (a private CA, a client certificate) and a proxy. The proxy
 * is chosen here, once, for both runtimes: an explicit `request.proxy.url`, else the environment's
 * `HTTPS_PROXY` / `HTTP_PROXY` (lower case first, as curl reads them) unless `NO_PROXY` names the host.
 * lib/http/request.ts then resolves and checks the proxy, not the target (only the proxy needs to know it).
 */

/** TLS settings for a connection (PEM text, not paths). */
export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  serverName?: string;
}

/** A provider's proxy setting: the environment's variables, or an explicit URL (with TLS for an https proxy). */
export type ProxySetting = { mode: "env" } | { mode: "explicit"; url: string; tls?: TlsOptions };

/** What a request carries besides headers to reach its server. */
export interface Transport {
  tls?: TlsOptions;
  proxy?: ProxySetting;
}

/** The environment a proxy is read from. */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

function envValue(env: ProxyEnv, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** True when `NO_PROXY` (a comma list of hosts, `.domain` suffixes, `host:port`, or `*`) names the target. */
export function noProxyMatches(target: URL, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false;
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    const portMatch = /^(.*?):(\d+)$/.exec(entry);
    if (portMatch !== null && !entry.includes("]") && (entry.match(/:/g) ?? []).length === 1) {
      if (portMatch[2] !== port) continue;
      entry = portMatch[1]!;
    }
    entry = entry.replace(/^\[|\]$/g, "").replace(/^\*?\./, ".");
    if (entry.startsWith(".") ? host.endsWith(entry) || host === entry.slice(1) : host === entry || host.endsWith(`.${entry}`)) {
      return true;
    }
  }
  return false;
}

/**
 * The proxy a request to `target` goes through, or undefined for a direct connection.
 * @throws TypeError for a proxy URL that cannot be parsed (the caller words it)
 */
export function proxyFor(target: URL, setting: ProxySetting | undefined, env: ProxyEnv | undefined): URL | undefined {
  if (setting?.mode === "explicit") return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(setting.url) ? setting.url : `http://${setting.url}`);
  if (env === undefined) return undefined;
  const value = target.protocol === "https:" ? envValue(env, "https_proxy") : envValue(env, "http_proxy");
  if (value === undefined || noProxyMatches(target, envValue(env, "no_proxy"))) return undefined;
  return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
}
