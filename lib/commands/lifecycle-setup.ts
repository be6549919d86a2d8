/**
 * What `oclaw ps`, `warm` and `stop` share: the config read with its secrets registered, one HTTP context,
 * and the exit code of a list of failures (4 when no server answered, decided as for `models list` and `chat`).
 */
import type { CommandContext } from "../cli/command.ts";
import { type ResolvedConfig, resolveConfig } from "../config/resolve.ts";
import { EXIT, exitCodeFor, noServerAnswered, type OclawError } from "../errors.ts";
import { type HttpContext, httpContext } from "../http/context.ts";

/** The config and HTTP context of a lifecycle command. */
export async function lifecycleSetup(ctx: CommandContext): Promise<{ config: ResolvedConfig; http: HttpContext }> {
  const config = await resolveConfig(ctx.io, { configPath: ctx.global.config, signal: ctx.io.interrupt });
  ctx.log.addSecrets(config.secrets);
  return { config, http: httpContext(ctx.io, ctx.log) };
}

/**
 * 0 without failures; 4 when no server answered one of them (refused, DNS, or a connection taken and not one
 * byte sent before the wait ran out: lib/errors.ts's noServerAnswered); else the first failure's exit code,
 * so a server that answered and then stalled is a failure (1), not "unreachable".
 */
export function failuresExit(errors: OclawError[]): number {
  if (errors.length === 0) return EXIT.ok;
  if (errors.some(noServerAnswered)) return EXIT.unreachable;
  return exitCodeFor(errors[0]);
}
