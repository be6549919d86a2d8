/**
 * Doctor's checks of what other tools did to the config file: `ollama launch openclaw` writes an explicit
 * `models` list (which switches discovery off, so models pulled later never appear), and some panels rewrite
 * a provider to `api: "openai-completions"` with `/v1` while the server is an Ollama.
 */
import { sameModelId } from "../catalog/selection.ts";
import { discoverModels } from "../catalog/discovery.ts";
import type { Provider } from "../catalog/types.ts";
import { providerHeaders, providerTransport } from "../catalog/provider-headers.ts";
import { clip, MAX_VERSION_CHARS } from "../clip.ts";
import { OclawError, toOclawError } from "../errors.ts";
import { deadline } from "../http/abort.ts";
import { readText } from "../http/body.ts";
import type { HttpContext } from "../http/context.ts";
import { request } from "../http/request.ts";
import { check, type CheckResult } from "./types.ts";

/**
 * For an Ollama provider with an explicit model list: tool-capable models installed on the server but not
 * in the list (discovery is off, so oclaw and OpenClaw never see them). Undefined when there is nothing to say.
 */
export async function unlistedModelsCheck(
  http: HttpContext,
  provider: Provider,
  options: { cacheDir?: string | undefined; signal?: AbortSignal | undefined },
): Promise<CheckResult | undefined> {
  if (provider.api !== "ollama" || provider.discover || provider.models.length === 0) return undefined;
  let installed;
  try {
    installed = await discoverModels({ ...provider, discover: true }, http, options);
  } catch (error) {
    http.log.debug(`unlisted-models check skipped: ${toOclawError(error).message}`);
    return undefined;
  }
  const unlisted = installed.models
    .filter((m) => m.tools && !provider.models.some((listed) => sameModelId(listed.id, m.entry.id)))
    .map((m) => m.entry.id);
  if (unlisted.length === 0) return undefined;
  return check(
    "unlisted",
    "warn",
    `${unlisted.length} tool-capable model(s) installed on ${provider.baseUrl} are not in models.providers.${provider.id}.models ` +
      `(an explicit list switches discovery off, so they are never used): ${unlisted.join(", ")}`,
    {
      provider: provider.id,
      fix: `oclaw models discover${provider.id === "ollama" ? "" : ` --provider ${provider.id}`} --write (writes the list the server has)`,
    },
  );
}

/**
 * For an OpenAI-compatible provider whose base URL ends in `/v1`: when the server behind it answers Ollama's
 * `/api/version`, the native API would serve it better. Undefined when it is not an Ollama (or says nothing).
 */
export async function nativeApiCheck(http: HttpContext, provider: Provider, signal?: AbortSignal): Promise<CheckResult | undefined> {
  if (provider.api !== "openai-completions" || !/\/v1$/.test(provider.baseUrl)) return undefined;
  const base = provider.baseUrl.replace(/\/v1$/, "");
  const limit = deadline(3_000, () => new OclawError("E_TIMEOUT", "no answer from /api/version"));
  const url = new URL(`${base}/api/version`);
  const both = signal ? AbortSignal.any([signal, limit]) : limit;
  try {
    const response = await request(http, url, { headers: providerHeaders(provider), transport: providerTransport(provider), signal: both, service: provider.id });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const version = (JSON.parse(await readText(response, url, provider.id, both)) as { version?: unknown } | null)?.version;
    if (typeof version !== "string" || version === "") return undefined;
    const shown = clip(version, MAX_VERSION_CHARS);
    return check(
      "native-api",
      "warn",
      `${provider.id} is Ollama ${shown} reached through its OpenAI-compatible /v1: tool calls and num_ctx work better on Ollama's native API`,
      {
        provider: provider.id,
        fix: `oclaw config set models.providers.${provider.id}.api ollama && oclaw config set models.providers.${provider.id}.baseUrl ${base}`,
      },
    );
  } catch (error) {
    http.log.debug(`native-api check: ${toOclawError(error).message}`);
    return undefined;
  }
}
