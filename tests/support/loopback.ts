/** Loopback stand-ins for the network: a closed port, a port that swallows connections, a plain HTTP server. */
import { spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** True when a TCP connect to the port neither succeeds nor fails within `ms`. */
export function connectHangs(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(true);
    }, ms);
    const settle = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(false);
    };
    socket.once("connect", settle);
    socket.once("error", settle);
  });
}

/**
 * A loopback port that never completes a connection: a python listener with backlog 0 that never accepts,
 * its queue filled by its own connections, so further SYNs are dropped like a firewall would.
 */
export async function blackHole(): Promise<{ port: number; stop: () => void }> {
  const script = [
    "import socket, sys",
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)",
    "port = s.getsockname()[1]",
    "fill = []",
    "for _ in range(4):",
    "    c = socket.socket(); c.setblocking(False)",
    "    try: c.connect(('127.0.0.1', port))",
    "    except BlockingIOError: pass",
    "    fill.append(c)",
    "print(port, flush=True)",
    "sys.stdin.read()",
  ].join("\n");
  const child = spawn("python3", ["-c", script], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").once("data", (d: string) => resolve(Number(d.trim())));
    child.once("error", reject);
  });
  return { port, stop: () => child.kill() };
}

/** A server listening on loopback: where to reach it, and how to stop it. */
export interface LoopbackServer {
  url: string;
  port: number;
  /** Drops every open connection (a hung client or server never holds it up), then stops listening. */
  close(): Promise<void>;
}

/** Starts `server` (plain TCP or HTTP) on a free port of 127.0.0.1 and keeps track of its connections for `close()`. */
export async function listenOnLoopback(server: net.Server): Promise<LoopbackServer> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback HTTP server answering every request with `handler`. */
export function serve(handler: http.RequestListener): Promise<LoopbackServer> {
  return listenOnLoopback(http.createServer(handler));
}
