/**
 * `oclaw completion bash|zsh|fish` prints a script; `oclaw completion --models` (hidden, what the scripts
 * call) prints the model refs known without a network request.
 */
import { knownRefs } from "../catalog/known-refs.ts";
import { resolveConfig } from "../config/resolve.ts";
import { EXIT, usageError } from "../errors.ts";
import { cacheDir } from "../state/dirs.ts";
import type { Command, CommandContext } from "./command.ts";
import { bashCompletion, fishCompletion, zshCompletion } from "./completion.ts";

const SCRIPTS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

/** Runs `oclaw completion` against the loaded command table. @throws OclawError E_USAGE for another shell */
export async function completionCommandRun(ctx: CommandContext, commands: Command[]): Promise<number> {
  if (ctx.values.models === true) {
    let refs: string[] = [];
    try {
      const config = await resolveConfig(ctx.io, { configPath: ctx.global.config });
      refs = await knownRefs(config, cacheDir(ctx.io));
    } catch {
      // A broken config completes nothing rather than printing an error into the user's command line.
    }
    await ctx.io.stdout.write(refs.map((r) => `${r}\n`).join(""));
    return EXIT.ok;
  }
  const [shell, extra] = ctx.positionals;
  if (shell === undefined || extra !== undefined || !(shell in SCRIPTS)) {
    throw usageError(
      shell === undefined ? "Expected a shell: bash, zsh or fish" : `Unknown shell '${[shell, extra].filter(Boolean).join(" ")}'`,
      "Run 'oclaw completion bash', 'oclaw completion zsh' or 'oclaw completion fish'",
    );
  }
  await ctx.io.stdout.write(SCRIPTS[shell as keyof typeof SCRIPTS](commands));
  return EXIT.ok;
}
