/**
 * The headers every request to a provider carries, for the catalogue, both chat clients, doctor and health.
 */
import type { Provider } from "./types.ts";

/** The provider's own headers, plus `Authorization: Bearer <apiKey>` unless it sets Authorization itself. */
export function providerHeaders(provider: Provider): Record<string, string> {
  const headers: Record<string, string> = { ...provider.headers };
  const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === "authorization");
  if (provider.apiKey && !hasAuth) headers.authorization = `Bearer ${provider.apiKey}`;
  return headers;
}
