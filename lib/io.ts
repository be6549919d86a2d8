/**
 * The edges of the program, injected: everything oclaw reads from or writes to the outside world passes
 * through an {@link Io}. `main.ts` builds the real one (lib/runtime.ts); tests build one with
 * tests/support/memory-io.ts and run the real code in-process.
 */
import type { Secrets } from "./redact.ts";
import type { OutputText } from "./terminal.ts";

/**
 * A text sink (stdout or stderr). What is written passes lib/terminal.ts's renderOutput on the way out: on a
 * terminal (and on stderr always) control characters are shown, not obeyed.
 */
export interface OutStream {
  /** Writes text; resolves once the runtime accepted it (backpressure). Never throws on a closed pipe. */
  write(text: OutputText): Promise<void>;
  /** True when attached to a terminal. */
  readonly isTTY: boolean;
  /** Terminal width in columns, when known. */
  readonly columns: number | undefined;
  /** Aborted when the reader went away (EPIPE: `oclaw chat | head -1`). */
  readonly closed: AbortSignal;
  /**
   * Waits until everything written so far went out; resolves to the error that lost output (a full disk,
   * `> /dev/full`), undefined when none did (a reader that went away is not an error).
   */
  drain(): Promise<Error | undefined>;
}

/** The standard input. */
export interface InStream {
  readonly isTTY: boolean;
  /**
   * Reads stdin to its end as UTF-8, from where its offset stands (as `cat` does).
   * @throws OclawError the signal's reason as soon as `signal` aborts
   */
  readAll(signal?: AbortSignal): Promise<string>;
  /**
   * Reads stdin to its end as bytes (`-a -`: an image may come on stdin); more than `maxBytes` stops the read.
   * @returns the bytes, and whether there were more than `maxBytes`
   * @throws OclawError the signal's reason as soon as `signal` aborts
   */
  readBytes(maxBytes: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; over: boolean }>;
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
  /** Aborted on Ctrl-C (SIGINT), SIGTERM or SIGHUP. */
  readonly interrupt: AbortSignal;
  /** The user's home directory. */
  readonly homeDir: string;
  /** The working directory. */
  readonly cwd: string;
  /** The run's known secrets: both output streams redact them (filled once the config is read). */
  readonly secrets: Secrets;
}
