/**
 * Consent before a tool runs: `-y/--yes` runs every call without asking; on a terminal each call is asked
 * about (`run NAME ARGS? [y/N]`); off a terminal without `--yes` the run is refused before any request
 * (cron and scripts must say so explicitly).
 */
import { usageError } from "../errors.ts";
import type { Io } from "../io.ts";

/** Asks one question on the terminal and resolves to the answer line (undefined at end of input). */
export type Ask = (question: string) => Promise<string | undefined>;

/** Decides whether one call may run. */
export type Approve = (name: string, args: Record<string, unknown>) => Promise<boolean>;

/** The terminal question, read from stdin (a terminal here) with node:readline, loaded only when asked. */
export function terminalAsk(io: Io): Ask {
  return async (question) => {
    await io.stderr.write(question);
    const [{ createInterface }, { default: process }] = await Promise.all([import("node:readline"), import("node:process")]);
    const rl = createInterface({ input: process.stdin, terminal: false });
    try {
      return await new Promise<string | undefined>((resolve) => {
        rl.once("line", resolve);
        rl.once("close", () => resolve(undefined));
      });
    } finally {
      rl.close();
      process.stdin.pause();
    }
  };
}

/**
 * The consent policy of a run.
 * @throws OclawError E_USAGE off a terminal without `--yes` ("tools would run unattended: pass --yes")
 */
export function consent(io: Io, yes: boolean, ask: Ask = terminalAsk(io)): Approve {
  if (yes) return () => Promise.resolve(true);
  if (!io.stdin.isTTY || !io.stderr.isTTY) {
    throw usageError(
      "tools would run unattended: pass --yes",
      "Give -y/--yes to let the model run the tools of --tools and --mcp without asking",
    );
  }
  // One question at a time, even when calls of a turn are approved together.
  let queue = Promise.resolve(false);
  return (name, args) => {
    queue = queue.then(async () => {
      const answer = await ask(`run ${name} ${JSON.stringify(args)}? [y/N] `);
      return /^\s*y(es)?\s*$/i.test(answer ?? "");
    });
    return queue;
  };
}
