/**
 * The real {@link Io}: the process's streams, environment, signals and fetch. The only module that
 * touches the runtime's process object; it uses `node:` built-ins that Bun and Deno both provide.
 */
import process from "node:process";
import os from "node:os";
import type { Writable } from "node:stream";
import { type InStream, type Io, type OutStream, systemLookup } from "./io.ts";

function outStream(stream: Writable & { isTTY?: boolean; columns?: number }): OutStream {
  const closed = new AbortController();
  // EPIPE (the reader went away) is not an error for oclaw: it means "stop", and exit quietly.
  stream.on("error", () => closed.abort());
  return {
    isTTY: stream.isTTY === true,
    get columns() {
      return stream.isTTY ? stream.columns : undefined;
    },
    closed: closed.signal,
    write(text: string): Promise<void> {
      if (closed.signal.aborted || text === "") return Promise.resolve();
      return new Promise((resolve) => {
        try {
          stream.write(text, (error) => {
            if (error) closed.abort();
            resolve();
          });
        } catch {
          closed.abort();
          resolve();
        }
      });
    },
  };
}

function inStream(): InStream {
  return {
    isTTY: process.stdin.isTTY === true,
    async readAll(): Promise<string> {
      const decoder = new TextDecoder();
      let text = "";
      for await (const chunk of process.stdin) {
        text += typeof chunk === "string" ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
      }
      return text + decoder.decode();
    },
  };
}

/**
 * Builds the process's Io. Ctrl-C and SIGTERM abort `interrupt`; a second Ctrl-C exits at once.
 */
export function processIo(): Io {
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(signal === "SIGINT" ? 130 : 143);
    interrupt.abort(new DOMException(`Interrupted by ${signal}`, "AbortError"));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    env: { ...process.env },
    stdout: outStream(process.stdout),
    stderr: outStream(process.stderr),
    stdin: inStream(),
    fetch: (input, init) => fetch(input, init),
    lookup: systemLookup,
    now: () => performance.now(),
    wallClock: () => Date.now(),
    interrupt: interrupt.signal,
    homeDir: os.homedir(),
    cwd: process.cwd(),
  };
}

/** The runtime's name and version, for `--version`: "bun 1.2.3" or "deno 2.1.0". */
export function runtimeDescription(): string {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.bun) return `bun ${versions.bun}`;
  if (versions.deno) return `deno ${versions.deno}`;
  return `node ${process.versions.node}`;
}

/** "linux-x64", "darwin-arm64", ... */
export function platformDescription(): string {
  return `${process.platform}-${process.arch}`;
}

/** Sets the process exit code and flushes stdout/stderr before the process ends. */
export async function exitWith(code: number): Promise<never> {
  await Promise.all([
    new Promise<void>((resolve) => process.stdout.write("", () => resolve())),
    new Promise<void>((resolve) => process.stderr.write("", () => resolve())),
  ]);
  process.exit(code);
}
