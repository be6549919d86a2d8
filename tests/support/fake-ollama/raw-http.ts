/**
 * A raw HTTP/1.1 client for byte-level tests: sends one request over node:net and keeps the response
 * as it arrived — status line, headers, and the body as the server's separate writes (chunked frames).
 */
import { Buffer } from "node:buffer";
import net from "node:net";

/** One raw response. */
export interface RawResponse {
  status: number;
  /** Lowercased header names. */
  headers: Record<string, string>;
  /** The body as the server wrote it: one entry per chunked frame (or one for a Content-Length body). */
  chunks: Uint8Array[];
  /** The whole body. */
  body: Uint8Array;
  /** The body as UTF-8 text. */
  text: string;
  /** True when the chunked terminator (or the full Content-Length) arrived. */
  complete: boolean;
  /** True when the socket was still open when reading stopped (a stall). */
  open: boolean;
  /** Epoch ms when the request was written and when the first response byte arrived. */
  sentAt: number;
  firstByteAt: number | undefined;
}

/** Options for {@link rawRequest}. */
export interface RawRequestOptions {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  /** Stop reading (leaving the socket open) after this many ms without data once headers arrived. */
  idleMs?: number;
  /** Called with the socket once connected (to destroy it mid-stream...). */
  onChunk?: (chunk: Uint8Array, index: number, socket: net.Socket) => void;
}

/** An incremental parser of one response: head, then Content-Length or chunked body frames. */
class ResponseParser {
  status = 0;
  headers: Record<string, string> = {};
  chunks: Uint8Array[] = [];
  complete = false;
  #pending: Buffer = Buffer.alloc(0);
  #headDone = false;
  #remaining = 0;
  readonly #head: boolean;

  constructor(head: boolean) {
    this.#head = head;
  }

  get hasHead(): boolean {
    return this.#headDone;
  }

  push(data: Buffer): void {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, data]) : data;
    if (!this.#headDone) {
      const end = this.#pending.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = this.#pending.subarray(0, end).toString("latin1").split("\r\n");
      this.status = Number(lines[0]!.split(" ")[1]);
      for (const line of lines.slice(1)) {
        const i = line.indexOf(":");
        this.headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      this.#pending = this.#pending.subarray(end + 4);
      this.#headDone = true;
      this.#remaining = Number(this.headers["content-length"] ?? 0);
      if (this.#head || (this.headers["transfer-encoding"] !== "chunked" && this.#remaining === 0)) {
        this.complete = true;
        return;
      }
    }
    if (this.headers["transfer-encoding"] !== "chunked") {
      const take = this.#pending.subarray(0, this.#remaining);
      if (take.length) this.chunks.push(new Uint8Array(take));
      this.#remaining -= take.length;
      this.#pending = this.#pending.subarray(take.length);
      this.complete = this.#remaining === 0;
      return;
    }
    for (;;) {
      const lineEnd = this.#pending.indexOf("\r\n");
      if (lineEnd < 0) return;
      const size = parseInt(this.#pending.subarray(0, lineEnd).toString("latin1"), 16);
      if (size === 0) {
        this.complete = true;
        return;
      }
      if (this.#pending.length < lineEnd + 2 + size + 2) return;
      this.chunks.push(new Uint8Array(this.#pending.subarray(lineEnd + 2, lineEnd + 2 + size)));
      this.#pending = this.#pending.subarray(lineEnd + 2 + size + 2);
    }
  }
}

/** Sends one request to `baseUrl + path` and reads the response raw. */
export function rawRequest(baseUrl: string, path: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const method = options.method ?? (options.body === undefined ? "GET" : "POST");
  const body = Buffer.from(options.body ?? "", "utf8");
  const headers: Record<string, string> = { Host: url.host, Connection: "close", ...options.headers };
  if (options.body !== undefined) headers["Content-Length"] = String(body.length);
  const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;

  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const parser = new ResponseParser(method === "HEAD");
    let sentAt = 0;
    let firstByteAt: number | undefined;
    let idle: ReturnType<typeof setTimeout> | undefined;
    let seenChunks = 0;
    let settled = false;
    const finish = (open: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      if (!parser.hasHead) return reject(new Error("raw-http: no response head"));
      const all = Buffer.concat(parser.chunks);
      resolve({
        status: parser.status,
        headers: parser.headers,
        chunks: parser.chunks,
        complete: parser.complete,
        body: new Uint8Array(all),
        text: all.toString("utf8"),
        open,
        sentAt,
        firstByteAt,
      });
      if (open) socket.destroy();
    };
    socket.setNoDelay(true);
    socket.on("connect", () => {
      sentAt = performance.timeOrigin + performance.now();
      socket.write(Buffer.concat([Buffer.from(head, "latin1"), body]));
    });
    socket.on("data", (d: Buffer) => {
      firstByteAt ??= performance.timeOrigin + performance.now();
      parser.push(d);
      while (options.onChunk && seenChunks < parser.chunks.length) {
        options.onChunk(parser.chunks[seenChunks]!, seenChunks, socket);
        seenChunks++;
      }
      if (parser.complete) return finish(false);
      if (options.idleMs !== undefined && parser.hasHead) {
        clearTimeout(idle);
        idle = setTimeout(() => finish(true), options.idleMs);
      }
    });
    socket.on("error", () => finish(false));
    socket.on("close", () => finish(false));
  });
}
