/**
 * Consent before a tool runs: `-y/--yes` runs every call without asking; on a terminal each call is asked
 * about (`run NAME ARGS? [y/N]`); off a terminal without `--yes` the run is refused before any request
 * (cron and scripts must say so explicitly).
 */
import { usageError } from "../errors.ts";
import type { Io } from "../io.ts";

/**
 * Asks one question on the terminal and resolves to the answer line (undefined at end of input); rejects
 * with the signal's reason when it is aborted (Ctrl-C at the question).
 */
export type Ask = (question: string, signal: AbortSignal) => Promise<string | undefined>;

/** Decides whether one call may run. @throws the signal's reason when aborted while asking */
export type Approve = (name: string, args: Record<string, unknown>, signal: AbortSignal) => Promise<boolean>;

/** The terminal question, read from stdin (a terminal here) with node:readline, loaded only when asked. */
export function terminalAsk(io: Io): Ask {
  return async (question, signal) => {
    await io.stderr.write(question);
    const [{ createInterface }, { default: process }] = await Promise.all([import("node:readline"), import("node:process")]);
    const rl = createInterface({ input: process.stdin, terminal: false });
    let onAbort = () => {};
    try {
      return await new Promise<string | undefined>((resolve, reject) => {
        onAbort = () => {
          // The question's line ends, so the error after it starts on a line of its own.
          void io.stderr.write("\n").then(() => reject(signal.reason));
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        rl.once("line", resolve);
        rl.once("close", () => resolve(undefined));
      });
    } finally {
      signal.removeEventListener("abort", onAbort);
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
  return (name, args, signal) => {
    queue = queue.then(async () => {
      const answer = await ask(`run ${name} ${JSON.stringify(args)}? [y/N] `, signal);
      return /^\s*y(es)?\s*$/i.test(answer ?? "");
    });
    return queue;
  };
}
