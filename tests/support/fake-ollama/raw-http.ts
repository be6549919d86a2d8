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

interface Parsed {
  status: number;
  headers: Record<string, string>;
  chunks: Uint8Array[];
  complete: boolean;
}

function parse(raw: Buffer, head: boolean): Parsed | undefined {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const lines = raw.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(lines[0]!.split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let rest = raw.subarray(end + 4);
  const chunks: Uint8Array[] = [];
  if (head) return { status, headers, chunks, complete: true };
  if (headers["transfer-encoding"] !== "chunked") {
    const length = Number(headers["content-length"] ?? rest.length);
    if (rest.length) chunks.push(new Uint8Array(rest.subarray(0, length)));
    return { status, headers, chunks, complete: rest.length >= length };
  }
  for (;;) {
    const lineEnd = rest.indexOf("\r\n");
    if (lineEnd < 0) return { status, headers, chunks, complete: false };
    const size = parseInt(rest.subarray(0, lineEnd).toString("latin1"), 16);
    if (size === 0) return { status, headers, chunks, complete: true };
    if (rest.length < lineEnd + 2 + size + 2) return { status, headers, chunks, complete: false };
    chunks.push(new Uint8Array(rest.subarray(lineEnd + 2, lineEnd + 2 + size)));
    rest = rest.subarray(lineEnd + 2 + size + 2);
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
    let raw = Buffer.alloc(0);
    let sentAt = 0;
    let firstByteAt: number | undefined;
    let idle: ReturnType<typeof setTimeout> | undefined;
    let seenChunks = 0;
    let settled = false;
    const finish = (open: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      const parsed = parse(raw, method === "HEAD");
      if (!parsed) return reject(new Error(`raw-http: no response head (${raw.length} bytes)`));
      const all = Buffer.concat(parsed.chunks);
      resolve({
        ...parsed,
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
      raw = Buffer.concat([raw, d]);
      const parsed = parse(raw, method === "HEAD");
      if (parsed && options.onChunk) {
        while (seenChunks < parsed.chunks.length) {
          options.onChunk(parsed.chunks[seenChunks]!, seenChunks, socket);
          seenChunks++;
        }
      }
      if (parsed?.complete) return finish(false);
      if (options.idleMs !== undefined) {
        clearTimeout(idle);
        idle = setTimeout(() => finish(true), options.idleMs);
      }
    });
    socket.on("error", () => finish(false));
    socket.on("close", () => finish(false));
  });
}
