/**
 * The commands that belong to the command line itself rather than to Ollama: `help` (help as a command,
 * `oclaw help chat` = `oclaw chat --help`, `--man` for the manual page) and `completion` (shell scripts).
 * Both read the whole command table, which they are given (lib/cli/run.ts owns it), so no module here
 * imports the command modules.
 */
import { EXIT } from "../errors.ts";
import type { Command } from "./command.ts";

/** A top-level command before its module is loaded (the shape of lib/commands/index.ts's table). */
export interface LazyCommand {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

/** What the built-in commands need from the command line. */
export interface BuiltinsContext {
  /** Every top-level command, loaded. */
  all: () => Promise<Command[]>;
  /** The `--help` text for the command named by these words (the root help for none). @throws E_USAGE */
  helpFor: (words: string[]) => Promise<string>;
}

const SHELLS = ["bash", "zsh", "fish"] as const;

/** The built-in commands, listed after the others in `oclaw --help`. */
export function builtins(context: BuiltinsContext): LazyCommand[] {
  const help: Command = {
    name: "help",
    summary: "Help for a command (oclaw help chat = oclaw chat --help); --man: the manual page",
    usage: "help [COMMAND...] [--man]",
    positionals: [{ name: "COMMAND", help: "A command, or a command and its subcommand (models list)", complete: "command" }],
    flags: { man: { type: "boolean", help: "The manual page for every command, in roff (man -l - reads it)" } },
    async run(ctx) {
      if (ctx.values.man === true) {
        const { manPage } = await import("./man.ts");
        await ctx.io.stdout.write(manPage(await context.all()));
        return EXIT.ok;
      }
      await ctx.io.stdout.write(await context.helpFor(ctx.positionals));
      return EXIT.ok;
    },
  };
  const completion: Command = {
    name: "completion",
    summary: "Print a shell completion script (bash, zsh, fish): commands, flags, cached model refs",
    usage: "completion bash|zsh|fish",
    positionals: [{ name: "SHELL", help: "bash, zsh or fish", complete: SHELLS }],
    flags: {
      models: { type: "boolean", hidden: true, help: "The model refs known without asking a server, one a line" },
    },
    notes: `Load it once per shell, or install it:
  bash: source <(oclaw completion bash)      # or: oclaw completion bash > /etc/bash_completion.d/oclaw
  zsh:  source <(oclaw completion zsh)       # or: oclaw completion zsh > "\${fpath[1]}/_oclaw"
  fish: oclaw completion fish | source       # or: oclaw completion fish > ~/.config/fish/completions/oclaw.fish
Model refs come from the configured models and the cache of earlier discoveries; completing never
asks a server.`,
    async run(ctx) {
      const { completionCommandRun } = await import("./completion-run.ts");
      return await completionCommandRun(ctx, await context.all());
    },
  };
  return [help, completion].map((command) => ({ name: command.name, summary: command.summary, load: () => Promise.resolve(command) }));
}
