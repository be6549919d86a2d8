/**
 * Runs oclaw for tests: in-process through the real `run` with a captured Io, or as a child process —
 * the compiled binary when OCLAW_BIN is set (bun test under scripts/test.ts), else the source under the
 * runtime running the tests.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { run } from "../../lib/cli/run.ts";
import { memoryIo, type MemoryIoOptions } from "./memory-io.ts";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** What a run of oclaw produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `run(args)` in-process with captured stdout/stderr. */
export async function runInProcess(args: string[], options: MemoryIoOptions = {}): Promise<CliResult> {
  const io = memoryIo(options);
  const code = await run(args, io);
  return { code, stdout: io.stdout.text(), stderr: io.stderr.text() };
}

/** The command that starts oclaw as a process: [program, ...args before oclaw's own]. */
export function oclawCommand(): [string, string[]] {
  const bin = process.env.OCLAW_BIN;
  if (bin) return [path.resolve(ROOT, bin), []];
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.deno) return [process.execPath, ["run", "-A", "--no-check", path.join(ROOT, "main.ts")]];
  return [process.execPath, [path.join(ROOT, "main.ts")]];
}

/** Options for {@link spawnOclaw}. */
export interface SpawnOptions {
  /** The whole environment (nothing is inherited but PATH); HOME defaults to a path that does not exist. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, then closed; stdin is /dev/null when absent. */
  stdin?: string;
  /** Kills the process after this many ms (default 30 s) and fails. */
  killAfterMs?: number;
  cwd?: string;
  /** An open file descriptor the process gets as stdout instead of a pipe (the result's stdout is then ""). */
  stdoutFd?: number;
  /** Called with the child once started (to send signals, read stdout early...). */
  onSpawn?: (child: import("node:child_process").ChildProcess) => void;
}

/** Runs oclaw as a separate process and collects its output and exit code. */
export function spawnOclaw(args: string[], options: SpawnOptions = {}): Promise<CliResult> {
  const [program, pre] = oclawCommand();
  // No run log unless a test asks for one (tests/support/world.ts does): runs that share the default
  // HOME would all append to one file outside any test's directory.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: "/nonexistent-home",
    OCLAW_LOG: "off",
  };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...pre, ...args], {
      env,
      cwd: options.cwd ?? ROOT,
      stdio: [options.stdin === undefined ? "ignore" : "pipe", options.stdoutFd ?? "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    if (options.stdin !== undefined) {
      child.stdin!.on("error", () => {});
      child.stdin!.end(options.stdin);
    }
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`oclaw ${args.join(" ")} did not finish in time; stderr: ${stderr}`));
    }, options.killAfterMs ?? 30_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 + 15 : 1), stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}
