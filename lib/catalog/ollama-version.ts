/**
 * What an Ollama server's version tells a client: the release that brought each behaviour oclaw depends
 * on (read in Ollama's source, see the constants), a comparison that treats a source build (`0.0.0`) as
 * the newest, and the version of a provider's server, asked once per run.
 */
import { lazySchema, z } from "../zod.ts";
import type { HttpContext } from "../http/context.ts";
import { catalogTimeoutMs, fetchJson } from "./ollama-api.ts";
import { providerHeaders, providerTransport } from "./provider-headers.ts";
import type { Provider } from "./types.ts";
import { acceptVersion } from "./answer-checks.ts";

/** Releases that changed what a client sees (Ollama's source at the named version). */
export const SINCE = {
  /** `/api/show` `capabilities` (server/routes.go v0.6.4). */
  capabilities: "0.6.4",
  /** Default context 4096 instead of 2048 (envconfig/config.go v0.6.7). */
  context4096: "0.6.7",
  /** Tokens stream while tools are offered. */
  streamingTools: "0.8.0",
  /** `/api/ps` `context_length` (api/types.go v0.10.0). */
  psContextLength: "0.10.0",
  /** `think` takes "low" | "medium" | "high" (api/types.go v0.11.0 `ThinkValue`; a bool only before). */
  thinkLevels: "0.11.0",
  /** `/v1` `reasoning_effort: "none"` (openai/openai.go v0.12.4). */
  reasoningNone: "0.12.4",
  /** Errors before any output come with their real HTTP status, not 200 + an error line; `truncate` and
   * `shift` request fields (server/routes.go v0.12.6 `streamResponse`, api/types.go). */
  statusErrors: "0.12.6",
  truncate: "0.12.6",
  /** Default context by total VRAM: ≥ 47 GiB 262144, ≥ 23 GiB 32768, else 4096 (server/routes.go v0.15.5). */
  vramContext: "0.15.5",
  /** `think: "max"` (api/types.go v0.21.3). */
  thinkMax: "0.21.3",
  /** `/api/tags` entries carry `capabilities` (api/types.go v0.30.0 `ListModelResponse`). */
  tagsCapabilities: "0.30.0",
  /** Models run through llama-server: over-long prompts keep about num_ctx/2 tokens, not num_ctx
   * (llm/llama_server.go v0.31.0 `contextShiftPromptLimit`). */
  llamaServer: "0.31.0",
} as const;

function parts(version: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** True for a source build: Ollama built from a checkout reports `0.0.0` (version/version.go). */
export function isDevBuild(version: string): boolean {
  const p = parts(version);
  return p !== undefined && p[0] === 0 && p[1] === 0 && p[2] === 0;
}

/**
 * True when `version` is `floor` or newer. A source build (`0.0.0`) counts as the newest; undefined when
 * the version cannot be read (or is not known).
 */
export function versionAtLeast(version: string | undefined, floor: string): boolean | undefined {
  if (version === undefined) return undefined;
  const a = parts(version);
  const b = parts(floor);
  if (a === undefined || b === undefined) return undefined;
  if (isDevBuild(version)) return true;
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return true;
}

/** True only when the version is known and older than `floor`. */
export function olderThan(version: string | undefined, floor: string): boolean {
  return versionAtLeast(version, floor) === false;
}

const versionSchema = lazySchema(() => z.looseObject({ version: z.string() }));

const asked = new WeakMap<HttpContext, Map<string, Promise<string | undefined>>>();

/**
 * The version of a native Ollama provider's server (`GET /api/version`), asked at most once per run and
 * per base URL; undefined for OpenAI-compatible providers, or when the server would not say (the request
 * that matters reports the real problem).
 */
export function serverVersion(provider: Provider, http: HttpContext, signal?: AbortSignal): Promise<string | undefined> {
  if (provider.api !== "ollama") return Promise.resolve(undefined);
  let known = asked.get(http);
  if (known === undefined) asked.set(http, known = new Map());
  const hit = known.get(provider.baseUrl);
  if (hit !== undefined) return hit;
  const answer = fetchJson(http, `${provider.baseUrl}/api/version`, versionSchema, {
    accept: acceptVersion,
    signal,
    timeoutMs: Math.min(catalogTimeoutMs(provider), 10_000),
    headers: providerHeaders(provider),
    transport: providerTransport(provider),
  }).then((v) => v.version, (error: unknown) => {
    http.log.debug(`/api/version at ${provider.baseUrl} failed: ${(error as Error).message}`);
    known.delete(provider.baseUrl);
    return undefined;
  });
  known.set(provider.baseUrl, answer);
  return answer;
}

/** Records a version learnt another way (doctor and health ask `/api/version` themselves). */
export function rememberVersion(provider: Provider, http: HttpContext, version: string): void {
  let known = asked.get(http);
  if (known === undefined) asked.set(http, known = new Map());
  known.set(provider.baseUrl, Promise.resolve(version));
}
