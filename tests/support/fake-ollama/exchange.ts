/**
 * One request/response on the wire: whole bodies, and streams written piece by piece with the server's
 * transport knobs (delayed headers, token delay, byte chunking that may split UTF-8 characters, stalls,
 * truncation), noticing when the client goes away.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeOllamaOptions } from "./types.ts";

/** Wall-clock times of the latest streamed chat response, for first-token latency in benchmarks. */
export interface StreamStats {
  /** When the request arrived (epoch ms, sub-ms precision). */
  requestAt: number | undefined;
  /** When the first chunk (first token) was handed to the socket. */
  firstTokenAt: number | undefined;
  /** When the last byte was handed to the socket. */
  lastWriteAt: number | undefined;
  chunks: number;
  bytes: number;
}

/** Server-wide state an exchange reports to. */
export interface ServerState {
  options: FakeOllamaOptions;
  stats: StreamStats;
  /** Chat requests served so far per store model (the index into scripted reply arrays). */
  turns: Map<string, number>;
  /** Aborted when the server closes. */
  closing: AbortSignal;
  onDisconnect(): void;
}

/** The current wall-clock time in epoch ms with sub-millisecond precision. */
export const now = (): number => performance.timeOrigin + performance.now();

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** A small seeded PRNG (mulberry32) so random chunking is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const encoder = new TextEncoder();

/** How a stream ends: a clean end of body, a dropped connection, or (stall) no end at all. */
export type StreamEnd = "end" | "destroy";

/** One HTTP exchange. */
export class Exchange {
  readonly #res: ServerResponse;
  readonly #state: ServerState;
  readonly #head: boolean;
  readonly #aborted = new AbortController();
  #selfDestroyed = false;

  /** Aborted when the client disconnects before the end, or the server closes. */
  readonly signal: AbortSignal;

  constructor(req: IncomingMessage, res: ServerResponse, state: ServerState) {
    this.#res = res;
    this.#state = state;
    this.#head = req.method === "HEAD";
    this.signal = AbortSignal.any([this.#aborted.signal, state.closing]);
    res.on("close", () => {
      if (!res.writableEnded && !this.#selfDestroyed) {
        this.#aborted.abort();
        state.onDisconnect();
      }
    });
  }

  /** True once the client went away or the server is closing. */
  get gone(): boolean {
    return this.signal.aborted;
  }

  /** Waits `headerDelayMs` (a cold model load) before anything is written. */
  delayHeaders(): Promise<void> {
    return sleep(this.#state.options.headerDelayMs, this.signal);
  }

  /** Writes a whole response with Content-Length (no body for HEAD). */
  send(status: number, body: string, contentType: string | undefined): void {
    if (this.gone) return;
    if (this.#res.headersSent) {
      this.#selfDestroyed = true;
      this.#res.destroy();
      return;
    }
    const bytes = encoder.encode(body);
    const headers: Record<string, string | number> = { "Content-Length": bytes.length };
    if (contentType) headers["Content-Type"] = contentType;
    this.#res.writeHead(status, headers);
    this.#res.end(this.#head ? undefined : bytes);
  }

  /** Writes one NDJSON/SSE stream: status and headers with the first piece, then each piece as chunked. */
  async stream(status: number, contentType: string, pieces: Iterable<string>, end: StreamEnd = "end"): Promise<void> {
    const { options, stats } = this.#state;
    const chunking = options.chunking;
    const random = typeof chunking === "object" && "random" in chunking ? prng(chunking.random) : undefined;
    const gapMs = typeof chunking === "object" ? chunking.gapMs ?? 1 : 0;
    const nextSize = (): number => {
      if (typeof chunking !== "object") return Infinity;
      if ("bytes" in chunking) return Math.max(1, chunking.bytes);
      return 1 + Math.floor(random!() * Math.max(1, chunking.maxBytes ?? 7));
    };
    let size = nextSize();
    let carry = new Uint8Array(0);
    let started = false;

    const start = () => {
      if (started) return;
      started = true;
      this.#res.socket?.setNoDelay(true);
      this.#res.writeHead(status, { "Content-Type": contentType });
    };
    const flushCarry = async (all: boolean) => {
      while (carry.length > 0 && (all || carry.length >= size) && !this.gone) {
        const n = Math.min(size, carry.length);
        await this.#write(carry.subarray(0, n));
        carry = carry.subarray(n);
        size = nextSize();
        if (carry.length > 0 || !all) await sleep(gapMs, this.signal);
      }
    };

    if (options.stallAfterChunks === 0) {
      // Go writes headers with the first chunk: a stall before it shows nothing at all.
      await sleep(2 ** 31 - 1, this.signal);
      return;
    }
    let count = 0;
    for (const piece of pieces) {
      if (this.gone) return;
      if (count > 0) await sleep(options.tokenDelayMs, this.signal);
      if (this.gone) return;
      start();
      if (count === 0) stats.firstTokenAt = now();
      const bytes = encoder.encode(piece);
      if (chunking === "lines") await this.#write(bytes);
      else {
        const joined = new Uint8Array(carry.length + bytes.length);
        joined.set(carry);
        joined.set(bytes, carry.length);
        carry = joined;
        await flushCarry(false);
      }
      count++;
      stats.chunks = count;
      if (options.stallAfterChunks !== undefined && count >= options.stallAfterChunks) {
        await flushCarry(true);
        // A stalled runner: the connection stays open, nothing more is written.
        await sleep(2 ** 31 - 1, this.signal);
        return;
      }
    }
    if (this.gone) return;
    start();
    await flushCarry(true);
    if (end === "destroy") {
      // Let what was written reach the socket first (Deno's node:http would drop it on destroy).
      await new Promise<void>((resolve) => this.#res.write("", () => resolve()));
      await sleep(10);
      this.#selfDestroyed = true;
      this.#res.destroy();
      return;
    }
    this.#res.end();
  }

  /**
   * Bulk stream for benchmarks: pieces batched into ~64 KiB writes, as fast as the socket drains.
   * The pieces are pulled lazily, so a 2,000,000-token reply is never held in memory.
   */
  async bulk(status: number, contentType: string, pieces: Iterable<string>): Promise<void> {
    const { stats } = this.#state;
    this.#res.writeHead(status, { "Content-Type": contentType });
    let batch: string[] = [];
    let batchLength = 0;
    let first = true;
    for (const piece of pieces) {
      if (this.gone) return;
      stats.chunks++;
      if (first) {
        // The first token goes out alone so its write time is the first-token time.
        first = false;
        stats.firstTokenAt = now();
        await this.#write(encoder.encode(piece));
        continue;
      }
      batch.push(piece);
      batchLength += piece.length;
      if (batchLength >= 65536) {
        await this.#write(encoder.encode(batch.join("")));
        batch = [];
        batchLength = 0;
      }
    }
    if (batch.length) await this.#write(encoder.encode(batch.join("")));
    if (!this.gone) this.#res.end();
  }

  async #write(bytes: Uint8Array): Promise<void> {
    if (this.gone || this.#head) return;
    const stats = this.#state.stats;
    const ok = this.#res.write(bytes);
    stats.bytes += bytes.length;
    stats.lastWriteAt = now();
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#res.off("drain", done);
          this.signal.removeEventListener("abort", done);
          resolve();
        };
        this.#res.on("drain", done);
        this.signal.addEventListener("abort", done, { once: true });
      });
    }
  }
}
