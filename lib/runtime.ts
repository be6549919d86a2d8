/**
 * The real {@link Io}: the process's streams, environment, signals and fetch. The only module that
 * touches the runtime's process object; it uses `node:` built-ins that Bun and Deno both provide.
 */
import process from "node:process";
import os from "node:os";
import type { Writable } from "node:stream";
import { type InStream, type Io, type OutStream, systemLookup } from "./io.ts";

/** Flushes of every stream's queued text, awaited before the process exits. */
const pendingOutput = new Set<() => Promise<void>>();

/** Most text queued in one turn of the event loop before `write` makes its caller wait (backpressure). */
const QUEUE_LIMIT = 64 * 1024;

function outStream(stream: Writable & { isTTY?: boolean; columns?: number }): OutStream {
  const closed = new AbortController();
  // EPIPE (the reader went away) is not an error for oclaw: it means "stop", and exit quietly.
  stream.on("error", () => closed.abort());
  // The first text of a turn of the event loop goes out at once; text written later in the same turn (the
  // other tokens of one network read) is queued and goes out as one write when the turn ends. A write per
  // token costs a syscall and a callback each, more than parsing the token on a fast stream.
  let queue: string[] = [];
  let queued = 0;
  let inTurn = false;
  let last: Promise<void> = Promise.resolve();
  const send = (text: string) => {
    last = new Promise<void>((resolve) => {
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
  };
  const flushQueue = () => {
    if (queue.length === 0 || closed.signal.aborted) return;
    const text = queue.join("");
    queue = [];
    queued = 0;
    send(text);
  };
  const endTurn = () => {
    inTurn = false;
    if (queue.length === 0) return;
    flushQueue();
    inTurn = true;
    setImmediate(endTurn);
  };
  pendingOutput.add(() => {
    flushQueue();
    return last;
  });
  return {
    isTTY: stream.isTTY === true,
    get columns() {
      return stream.isTTY ? stream.columns : undefined;
    },
    closed: closed.signal,
    write(text: string): Promise<void> {
      if (closed.signal.aborted || text === "") return Promise.resolve();
      if (!inTurn) {
        send(text);
        inTurn = true;
        setImmediate(endTurn);
        // A reader slower than the model (`| less`): wait until the pipe took this text.
        return stream.writableNeedDrain ? last : Promise.resolve();
      }
      queue.push(text);
      queued += text.length;
      if (queued < QUEUE_LIMIT) return Promise.resolve();
      flushQueue();
      return last;
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
  await Promise.all([...pendingOutput].map((pending) => pending()));
  await Promise.all([
    new Promise<void>((resolve) => process.stdout.write("", () => resolve())),
    new Promise<void>((resolve) => process.stderr.write("", () => resolve())),
  ]);
  process.exit(code);
}
