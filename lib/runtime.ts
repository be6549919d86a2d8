/**
 * The real {@link Io}: the process's streams, environment, signals and fetch. The only module that
 * touches the runtime's process object; it uses `node:` built-ins that Bun and Deno both provide.
 */
import fs from "node:fs";
import process from "node:process";
import os from "node:os";
import { exitCodeFor, OclawError } from "./errors.ts";
import { fsReason } from "./fs-errors.ts";
import { type InStream, type Io, type OutStream, systemLookup } from "./io.ts";

/** Flushes of every stream's queued text, awaited before the process exits. */
const pendingOutput = new Set<() => Promise<void>>();

/**
 * Most text queued in one turn of the event loop, or handed to write(2) and not yet taken by the pipe,
 * before `write` makes its caller wait (backpressure).
 */
const QUEUE_LIMIT = 64 * 1024;

/**
 * Whether the descriptor is a terminal. Only a character device can be one (a pipe or a file is settled by
 * fstat alone); only then is `node:tty` loaded: in the compiled binary it brings Node's socket and stream
 * machinery, ~11 ms.
 */
function isTerminal(fd: number): boolean {
  try {
    if (!fs.fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  const tty = process.getBuiltinModule("node:tty") as typeof import("node:tty");
  return tty.isatty(fd);
}

/** Waits between tries when the descriptor is non-blocking and the pipe is full (EAGAIN). */
const FULL_PIPE_RETRY_MS = [1, 2, 5, 10, 20];

/**
 * Writes all of `bytes` to `fd`, however many write(2) calls it takes; resolves to the error that stopped
 * it (EPIPE: the reader is gone), or undefined once everything is written.
 */
function writeAll(fd: number, bytes: Uint8Array): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    let offset = 0;
    let waits = 0;
    const next = () => {
      fs.write(fd, bytes, offset, bytes.length - offset, null, (error, written) => {
        if (error) {
          if (error.code !== "EAGAIN") return resolve(error);
          setTimeout(next, FULL_PIPE_RETRY_MS[Math.min(waits++, FULL_PIPE_RETRY_MS.length - 1)]);
          return;
        }
        waits = 0;
        offset += written;
        if (offset < bytes.length) next();
        else resolve(undefined);
      });
    };
    next();
  });
}

/** The first failed write to stdout that was not the reader going away (a full disk, an I/O error). */
let stdoutFailure: OclawError | undefined;

/**
 * stdout or stderr, written with `node:fs` on the descriptor. Not `process.stdout`: in the compiled binary,
 * touching it loads Node's stream machinery, ~15 ms of every run (half of `oclaw --version`).
 */
function outStream(fd: 1 | 2): OutStream {
  const closed = new AbortController();
  const encoder = new TextEncoder();
  // The first text of a turn of the event loop goes out at once; text written later in the same turn (the
  // other tokens of one network read) is queued and goes out as one write when the turn ends. A write per
  // token costs a syscall and a callback each, more than parsing the token on a fast stream.
  let queue: string[] = [];
  let queued = 0;
  let inTurn = false;
  // Writes run one after another, in order; `unwritten` counts the bytes handed over and not yet written.
  let last: Promise<void> = Promise.resolve();
  let unwritten = 0;
  const send = (text: string) => {
    const bytes = encoder.encode(text);
    unwritten += bytes.length;
    last = last.then(async () => {
      const error = closed.signal.aborted ? undefined : await writeAll(fd, bytes);
      unwritten -= bytes.length;
      if (error === undefined) return;
      // Either way the command stops writing. EPIPE (the reader went away: `| head -1`) is not an error
      // for oclaw, and it exits quietly; anything else lost output, and the exit says so.
      if (fd === 1 && error.code !== "EPIPE") {
        stdoutFailure ??= new OclawError("E_WRITE", `Cannot write to stdout: ${fsReason(error, "write")}`, { cause: error });
      }
      closed.abort();
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
  let isTTY: boolean | undefined;
  return {
    get isTTY() {
      return isTTY ??= isTerminal(fd);
    },
    get columns() {
      if (!this.isTTY) return undefined;
      return (fd === 1 ? process.stdout : process.stderr).columns;
    },
    closed: closed.signal,
    write(text: string): Promise<void> {
      if (closed.signal.aborted || text === "") return Promise.resolve();
      if (!inTurn) {
        send(text);
        inTurn = true;
        setImmediate(endTurn);
        // A reader slower than the model (`| less`): wait until the pipe took most of what was sent.
        return unwritten > QUEUE_LIMIT ? last : Promise.resolve();
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
  let isTTY: boolean | undefined;
  return {
    get isTTY() {
      return isTTY ??= isTerminal(0);
    },
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
    stdout: outStream(1),
    stderr: outStream(2),
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

/**
 * Writes out what stdout and stderr still hold, then ends the process with `code`; a run that lost stdout
 * output (not to a closed pipe) says so on stderr and fails with E_WRITE's code instead.
 */
export async function exitWith(code: number): Promise<never> {
  await Promise.all([...pendingOutput].map((pending) => pending()));
  if (stdoutFailure !== undefined) {
    try {
      fs.writeSync(2, `oclaw: ${stdoutFailure.message}\n`);
    } catch {
      // stderr is gone too: the exit code is all that is left.
    }
    if (code === 0) code = exitCodeFor(stdoutFailure);
  }
  process.exit(code);
}
