/**
 * The edges of the program, injected: everything oclaw reads from or writes to the outside world passes
 * through an {@link Io}. `main.ts` builds the real one (lib/runtime.ts); tests build one with
 * {@link memoryIo} and run the real code in-process.
 */
import { isIpAddress } from "./http.ts";

/** A text sink (stdout or stderr). */
export interface OutStream {
  /** Writes text; resolves once the runtime accepted it (backpressure). Never throws on a closed pipe. */
  write(text: string): Promise<void>;
  /** True when attached to a terminal. */
  readonly isTTY: boolean;
  /** Terminal width in columns, when known. */
  readonly columns: number | undefined;
  /** Aborted when the reader went away (EPIPE: `oclaw chat | head -1`). */
  readonly closed: AbortSignal;
}

/** The standard input. */
export interface InStream {
  readonly isTTY: boolean;
  /** Reads stdin to its end as UTF-8. */
  readAll(): Promise<string>;
}

/** The function used for every HTTP request; the global `fetch` by default. */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Resolves a host name to addresses; rejects with an error whose `code` is ENOTFOUND, EAI_AGAIN ... */
export type Lookup = (hostname: string) => Promise<string[]>;

/** The system resolver, through node:dns (Bun and Deno both give it errno codes). */
export const systemLookup: Lookup = async (hostname) => {
  // Loaded when a host name is first looked up (an IP address in the base URL needs none).
  const { lookup } = await import("node:dns/promises");
  const found = await lookup(hostname, { all: true });
  return found.map((a) => a.address);
};

/** Everything a command may touch outside the process. */
export interface Io {
  /** Environment variables (a snapshot; commands never mutate it). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: InStream;
  /** HTTP. */
  readonly fetch: Fetch;
  /** DNS. */
  readonly lookup: Lookup;
  /** Monotonic milliseconds (performance.now by default). */
  now(): number;
  /** Wall clock in milliseconds since the epoch. */
  wallClock(): number;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  readonly interrupt: AbortSignal;
  /** The user's home directory. */
  readonly homeDir: string;
  /** The working directory. */
  readonly cwd: string;
}

/** A captured output stream, for tests. */
export interface CapturedStream extends OutStream {
  /** Everything written so far. */
  text(): string;
  /** Marks the reader as gone, as a closed pipe would. */
  close(): void;
}

/** Creates an in-memory output stream. */
export function capturedStream(isTTY = false, columns: number | undefined = undefined): CapturedStream {
  let buffer = "";
  const controller = new AbortController();
  return {
    isTTY,
    columns,
    closed: controller.signal,
    write(text: string): Promise<void> {
      if (!controller.signal.aborted) buffer += text;
      return Promise.resolve();
    },
    text: () => buffer,
    close: () => controller.abort(),
  };
}

/** Options for {@link memoryIo}. */
export interface MemoryIoOptions {
  env?: Record<string, string | undefined>;
  stdin?: string | undefined;
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  fetch?: Fetch;
  lookup?: Lookup;
  interrupt?: AbortSignal;
  homeDir?: string;
  cwd?: string;
  now?: () => number;
  wallClock?: () => number;
}

/**
 * The global fetch, with host names resolved by `lookup` first: a test's resolver then decides where a
 * request goes (and whether its lookup fails), and nothing asks the system's resolver.
 */
function resolvingFetch(lookup: Lookup): Fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (!isIpAddress(host)) {
      const [address] = await lookup(host);
      if (address === undefined) throw new TypeError(`fetch failed: no address for ${host}`);
      url.hostname = address.includes(":") ? `[${address}]` : address;
    }
    return await fetch(url, init);
  };
}

/** An Io whose stdout and stderr are captured, for running commands in-process in tests. */
export function memoryIo(
  options: MemoryIoOptions = {},
): Io & { stdout: CapturedStream; stderr: CapturedStream } {
  const stdinText = options.stdin;
  return {
    env: options.env ?? {},
    stdout: capturedStream(options.stdoutIsTTY ?? false),
    stderr: capturedStream(false),
    stdin: {
      isTTY: options.stdinIsTTY ?? stdinText === undefined,
      readAll: () => Promise.resolve(stdinText ?? ""),
    },
    fetch: options.fetch ?? (options.lookup ? resolvingFetch(options.lookup) : (input, init) => fetch(input, init)),
    lookup: options.lookup ?? systemLookup,
    now: options.now ?? (() => performance.now()),
    wallClock: options.wallClock ?? (() => Date.now()),
    interrupt: options.interrupt ?? new AbortController().signal,
    homeDir: options.homeDir ?? "/nonexistent-home",
    cwd: options.cwd ?? "/",
  };
}
