/**
 * What `oclaw ps`, `warm` and `stop` share: the config read with its secrets registered, one HTTP context,
 * and the exit code of a list of failures (4 when a server could not be reached, as `models list`).
 */
import type { CommandContext } from "../cli/command.ts";
import { type ResolvedConfig, resolveConfig } from "../config/resolve.ts";
import { EXIT, EXIT_CODES, type ErrorCode } from "../errors.ts";
import { type HttpContext, httpContext } from "../http/context.ts";

/** The config and HTTP context of a lifecycle command. */
export async function lifecycleSetup(ctx: CommandContext): Promise<{ config: ResolvedConfig; http: HttpContext }> {
  const config = await resolveConfig(ctx.io, { configPath: ctx.global.config, signal: ctx.io.interrupt });
  ctx.log.addSecrets(config.secrets);
  return { config, http: httpContext(ctx.io, ctx.log) };
}

/** 0 without failures; 4 when a server could not be reached; else the first failure's exit code. */
export function failuresExit(codes: string[]): number {
  if (codes.length === 0) return EXIT.ok;
  if (codes.some((c) => c === "E_UNREACHABLE" || c === "E_DNS" || c === "E_TIMEOUT")) return EXIT.unreachable;
  return EXIT_CODES[codes[0] as ErrorCode] ?? EXIT.failure;
}
