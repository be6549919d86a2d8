/**
 * Answers a careless or hostile server gives, for the bounds oclaw keeps (issue 11, issue 12 §3, §7): an
 * error body trickled a byte at a time, an endless body, a gzip bomb, a connection accepted and never
 * answered, endless headers. Each is a request handler for `serve()` (tests/support/loopback.ts) or a raw
 * TCP server; all on loopback.
 */
import type http from "node:http";
import net from "node:net";
import process from "node:process";
import zlib from "node:zlib";
import { spawn } from "node:child_process";
import { oclawCommand, ROOT, type SpawnOptions } from "./cli.ts";
import { listenOnLoopback, type LoopbackServer } from "./loopback.ts";

/** What a handler saw of the client: whether the client closed the connection before the body ended. */
export interface Witness {
  /** Set when the client hung up while the server still had body to send. */
  hungUpEarly: boolean;
  /** Bytes of body the server got out before it stopped. */
  bytesSent: number;
}

/**
 * Answers `status` with a JSON error body sent one byte every `everyMs` (the whole body would take
 * `body.length * everyMs`); stops when the client hangs up.
 */
export function trickle(status: number, body: string, everyMs: number, witness: Witness): http.RequestListener {
  return (_req, res) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    let i = 0;
    const timer = setInterval(() => {
      if (i >= body.length) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(body[i++]!);
      witness.bytesSent = i;
    }, everyMs);
    res.on("close", () => {
      clearInterval(timer);
      if (i < body.length) witness.hungUpEarly = true;
    });
  };
}

/**
 * Answers 200 with an endless JSON-looking body (`{"models":[` and then filler), up to `totalBytes`,
 * written as fast as the client reads it (backpressure respected); stops when the client hangs up.
 */
export function endlessBody(totalBytes: number, witness: Witness, path?: string): http.RequestListener {
  const chunk = Buffer.from(`{"name":"m${"x".repeat(1024 * 64 - 12)}"},`);
  return (req, res) => {
    if (path !== undefined && req.url !== path) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    let sent = 0;
    let closed = false;
    res.on("close", () => {
      closed = true;
      if (sent < totalBytes) witness.hungUpEarly = true;
    });
    res.write('{"models":[');
    const pump = () => {
      while (!closed && sent < totalBytes) {
        sent += chunk.length;
        witness.bytesSent = sent;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      if (!closed) res.end("]}");
    };
    pump();
  };
}

let bomb: Promise<Buffer> | undefined;

/** A gzip stream that inflates to 1 GiB (`{"models":[` and spaces), about 1 MB on the wire; made once. */
export function gzipBomb(): Promise<Buffer> {
  bomb ??= new Promise((resolve, reject) => {
    const gzip = zlib.createGzip({ level: 9 });
    const out: Buffer[] = [];
    gzip.on("data", (d: Buffer) => out.push(d));
    gzip.on("end", () => resolve(Buffer.concat(out)));
    gzip.on("error", reject);
    const spaces = Buffer.alloc(1024 * 1024, 0x20);
    let written = 0;
    const pump = () => {
      if (written === 0) gzip.write('{"models":[');
      while (written < 1024) {
        written++;
        if (!gzip.write(spaces)) return void gzip.once("drain", pump);
      }
      gzip.end();
    };
    pump();
  });
  return bomb;
}

/** Answers every request 200 with the gzip bomb as a `Content-Encoding: gzip` JSON body. */
export function gzipBombHandler(body: Buffer): http.RequestListener {
  return (_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": body.length });
    res.end(body);
  };
}

/**
 * A raw TCP server: `"silent"` accepts connections and reads the request but never answers;
 * `"endless-headers"` answers a status line and then header lines forever (one every 10 ms);
 * `"stalled-body"` answers 200 with its headers and the first byte of a JSON body, then nothing more.
 */
export function rawServer(mode: "silent" | "endless-headers" | "stalled-body"): Promise<LoopbackServer> {
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    if (mode === "endless-headers") {
      // Answers once the request came in, as a server does (bytes sent before it are another fault).
      socket.once("data", () => {
        socket.write("HTTP/1.1 200 OK\r\n");
        let n = 0;
        const timer = setInterval(() => socket.write(`X-Filler-${n++}: ${"y".repeat(100)}\r\n`), 10);
        socket.on("close", () => clearInterval(timer));
      });
    }
    if (mode === "stalled-body") {
      socket.once("data", () => socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n{"));
    }
  });
  return listenOnLoopback(server);
}

/** What a run under /usr/bin/time gave: the exit code, output, and the child's peak RSS in KiB. */
export interface MeasuredRun {
  code: number;
  stdout: string;
  stderr: string;
  peakKiB: number;
}

/** Runs oclaw under `/usr/bin/time -f %M` and reports its peak resident memory along with its output. */
export function spawnMeasured(args: string[], options: SpawnOptions = {}): Promise<MeasuredRun> {
  const [program, pre] = oclawCommand();
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/nonexistent-home" };
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
  const marker = "oclaw-peak-rss-kib:";
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", `${marker}%M`, program, ...pre, ...args], {
      env,
      cwd: options.cwd ?? ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`oclaw ${args.join(" ")} did not finish in time; stderr: ${stderr.slice(0, 2000)}`));
    }, options.killAfterMs ?? 60_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const at = stderr.lastIndexOf(marker);
      const peakKiB = at === -1 ? NaN : Number(stderr.slice(at + marker.length).trim());
      // time(1) says "Command exited with non-zero status N" before its own line.
      const own = (at === -1 ? stderr : stderr.slice(0, at)).replace(/Command exited with non-zero status \d+\n$/, "");
      resolve({ code: code ?? 1, stdout, stderr: own, peakKiB });
    });
  });
}
