/**
 * A provider's secrets and transport settings, resolved: `apiKey`, `headers` and `request {headers, auth,
 * tls, proxy}` with their SecretRefs read, as OpenClaw 2026.9.6 applies them
 * (src/agents/provider-request-config.ts): headers merge provider → model → request (later wins, names
 * compared without case); `request.auth` sets one header (`Authorization: Bearer <token>`, or
 * `<headerName>: <prefix><value>` with Authorization dropped); `insecureSkipVerify: true` is refused.
 */
import type { ProxySetting, TlsOptions } from "../catalog/types.ts";
import { OclawError } from "../errors.ts";
import type { ProviderConfig, TlsConfig } from "./schema-provider.ts";
import type { SecretInput } from "./schema-secret.ts";
import { resolveSecret, type SecretContext } from "./secret-refs.ts";

/** A provider's resolved secrets and transport. */
export interface ResolvedRequest {
  apiKey?: string;
  headers: Record<string, string>;
  requestHeaders?: Record<string, string>;
  auth?: { headerName: string; value: string };
  tls?: TlsOptions;
  proxy?: ProxySetting;
  /** Every secret value read, for redaction. */
  secrets: string[];
}

async function resolveHeaders(
  headers: Record<string, SecretInput> | undefined,
  ctx: SecretContext,
  at: string,
  secrets: string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, input] of Object.entries(headers ?? {})) {
    const value = (await resolveSecret(input, ctx, `${at}.${name}`)).trim();
    // Every header value is treated as a secret: a proxy token or an API key often rides in one.
    if (value !== "") {
      out[name] = value;
      secrets.push(value);
    }
  }
  return out;
}

function checkPem(value: string, at: string): string {
  if (!value.includes("-----BEGIN ")) {
    throw new OclawError("E_CONFIG_INVALID", `${at} is not PEM text (OpenClaw takes the certificate itself, not a path)`, {
      hint: 'Paste the PEM, or read the file with a SecretRef: secrets.providers.<name> = { source: "file", path, mode: "singleValue" }',
    });
  }
  return value;
}

async function resolveTls(tls: TlsConfig | undefined, ctx: SecretContext, at: string, secrets: string[]): Promise<TlsOptions | undefined> {
  if (tls === undefined) return undefined;
  if (tls.insecureSkipVerify === true) {
    throw new OclawError("E_CONFIG_INVALID", `${at}.insecureSkipVerify: true is refused (OpenClaw refuses it too)`, {
      hint: "Give the server's CA in request.tls.ca instead of turning verification off",
    });
  }
  const out: TlsOptions = {};
  if (tls.ca !== undefined) out.ca = checkPem((await resolveSecret(tls.ca, ctx, `${at}.ca`)).trim(), `${at}.ca`);
  if (tls.cert !== undefined) out.cert = checkPem((await resolveSecret(tls.cert, ctx, `${at}.cert`)).trim(), `${at}.cert`);
  if (tls.key !== undefined) {
    out.key = checkPem((await resolveSecret(tls.key, ctx, `${at}.key`)).trim(), `${at}.key`);
    secrets.push(out.key);
  }
  if (tls.passphrase !== undefined) {
    out.passphrase = (await resolveSecret(tls.passphrase, ctx, `${at}.passphrase`)).trim();
    secrets.push(out.passphrase);
  }
  if (tls.serverName?.trim()) out.serverName = tls.serverName.trim();
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The password in a proxy URL (`http://user:pass@proxy:3128`), for redaction. */
export function proxyPassword(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`).password);
    return password === "" ? undefined : password;
  } catch {
    return undefined;
  }
}

/**
 * Resolves a provider's secrets and request settings.
 * @throws OclawError E_CONFIG_ENV for a SecretRef that does not resolve, E_CONFIG_INVALID for TLS settings
 *   oclaw (and OpenClaw) refuse
 */
export async function resolveProviderRequest(id: string, config: ProviderConfig, ctx: SecretContext): Promise<ResolvedRequest> {
  const at = `models.providers.${id}`;
  const secrets: string[] = [];
  const out: ResolvedRequest = { headers: await resolveHeaders(config.headers, ctx, `${at}.headers`, secrets), secrets };
  if (config.apiKey !== undefined) {
    const apiKey = (await resolveSecret(config.apiKey, ctx, `${at}.apiKey`)).trim();
    if (apiKey !== "") {
      out.apiKey = apiKey;
      secrets.push(apiKey);
    }
  }
  const request = config.request;
  if (request === undefined) return out;
  if (request.headers !== undefined) {
    const headers = await resolveHeaders(request.headers, ctx, `${at}.request.headers`, secrets);
    if (Object.keys(headers).length > 0) out.requestHeaders = headers;
  }
  const auth = request.auth;
  if (auth?.mode === "authorization-bearer") {
    const token = (await resolveSecret(auth.token, ctx, `${at}.request.auth.token`)).trim();
    if (token !== "") {
      out.auth = { headerName: "Authorization", value: `Bearer ${token}` };
      secrets.push(token);
    }
  } else if (auth?.mode === "header") {
    const value = (await resolveSecret(auth.value, ctx, `${at}.request.auth.value`)).trim();
    if (value !== "" && auth.headerName.trim() !== "") {
      out.auth = { headerName: auth.headerName.trim(), value: `${auth.prefix?.trim() ?? ""}${value}` };
      secrets.push(value);
    }
  }
  const tls = await resolveTls(request.tls, ctx, `${at}.request.tls`, secrets);
  if (tls !== undefined) out.tls = tls;
  if (request.proxy?.mode === "env-proxy") out.proxy = { mode: "env" };
  else if (request.proxy?.mode === "explicit-proxy" && request.proxy.url.trim() !== "") {
    const proxy: ProxySetting = { mode: "explicit", url: request.proxy.url.trim() };
    const password = proxyPassword(proxy.url);
    if (password !== undefined) secrets.push(password);
    const proxyTls = await resolveTls(request.proxy.tls, ctx, `${at}.request.proxy.tls`, secrets);
    if (proxyTls !== undefined) proxy.tls = proxyTls;
    out.proxy = proxy;
  }
  return out;
}
