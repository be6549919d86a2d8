/**
 * The real {@link Io}: the process's streams, environment, signals and fetch. The only module that
 * touches the runtime's process object; it uses `node:` built-ins that Bun and Deno both provide.
 */
import fs from "node:fs";
import process from "node:process";
import { EXIT, exitCodeFor, OclawError } from "./errors.ts";
import { fsReason } from "./fs-errors.ts";
import { type InStream, type Io, type OutStream, systemLookup } from "./io.ts";
import { neutralizeControls, type OutputText, type RenderPolicy, renderOutput } from "./terminal.ts";
import { untilAborted } from "./wait.ts";
import { isNullDevice, isTerminal } from "./descriptors.ts";
import { Secrets } from "./redact.ts";

/** Flushes of every stream's queued text, awaited before the process exits. */
const pendingOutput = new Set<() => Promise<void>>();

/**
 * Most text queued in one turn of the event loop, or handed to write(2) and not yet taken by the pipe,
 * before `write` makes its caller wait (backpressure).
 */
const QUEUE_LIMIT = 64 * 1024;

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
function outStream(fd: 1 | 2, secrets: Secrets): OutStream {
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
  let policy: RenderPolicy | undefined;
  const stream: OutStream = {
    get isTTY() {
      return isTTY ??= isTerminal(fd);
    },
    get columns() {
      if (!this.isTTY) return undefined;
      return (fd === 1 ? process.stdout : process.stderr).columns;
    },
    closed: closed.signal,
    async drain(): Promise<Error | undefined> {
      flushQueue();
      await last;
      return fd === 1 ? stdoutFailure : undefined;
    },
    write(output: OutputText): Promise<void> {
      // The one place output meets the terminal: stderr's messages are always neutralised, stdout's text on
      // a terminal only (a pipe gets the reply byte for byte); styling goes to a terminal only.
      // (A message on stderr needs no look at the descriptor: it is neutralised wherever it goes.)
      const text = fd === 2 && typeof output === "string"
        ? neutralizeControls(secrets.redact(output))
        : renderOutput(output, policy ??= { neutralize: fd === 2 || stream.isTTY, styles: stream.isTTY, secrets });
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
  return stream;
}

/** Bytes asked of read(2) at a time when reading stdin. */
const STDIN_CHUNK = 64 * 1024;

/** One read(2) on `fd` at its current offset (position null, as `cat` reads); 0 at the end. */
function readOnce(fd: number, buffer: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    let waits = 0;
    const next = () => {
      fs.read(fd, buffer, 0, buffer.length, null, (error, read) => {
        if (error === null) return resolve(read);
        // A non-blocking pipe with nothing in it yet: wait and ask again.
        if (error.code === "EAGAIN") return setTimeout(next, FULL_PIPE_RETRY_MS[Math.min(waits++, FULL_PIPE_RETRY_MS.length - 1)]);
        if (error.code === "EOF") return resolve(0);
        reject(error);
      });
    };
    next();
  });
}

function inStream(): InStream {
  let isTTY: boolean | undefined;
  return {
    get isTTY() {
      return isTTY ??= isTerminal(0);
    },
    async readAll(signal?: AbortSignal): Promise<string> {
      // read(2) on descriptor 0 itself, not process.stdin: a file redirected in (`< list.txt`) is read from
      // the offset the shell left, and left at its end, as `cat` does; the runtime's stream would start over
      // at byte 0. Raced against the signal: a FIFO nobody writes to must not outlast Ctrl-C or --timeout.
      // The null device has nothing to give: no read, no wait on the runtime's thread pool.
      if (isNullDevice(0)) return "";
      const read = async () => {
        const decoder = new TextDecoder();
        const buffer = new Uint8Array(STDIN_CHUNK);
        let text = "";
        for (;;) {
          const n = await readOnce(0, buffer);
          if (n === 0) break;
          text += decoder.decode(buffer.subarray(0, n), { stream: true });
        }
        return text + decoder.decode();
      };
      return await untilAborted(read(), signal);
    },
    async readBytes(maxBytes: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; over: boolean }> {
      const read = async () => {
        const chunks: Uint8Array[] = [];
        let size = 0;
        for (;;) {
          const buffer = new Uint8Array(STDIN_CHUNK);
          const n = await readOnce(0, buffer);
          if (n === 0) break;
          chunks.push(buffer.subarray(0, n));
          size += n;
          if (size > maxBytes) return { bytes: new Uint8Array(), over: true };
        }
        const bytes = new Uint8Array(size);
        let at = 0;
        for (const chunk of chunks) {
          bytes.set(chunk, at);
          at += chunk.length;
        }
        return { bytes, over: false };
      };
      return await untilAborted(read(), signal);
    },
  };
}

/** The signals that end a run, with their numbers: the exit status is 128 + the number, as shells report. */
const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/** The first signal received, if any. */
let receivedSignal: keyof typeof SIGNALS | undefined;

/**
 * After a signal the run has this long to wind down (close connections, print its last line) before the
 * process exits anyway: every wait in oclaw obeys the interrupt, this is the net under one that does not.
 */
const SIGNAL_GRACE_MS = 2_000;

/**
 * Builds the process's Io. SIGINT (Ctrl-C), SIGTERM and SIGHUP abort `interrupt`; a second signal, or a run
 * still going {@link SIGNAL_GRACE_MS} after the first, exits at once with 128 + the signal's number.
 */
export function processIo(): Io {
  const interrupt = new AbortController();
  const secrets = new Secrets();
  const onSignal = (signal: keyof typeof SIGNALS) => {
    if (interrupt.signal.aborted) process.exit(128 + SIGNALS[receivedSignal ?? signal]);
    receivedSignal = signal;
    interrupt.abort(new DOMException(`Interrupted by ${signal}`, "AbortError"));
    const timer = setTimeout(() => process.exit(128 + SIGNALS[signal]), SIGNAL_GRACE_MS);
    // The net must not itself keep a finished run alive.
    (timer as { unref?: () => void }).unref?.();
  };
  for (const signal of Object.keys(SIGNALS) as Array<keyof typeof SIGNALS>) process.on(signal, () => onSignal(signal));
  return {
    env: { ...process.env },
    stdout: outStream(1, secrets),
    stderr: outStream(2, secrets),
    secrets,
    stdin: inStream(),
    fetch: (input, init) => fetch(input, init),
    lookup: systemLookup,
    now: () => performance.now(),
    wallClock: () => Date.now(),
    interrupt: interrupt.signal,
    homeDir: homeDirectory(),
    cwd: process.cwd(),
  };
}

/**
 * The home directory as `os.homedir()` finds it: `$HOME` when set, else the user database. `node:os` is
 * loaded only for the second, since in the compiled binary it costs about a millisecond of every start.
 */
function homeDirectory(): string {
  const home = process.env.HOME;
  if (home !== undefined && home !== "") return home;
  return (process.getBuiltinModule("node:os") as typeof import("node:os")).homedir();
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
 * output (not to a closed pipe) says so on stderr and fails with E_WRITE's code instead. A run interrupted
 * by a signal (exit 130) exits with 128 + that signal's number: 143 for SIGTERM, 129 for SIGHUP.
 */
export async function exitWith(code: number): Promise<never> {
  if (code === EXIT.interrupted && receivedSignal !== undefined) code = 128 + SIGNALS[receivedSignal];
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
