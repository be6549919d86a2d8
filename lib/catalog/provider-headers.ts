/**
 * The headers every request to a provider carries, for the catalogue, both chat clients, doctor and health,
 * merged as OpenClaw merges them: the provider's `headers`, then the model's, then `request.headers` (a later
 * one replaces an earlier one of the same name, whatever its case), then `request.auth`'s header; without
 * `request.auth`, `Authorization: Bearer <apiKey>` unless a header already sets Authorization.
 */
import type { Transport } from "../http/transport.ts";
import type { ModelEntry, Provider } from "./types.ts";

function merge(into: Record<string, string>, from: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(from ?? {})) {
    const lower = name.toLowerCase();
    if (lower === "__proto__" || lower === "prototype" || lower === "constructor") continue;
    for (const existing of Object.keys(into)) if (existing.toLowerCase() === lower) delete into[existing];
    into[name] = value;
  }
}

/** The headers of a request to `provider` (for `model`, when the request is about one). */
export function providerHeaders(provider: Provider, model?: Pick<ModelEntry, "headers">): Record<string, string> {
  const headers: Record<string, string> = {};
  merge(headers, provider.headers);
  merge(headers, model?.headers);
  merge(headers, provider.requestHeaders);
  const auth = provider.auth;
  if (auth !== undefined) {
    // A named header replaces the default Authorization too (OpenClaw's "header" mode).
    for (const name of Object.keys(headers)) if (name.toLowerCase() === "authorization") delete headers[name];
    merge(headers, { [auth.headerName]: auth.value });
    return headers;
  }
  const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === "authorization");
  if (provider.apiKey && !hasAuth) headers.authorization = `Bearer ${provider.apiKey}`;
  return headers;
}

/** The TLS settings and proxy of requests to `provider` (`request.tls`, `request.proxy`). */
export function providerTransport(provider: Provider): Transport {
  const transport: Transport = {};
  if (provider.tls !== undefined) transport.tls = provider.tls;
  if (provider.proxy !== undefined) transport.proxy = provider.proxy;
  return transport;
}
