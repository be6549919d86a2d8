/**
 * How the benchmark runs a consumer: as its own process, stdout to /dev/null, with wall and CPU time taken by
 * bash's `time` (millisecond resolution, the command and its children only), peak RSS by GNU time, and the
 * arrival of the first stdout byte on a pipe.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";

/** A command to run: argv plus the environment it adds to the harness's own. */
export interface Cmd {
  argv: string[];
  env?: Record<string, string>;
}

/** One timed run. */
export interface Timing {
  wallMs: number;
  userMs: number;
  sysMs: number;
  /** user + sys. */
  cpuMs: number;
  code: number;
  /** The command's stderr (kept short), to say why a run failed. */
  stderr: string;
}

// Nothing of the harness's environment leaks in (no OLLAMA_HOST, no user config) but PATH.
function env(cmd: Cmd): Record<string, string | undefined> {
  return { PATH: process.env.PATH, ...cmd.env };
}

/**
 * Runs a command with stdout and stderr on pipes, handing each stdout chunk to `onStdout`; kills it after
 * `timeoutMs`. Resolves with its exit code and (the first 100 kB of) its stderr.
 */
function runChild(cmd: Cmd, timeoutMs: number, onStdout: (chunk: Uint8Array) => void): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.argv[0]!, cmd.argv.slice(1), { env: env(cmd), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.on("data", onStdout);
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d.length + stderr.length < 1e5 ? d : ""));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stderr });
    });
  });
}

/** Runs a command to completion and collects its stdout, stderr and exit code. */
export async function capture(cmd: Cmd, timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const decoder = new TextDecoder();
  let stdout = "";
  const run = await runChild(cmd, timeoutMs, (chunk) => {
    if (stdout.length < 1e6) stdout += decoder.decode(chunk, { stream: true });
  });
  return { ...run, stdout: stdout + decoder.decode() };
}

// `time` is bash's keyword: it reports the command's own rusage (children included) with ms resolution,
// where GNU time's %U/%S stop at 10 ms. fd 3 keeps the command's stderr apart from the timing line.
const TIMED = 'exec 3>&2; TIMEFORMAT="%3R %3U %3S"; { time "$@" >/dev/null 2>&3 </dev/null; } 2>&1';

/** Runs a command with stdout to /dev/null and returns its wall and CPU time. */
export async function timed(cmd: Cmd, timeoutMs = 120_000): Promise<Timing> {
  const out = await capture({ ...cmd, argv: ["bash", "-c", TIMED, "bench", ...cmd.argv] }, timeoutMs);
  const match = /(\d+\.\d+) (\d+\.\d+) (\d+\.\d+)\s*$/.exec(out.stdout);
  if (!match) throw new Error(`no timing from ${cmd.argv.join(" ")}: ${out.stderr.slice(0, 300)}`);
  const [wall, user, sys] = [match[1], match[2], match[3]].map((s) => Number(s) * 1000) as [number, number, number];
  return { wallMs: wall, userMs: user, sysMs: sys, cpuMs: user + sys, code: out.code, stderr: out.stderr.slice(0, 2000) };
}

/** One run under GNU time: peak resident set size in KiB, plus wall and CPU time (10 ms resolution). */
export interface MemoryRun {
  maxRssKib: number;
  wallMs: number;
  cpuMs: number;
  code: number;
  stderr: string;
}

/** Runs a command with stdout to /dev/null under `/usr/bin/time` and returns its peak RSS. */
export async function peakRss(cmd: Cmd, timeoutMs = 300_000): Promise<MemoryRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "oclaw-bench-"));
  const file = path.join(dir, "time.txt");
  try {
    const script = 'out="$1"; shift; exec /usr/bin/time -o "$out" -f "%M %e %U %S" "$@" >/dev/null </dev/null';
    const out = await capture({ ...cmd, argv: ["bash", "-c", script, "bench", file, ...cmd.argv] }, timeoutMs);
    const text = await readFile(file, "utf8").catch(() => "");
    const match = /(\d+) (\d+\.\d+) (\d+\.\d+) (\d+\.\d+)\s*$/.exec(text);
    if (!match) throw new Error(`no rusage from ${cmd.argv.join(" ")}: ${text} ${out.stderr.slice(0, 300)}`);
    return {
      maxRssKib: Number(match[1]),
      wallMs: Number(match[2]) * 1000,
      cpuMs: (Number(match[3]) + Number(match[4])) * 1000,
      code: out.code,
      stderr: out.stderr.slice(0, 2000),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Wall-clock time in epoch ms with sub-ms precision, comparable across processes on one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Runs a command with stdout on a pipe and returns the epoch time (sub-ms) at which its first byte arrived,
 * or undefined when it wrote nothing. The rest of the output is drained and dropped.
 */
export async function firstByte(
  cmd: Cmd,
  timeoutMs = 30_000,
): Promise<{ at: number | undefined; startedAt: number; code: number; stderr: string }> {
  let at: number | undefined;
  // runChild spawns synchronously: this is the moment the process is asked for.
  const startedAt = epochMs();
  const run = await runChild(cmd, timeoutMs, () => {
    at ??= epochMs();
  });
  return { at, startedAt, code: run.code, stderr: run.stderr.slice(0, 2000) };
}

/** What hyperfine measured for one command (ms). */
export interface HyperfineResult {
  command: string;
  medianMs: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  userMs: number;
  systemMs: number;
  runs: number;
}

/**
 * Runs hyperfine over shell-free commands (`-N`, so no shell start-up is subtracted or added) and returns
 * its per-command results; `env` is given to every command.
 */
export async function hyperfine(
  commands: Array<{ name: string; argv: string[] }>,
  options: { runs: number; warmup: number; env?: Record<string, string> },
): Promise<HyperfineResult[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "oclaw-bench-"));
  const file = path.join(dir, "hyperfine.json");
  try {
    const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
    const argv = ["hyperfine", "-N", "--style", "none", "--export-json", file, "--runs", String(options.runs)];
    argv.push("--warmup", String(options.warmup));
    for (const { name, argv: line } of commands) argv.push("--command-name", name, line.map(quote).join(" "));
    const out = await capture({ argv, env: options.env ?? {} }, 600_000);
    if (out.code !== 0) throw new Error(`hyperfine failed: ${out.stderr.slice(0, 500)}`);
    const json = JSON.parse(await readFile(file, "utf8")) as {
      results: Array<{ command: string; median: number; mean: number; min: number; max: number; user: number; system: number; times: number[] }>;
    };
    return json.results.map((r) => ({
      command: r.command,
      medianMs: r.median * 1000,
      meanMs: r.mean * 1000,
      minMs: r.min * 1000,
      maxMs: r.max * 1000,
      userMs: r.user * 1000,
      systemMs: r.system * 1000,
      runs: r.times.length,
    }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A run whose stdout is only counted: exit code, byte count, the first bytes, and stderr. */
export async function drain(cmd: Cmd, timeoutMs = 120_000): Promise<{ code: number; bytes: number; head: string; stderr: string }> {
  let bytes = 0;
  let head = "";
  const run = await runChild(cmd, timeoutMs, (chunk) => {
    if (head.length < 300) head += new TextDecoder().decode(chunk.subarray(0, 300));
    bytes += chunk.length;
  });
  return { code: run.code, bytes, head: head.slice(0, 300), stderr: run.stderr.slice(0, 2000) };
}
