/**
 * What every `oclaw models` subcommand starts from: the resolved config, an HTTP context whose `-v` log
 * redacts the config's secrets, and the `/api/show` cache directory.
 */
import type { CommandContext } from "../../cli/command.ts";
import type { Provider } from "../../catalog/types.ts";
import { defaultCacheDir } from "../../catalog/cache.ts";
import { resolveConfig, type ResolvedConfig } from "../../config/resolve.ts";
import { normalizeOllamaHost } from "../../config/ollama-host.ts";
import { cleanBaseUrl, moveCredentials, OLLAMA_PROVIDER } from "../../config/providers.ts";
import { OclawError, usageError } from "../../errors.ts";
import { type HttpContext, httpContext } from "../../http/context.ts";

/** The shared state of a `models` subcommand run. */
export interface ModelsRun {
  config: ResolvedConfig;
  http: HttpContext;
  cacheDir: string;
}

/**
 * Resolves the config and builds the HTTP context.
 * @throws OclawError config errors (exit 3)
 */
export async function setupModelsRun(ctx: CommandContext): Promise<ModelsRun> {
  const config = await resolveConfig(ctx.io, { configPath: ctx.global.config, quiet: ctx.global.quiet });
  ctx.log.addSecrets(config.secrets);
  for (const note of config.notes) ctx.log.debug(note);
  return { config, http: httpContext(ctx.io, ctx.log), cacheDir: defaultCacheDir(ctx.io) };
}

/**
 * The Ollama provider to talk to for `discover` and `pull`: the enabled provider `id` (default `ollama`),
 * or — when the ollama provider is not enabled — one at `OLLAMA_HOST` / the default URL, and with
 * `baseUrl` given, that URL instead (the provider's key and headers kept).
 * @throws OclawError E_NO_PROVIDER for an unknown id, E_USAGE for a provider that does not speak Ollama's API
 *   or a bad URL
 */
export function ollamaProviderFor(
  run: ModelsRun,
  env: Readonly<Record<string, string | undefined>>,
  id: string = OLLAMA_PROVIDER,
  baseUrl?: string,
): Provider {
  let provider = run.config.providers.find((p) => p.id === id);
  if (provider === undefined) {
    if (id !== OLLAMA_PROVIDER && baseUrl === undefined) {
      throw new OclawError("E_NO_PROVIDER", `Provider '${id}' is not configured`, {
        hint: `Add models.providers.${id} to the config, or give --base-url`,
      });
    }
    provider = {
      id,
      api: "ollama",
      ...(() => {
        const moved = moveCredentials(normalizeOllamaHost(env.OLLAMA_HOST ?? ""), {});
        if (moved.password !== undefined) run.http.log.addSecrets([moved.password]);
        return { baseUrl: moved.url, headers: moved.headers };
      })(),
      models: [],
      discover: true,
      enabledBy: "config",
      baseUrlSource: env.OLLAMA_HOST?.trim() ? "OLLAMA_HOST" : "default",
    };
    if (env.OLLAMA_API_KEY) provider.apiKey = env.OLLAMA_API_KEY;
  }
  if (baseUrl !== undefined) {
    // Credentials in --base-url are sent as Basic auth, as OLLAMA_HOST's are, and never shown.
    const moved = moveCredentials(cleanBaseUrl(normalizeOllamaHost(baseUrl), "ollama"), { ...provider.headers });
    if (moved.password !== undefined) run.http.log.addSecrets([moved.password]);
    const { configError: _unused, ...usable } = provider;
    return { ...usable, api: "ollama", baseUrl: moved.url, headers: moved.headers, baseUrlSource: "config" };
  }
  if (provider.configError !== undefined) throw provider.configError;
  if (provider.api !== "ollama") {
    throw usageError(
      `Provider '${id}' speaks ${provider.api}, not Ollama's native API`,
      "Give the Ollama server with --base-url URL",
    );
  }
  return provider;
}
