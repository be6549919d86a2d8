/**
 * Command tools: `--tools FILE` entries that carry `"command": ["prog", "arg", …]`. A call runs the program
 * (argv, never a shell) with the call's arguments as JSON on stdin; its stdout is the result. A non-zero
 * exit or a timeout (the process group killed) is an error result with the exit code and the tail of
 * stderr, which the model sees so it can recover.
 */
import process from "node:process";
import type { ToolDefinition } from "../client/request.ts";
import { OclawError } from "../errors.ts";
import { lazySchema, z } from "../zod.ts";
import { type CallContext, cutMark, OUTPUT_CAP, type ToolResult, type ToolSource } from "./toolbox.ts";

/** Seconds a command tool may run when its entry does not say. */
export const DEFAULT_TOOL_TIMEOUT_S = 60;

/** Bytes of stderr kept for an error result. */
const STDERR_TAIL = 2048;

/** One `--tools FILE` entry, as checked. */
export const toolEntrySchema = lazySchema(() =>
  z.strictObject({
    type: z.literal("function"),
    function: z.looseObject({
      name: z.string().min(1),
      description: z.string().optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
    }),
    command: z.array(z.string()).min(1).optional(),
    timeoutSeconds: z.number().positive().optional(),
  })
);

/** One `--tools FILE` entry. */
export type ToolEntry = z.infer<ReturnType<typeof toolEntrySchema>>;

/** The definition sent to the model: the entry without oclaw's own keys. */
export function definitionOf(entry: ToolEntry): ToolDefinition {
  return { type: "function", function: entry.function } as ToolDefinition;
}

/** How command tools run. */
export interface CommandOptions {
  /** The environment the program gets, before OCLAW_TOOL_NAME / OCLAW_TOOL_CALL_ID are added. */
  env: Readonly<Record<string, string | undefined>>;
  /** Working directory. */
  cwd: string;
  /** The file the entries came from, for messages. */
  file: string;
}

/** What one run of a program gave. */
interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Kills the program and anything it started (its process group), falling back to the process alone. */
function killGroup(pid: number | undefined, kill: () => void): void {
  try {
    if (pid !== undefined) process.kill(-pid, "SIGKILL");
    else kill();
  } catch {
    try {
      kill();
    } catch {
      // Already gone.
    }
  }
}

/** Keeps the first {@link OUTPUT_CAP} bytes of a stream and counts the rest. */
class Capped {
  chunks: Uint8Array[] = [];
  kept = 0;
  total = 0;
  constructor(readonly cap: number, readonly tail = false) {}
  add(chunk: Uint8Array): void {
    this.total += chunk.length;
    if (this.tail) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      while (this.kept - (this.chunks[0]?.length ?? 0) >= this.cap) this.kept -= this.chunks.shift()!.length;
      return;
    }
    if (this.kept >= this.cap) return;
    const part = chunk.subarray(0, this.cap - this.kept);
    this.chunks.push(part);
    this.kept += part.length;
  }
  text(): string {
    const all = new Uint8Array(this.kept);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    const bytes = this.tail ? all.subarray(Math.max(0, all.length - this.cap)) : all;
    return new TextDecoder().decode(bytes);
  }
}

async function runProgram(
  argv: string[],
  input: string,
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Outcome> {
  // Loaded when a tool first runs: the compiled binary loads every static node: import at start-up.
  const { spawn } = await import("node:child_process");
  return await new Promise((resolve, reject) => {
    const [program, ...args] = argv as [string, ...string[]];
    // A group of its own, so a timeout or Ctrl-C also stops what the program started (`sh -c 'sleep 99'`).
    const child = spawn(program, args, { cwd, env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    const stdout = new Capped(OUTPUT_CAP);
    const stderr = new Capped(STDERR_TAIL, true);
    let timedOut = false;
    let settled = false;
    const kill = () => killGroup(child.pid, () => child.kill("SIGKILL"));
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => kill();
    signal.addEventListener("abort", onAbort, { once: true });
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      outcome();
    };
    child.on("error", (error) => finish(() => reject(error)));
    child.stdout.on("data", (c: Uint8Array) => stdout.add(c));
    child.stderr.on("data", (c: Uint8Array) => stderr.add(c));
    // A program that does not read stdin closes it: not an error.
    child.stdin.on("error", () => {});
    child.stdin.end(input);
    child.on("close", (code, sig) => {
      finish(() => {
        if (signal.aborted) return reject(signal.reason);
        const out = stdout.total > stdout.kept ? cutMark(stdout.text().replace(/\uFFFD$/, ""), stdout.total) : stdout.text();
        resolve({ code, signal: sig, stdout: out, stderr: stderr.text(), timedOut });
      });
    });
    // Once killed, a grandchild that escaped the group may hold the pipes open: do not wait for it.
    child.on("exit", () => {
      if (!timedOut && !signal.aborted) return;
      child.stdout.destroy();
      child.stderr.destroy();
    });
  });
}

function failure(name: string, outcome: Outcome, timeoutS: number): string {
  const how = outcome.timedOut
    ? `Tool ${name} did not finish within ${timeoutS} s and was stopped`
    : outcome.code !== null
    ? `Tool ${name} failed with exit code ${outcome.code}`
    : `Tool ${name} was killed by ${outcome.signal ?? "a signal"}`;
  const tail = outcome.stderr.trim();
  const out = outcome.stdout.trim();
  return how + (tail ? `\nstderr:\n${tail}` : "") + (out && !outcome.timedOut ? `\nstdout:\n${out}` : "");
}

/** The tools of a `--tools FILE`: entries with a command run, the others are declared only. */
export function commandTools(entries: ToolEntry[], options: CommandOptions): ToolSource {
  const byName = new Map(entries.map((e) => [e.function.name, e]));
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env)) if (v !== undefined) base[k] = v;
  return {
    label: `--tools ${options.file}`,
    list: () => entries.map(definitionOf),
    runs: (name) => byName.get(name)?.command !== undefined,
    async call(name: string, args: Record<string, unknown>, context: CallContext): Promise<ToolResult> {
      const entry = byName.get(name);
      if (entry?.command === undefined) return { ok: false, output: `Tool ${name} cannot be run` };
      const timeoutS = entry.timeoutSeconds ?? DEFAULT_TOOL_TIMEOUT_S;
      const env = { ...base, OCLAW_TOOL_NAME: name, OCLAW_TOOL_CALL_ID: context.id };
      let outcome: Outcome;
      try {
        outcome = await runProgram(entry.command, JSON.stringify(args), env, options.cwd, timeoutS * 1000, context.signal);
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        const code = (error as { code?: unknown }).code;
        const reason = code === "ENOENT" ? "no such program" : code === "EACCES" ? "permission denied" : String(error);
        throw new OclawError("E_TOOL", `Cannot run tool ${name} (${entry.command[0]}): ${reason}`, {
          cause: error,
          hint: `Check the "command" of ${name} in ${options.file}`,
        });
      }
      if (outcome.code === 0 && !outcome.timedOut) return { ok: true, output: outcome.stdout };
      return { ok: false, output: failure(name, outcome, timeoutS) };
    },
    close: () => Promise.resolve(),
  };
}
