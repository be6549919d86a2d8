/**
 * The one place that knows how each runtime's fetch takes TLS settings and a proxy. Bun's fetch takes them
 * on the request (`tls: {ca, cert, key, passphrase, serverName}`, `proxy: url | false`); Deno's takes an
 * HttpClient (`Deno.createHttpClient({caCerts, cert, key, proxy})`), made once per setting and kept for the
 * run. Deno has no way to set a TLS server name or to open an encrypted key: those are refused there.
 */
import process from "node:process";
import { OclawError } from "../errors.ts";
import type { TlsOptions } from "./transport.ts";

type DenoClientOptions = {
  caCerts?: string[];
  cert?: string;
  key?: string;
  proxy?: { url: string; basicAuth?: { username: string; password: string } };
};
type DenoLike = { createHttpClient(options: DenoClientOptions): unknown };

const denoClients = new Map<string, unknown>();

function deno(): DenoLike | undefined {
  return (globalThis as { Deno?: DenoLike }).Deno;
}

function isBun(): boolean {
  return (process.versions as Record<string, string | undefined>).bun !== undefined;
}

function unsupported(what: string): OclawError {
  return new OclawError("E_CONFIG_INVALID", `${what} is not supported when oclaw runs under Deno`, {
    hint: "Use the compiled oclaw binary (Bun), or leave the setting out",
  });
}

/**
 * The fetch options (besides method, headers, body, signal) that make this runtime connect with `tls` and
 * through `proxy` (undefined: direct, whatever the environment says).
 * @throws OclawError E_CONFIG_INVALID for a setting this runtime cannot apply
 */
export function transportInit(tls: TlsOptions | undefined, proxy: URL | undefined): Record<string, unknown> {
  const denoApi = deno();
  if (denoApi !== undefined && !isBun()) {
    if (tls?.serverName !== undefined) throw unsupported("request.tls.serverName");
    if (tls?.passphrase !== undefined) throw unsupported("request.tls.passphrase (an encrypted key)");
    if (tls === undefined && proxy === undefined) return {};
    const options: DenoClientOptions = {};
    if (tls?.ca !== undefined) options.caCerts = [tls.ca];
    if (tls?.cert !== undefined) options.cert = tls.cert;
    if (tls?.key !== undefined) options.key = tls.key;
    if (proxy !== undefined) {
      const bare = new URL(proxy.href);
      bare.username = "";
      bare.password = "";
      options.proxy = { url: bare.href.replace(/\/$/, "") };
      if (proxy.username !== "") {
        options.proxy.basicAuth = {
          username: decodeURIComponent(proxy.username),
          password: decodeURIComponent(proxy.password),
        };
      }
    }
    const key = JSON.stringify(options);
    let client = denoClients.get(key);
    if (client === undefined) {
      client = denoApi.createHttpClient(options);
      denoClients.set(key, client);
    }
    return { client };
  }
  // Bun (and anything else that reads these options): an explicit `proxy: false` keeps Bun from taking a
  // proxy from the environment that oclaw decided not to use (NO_PROXY).
  const init: Record<string, unknown> = { proxy: proxy === undefined ? false : proxy.href };
  if (tls !== undefined) {
    const bunTls: Record<string, unknown> = {};
    if (tls.ca !== undefined) bunTls.ca = tls.ca;
    if (tls.cert !== undefined) bunTls.cert = tls.cert;
    if (tls.key !== undefined) bunTls.key = tls.key;
    if (tls.passphrase !== undefined) bunTls.passphrase = tls.passphrase;
    if (tls.serverName !== undefined) bunTls.serverName = tls.serverName;
    init.tls = bunTls;
  }
  return init;
}
