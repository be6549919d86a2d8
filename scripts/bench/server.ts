/**
 * The in-repo fake Ollama, started as its own process (so it does not share the harness's event loop),
 * in the modes the benchmark needs: a bulk stream of N tokens, or a store of N models with slow /api/show.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import type { BenchContext } from "./types.ts";

/** What a server should do. */
export interface ServerSpec {
  /**
   * Serve every chat from one pre-built body of this many tokens (scripts/bench/at-once-server.ts): the server
   * costs nothing per token, so the client's own cost is what is measured. `models` and `showDelayMs` still
   * apply; every request is recorded for {@link ServerHandle.requests}.
   */
  atOnceTokens?: number;
  /** Every chat answers with this many content tokens, written as fast as the socket takes. */
  bulkTokens?: number;
  /** A generated store of this many tool-capable models. */
  models?: number;
  /** Latency of every /api/show. */
  showDelayMs?: number;
}

/** A running fake server. */
export interface ServerHandle {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** A model name the store holds. */
  model: string;
  pid: number;
  /** Epoch ms (sub-ms) at which the latest chat stream's first token was written. */
  firstTokenAt(): Promise<number | undefined>;
  /** CPU time (user+sys, ms, 10 ms resolution) the server process has used so far. */
  cpuMs(): Promise<number>;
  /** At-once server only: the requests received since the last call (method, path, body). */
  requests(): Promise<Array<{ method: string; path: string; body: string }>>;
  stop(): Promise<void>;
}

/** Thrown when the fake server (or a mode of it) does not exist yet. */
export class NotAvailable extends Error {}

/** The server's entry script, or NotAvailable. */
function entry(ctx: BenchContext): string {
  const file = path.join(ctx.root, "scripts/fake-ollama.ts");
  if (!existsSync(file)) throw new NotAvailable("the fake Ollama server (scripts/fake-ollama.ts) has not landed");
  return file;
}

/** Reads utime+stime of a process from /proc (clock ticks of 10 ms). */
async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of /proc/PID/stat; the slice starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Starts the fake server in its own process and waits until it listens. */
export async function startServer(ctx: BenchContext, spec: ServerSpec): Promise<ServerHandle> {
  const args = spec.atOnceTokens !== undefined
    ? [
      path.join(ctx.root, "scripts/bench/at-once-server.ts"),
      String(spec.atOnceTokens),
      ...(spec.models !== undefined ? [String(spec.models), String(spec.showDelayMs ?? 0)] : []),
    ]
    : [entry(ctx), "--port", "0", ...serverFlags(spec)];
  const child = spawn(ctx.runtime, args, { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH } });
  const url = await listening(child);
  return {
    url,
    model: "bench",
    pid: child.pid!,
    firstTokenAt: () => firstTokenAt(url),
    cpuMs: () => processCpuMs(child.pid!),
    requests: async () => (await (await fetch(`${url}/_bench/requests`)).json()) as Array<{ method: string; path: string; body: string }>,
    stop: () => stop(child),
  };
}

/** The command-line flags for a spec (see scripts/fake-ollama.ts --help). */
function serverFlags(spec: ServerSpec): string[] {
  const flags: string[] = [];
  if (spec.bulkTokens !== undefined) flags.push("--tokens", String(spec.bulkTokens));
  if (spec.models !== undefined) flags.push("--models", String(spec.models));
  if (spec.showDelayMs !== undefined) flags.push("--show-delay", String(spec.showDelayMs));
  return flags;
}

/** Waits for the line naming the server's URL on its stdout. */
function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => fail(new NotAvailable(`the fake server did not start in 60 s: ${err.slice(0, 300)}`)), 60_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(e);
    };
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.on("exit", (code) => fail(new NotAvailable(`the fake server exited (${code}): ${err.trim().split("\n")[0] ?? ""}`)));
  });
}

async function firstTokenAt(url: string): Promise<number | undefined> {
  const res = await fetch(`${url}/_fake/stats`);
  if (!res.ok) throw new NotAvailable(`the fake server has no stats route (${res.status})`);
  const stats = (await res.json()) as { firstTokenAt?: number };
  return stats.firstTokenAt;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
