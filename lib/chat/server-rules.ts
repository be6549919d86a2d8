/**
 * What a request may carry, given the server it goes to: `think` values an older Ollama takes, `truncate`
 * only where Ollama reads it, no `format` beside tools, and a word when an OpenAI-compatible provider is an
 * Ollama whose `/v1` drops the options configured for it. Each rule that changes the request says so once.
 */
import { SINCE, serverVersion, versionAtLeast } from "../catalog/ollama-version.ts";
import type { CatalogModel, Provider } from "../catalog/types.ts";
import type { ChatRequest } from "../client/request.ts";
import { thinkFor } from "../client/think.ts";
import type { HttpContext } from "../http/context.ts";
import type { ChatOptions } from "./options.ts";
import type { Warning } from "./truncation.ts";

/** What the rules need besides the request. */
export interface RuleContext {
  provider: Provider;
  model: CatalogModel;
  options: ChatOptions;
  http: HttpContext;
  signal: AbortSignal;
  /** Reports a warning, once per run and code (the caller remembers). */
  warnOnce: (warning: Warning) => void;
}

const warning = (code: string, message: string): Warning => ({ type: "warning", code, message });

/** True when an OpenAI-compatible provider's base URL looks like an Ollama's `/v1` (its port, or the id). */
export function looksLikeOllama(provider: Provider): boolean {
  if (provider.id === "ollama") return true;
  try {
    const url = new URL(provider.baseUrl);
    return url.port === "11434" && /\/v1\/?$/.test(url.pathname);
  } catch {
    return false;
  }
}

/**
 * Applies the rules to `request` (changed in place).
 * @returns nothing; warnings go through `warnOnce`
 */
export async function applyServerRules(request: ChatRequest, ctx: RuleContext): Promise<void> {
  const { provider, model, options } = ctx;
  // The schema constrains the very text the tool parser reads: with both, no tool call can come (OpenClaw
  // drops format when tools are offered too).
  if (request.tools?.length && (request.format !== undefined || model.params.format !== undefined)) {
    delete request.format;
    ctx.warnOnce(warning(
      "W_FORMAT_WITH_TOOLS",
      "--format is not sent with --tools: a reply held to a JSON schema cannot call tools",
    ));
  }
  if (model.api !== "ollama") {
    const dropped = ["num_ctx", "keep_alive"].filter((key) => model.params[key] !== undefined);
    if (dropped.length > 0 && looksLikeOllama(provider)) {
      ctx.warnOnce(warning(
        "W_OPTIONS_NOT_SENT",
        `${model.ref} goes through Ollama's OpenAI-compatible /v1, which has no ${dropped.join(" or ")}: ` +
          `params.${dropped[0]} is not sent (use api "ollama" for this provider to send it)`,
      ));
    }
    return;
  }
  const truncate = options.noTruncate === true ? false : model.params.truncate;
  const wantsVersion = typeof request.think === "string" || truncate === false;
  const version = wantsVersion ? await serverVersion(provider, ctx.http, ctx.signal) : undefined;
  if (typeof request.think === "string") {
    const think = thinkFor(request.think, version);
    if (think !== request.think) {
      ctx.http.log.debug(`${model.ref}: Ollama ${version} takes think ${JSON.stringify(think)}, not ${JSON.stringify(request.think)}`);
      request.think = think;
    }
  }
  if (truncate === false) {
    request.truncate = false;
    if (versionAtLeast(version, SINCE.truncate) === false) {
      ctx.warnOnce(warning(
        "W_TRUNCATE_UNSUPPORTED",
        `Ollama ${version} at ${provider.baseUrl} cannot refuse an over-long prompt (truncate needs 0.12.6+): ` +
          "it may still cut it",
      ));
    }
  }
}
