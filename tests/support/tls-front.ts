/**
 * What a remote Ollama behind TLS and proxies looks like, on loopback: a private CA with a server and a
 * client certificate (made by Debian's openssl), an HTTPS reverse proxy in front of the fake Ollama (as nginx
 * or Caddy would be, optionally requiring a client certificate), and an HTTP proxy (CONNECT for HTTPS,
 * absolute URIs for HTTP) that maps any host name to a loopback port. Each records what it saw.
 */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** PEM texts of a private CA, a server certificate for 127.0.0.1/localhost/ollama.test, and a client one. */
export interface TestCerts {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** Makes a CA and the two certificates in `dir` (v3 certificates: rustls, Deno's TLS, refuses v1). */
export async function makeCerts(dir: string): Promise<TestCerts> {
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => run("openssl", args, { cwd: dir });
  await ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=oclaw test CA");
  await writeFile(f("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:ollama.test\n");
  await writeFile(f("client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const [name, subject] of [["server", "/CN=ollama.test"], ["client", "/CN=oclaw-client"]] as const) {
    await ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f(`${name}.key`), "-out", f(`${name}.csr`), "-subj", subject);
    await ssl("x509", "-req", "-in", f(`${name}.csr`), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f(`${name}.pem`), "-days", "2", "-extfile", f(`${name}.ext`));
  }
  const read = (name: string) => readFile(f(name), "utf8");
  return {
    ca: await read("ca.pem"),
    serverCert: await read("server.pem"),
    serverKey: await read("server.key"),
    clientCert: await read("client.pem"),
    clientKey: await read("client.key"),
  };
}

/** One request a front or proxy saw. */
export interface SeenRequest {
  method: string;
  /** The path (front) or the request target (proxy: an absolute URI, or host:port for CONNECT). */
  target: string;
  headers: http.IncomingHttpHeaders;
  /** Front only: whether the client presented a certificate the CA signed. */
  clientAuthorized?: boolean;
}

/** A running loopback server. */
export interface Running {
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
  });
}

function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
}

/** An HTTPS reverse proxy to `upstreamPort` on loopback; `requireClientCert` refuses clients without one. */
export async function startTlsFront(certs: TestCerts, upstreamPort: number, requireClientCert = false): Promise<Running> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = https.createServer({
    key: certs.serverKey,
    cert: certs.serverCert,
    ca: certs.ca,
    requestCert: requireClientCert,
    rejectUnauthorized: requireClientCert,
  }, (req, res) => {
    const authorized = (req.socket as { authorized?: boolean }).authorized === true;
    seen.push({ method: req.method ?? "", target: req.url ?? "", headers: req.headers, clientAuthorized: authorized });
    const upstream = http.request({ host: "127.0.0.1", port: upstreamPort, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return { port: await listen(server), seen, close: closer(server, sockets) };
}

/** An HTTP proxy that sends every request and tunnel to `routeTo` (host name → loopback port). */
export async function startProxy(routeTo: (host: string, port: number) => number): Promise<Running> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? "", target: req.url ?? "", headers: req.headers });
    const url = new URL(req.url ?? "/", "http://invalid");
    const upstream = http.request({
      host: "127.0.0.1",
      port: routeTo(url.hostname, Number(url.port || 80)),
      path: `${url.pathname}${url.search}`,
      method: req.method,
      headers: req.headers,
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connect", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    seen.push({ method: "CONNECT", target: req.url ?? "", headers: req.headers });
    const [host, port] = (req.url ?? "").split(/:(?=\d+$)/);
    const upstream = net.connect(routeTo(host ?? "", Number(port)), "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
    sockets.add(upstream);
  });
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return { port: await listen(server), seen, close: closer(server, sockets) };
}
