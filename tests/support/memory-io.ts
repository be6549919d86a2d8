/**
 * The test doubles of lib/io.ts's edges: an {@link Io} whose stdout and stderr are captured, whose fetch
 * resolves host names through the test's own resolver, for running commands in-process.
 */
import { type Fetch, type Io, type Lookup, type OutStream, systemLookup } from "../../lib/io.ts";
import { isIpAddress } from "../../lib/net/host.ts";
import { type OutputText, renderOutput } from "../../lib/terminal.ts";
import { Secrets } from "../../lib/redact.ts";

/** A captured output stream, for tests. */
export interface CapturedStream extends OutStream {
  /** Everything written so far. */
  text(): string;
  /** Marks the reader as gone, as a closed pipe would. */
  close(): void;
}

/**
 * Creates an in-memory output stream. It renders as the real one does (lib/terminal.ts): controls
 * neutralised on a "terminal" and, for a stderr (`stderr` true), always; `secrets` redacted.
 */
export function capturedStream(
  isTTY = false,
  columns: number | undefined = undefined,
  stderr = false,
  secrets?: Secrets,
): CapturedStream {
  let buffer = "";
  const controller = new AbortController();
  const policy = { neutralize: isTTY || stderr, styles: isTTY, secrets };
  return {
    isTTY,
    columns,
    closed: controller.signal,
    drain: () => Promise.resolve(undefined),
    write(text: OutputText): Promise<void> {
      if (!controller.signal.aborted) buffer += renderOutput(text, policy);
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
  const secrets = new Secrets();
  return {
    env: options.env ?? {},
    stdout: capturedStream(options.stdoutIsTTY ?? false, undefined, false, secrets),
    stderr: capturedStream(false, undefined, true, secrets),
    secrets,
    stdin: {
      isTTY: options.stdinIsTTY ?? stdinText === undefined,
      readAll: () => Promise.resolve(stdinText ?? ""),
      readBytes: (maxBytes: number) => {
        const bytes = new TextEncoder().encode(stdinText ?? "");
        return Promise.resolve(bytes.length > maxBytes ? { bytes: new Uint8Array(), over: true } : { bytes, over: false });
      },
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
