/**
 * The network and config situations doctor and health are tested against, besides those in loopback.ts:
 * another program on the port, host names resolved (or failing) in-process, a fetch that sends a
 * non-loopback Host header, and config files with a chosen mode.
 */
import { Buffer } from "node:buffer";
import http from "node:http";
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Fetch, Lookup } from "../../lib/io.ts";
import { serve } from "./loopback.ts";

/** Writes `openclaw.json` into `dir` with `mode` (0600 unless told) and returns its path. */
export async function writeConfig(dir: string, config: unknown, mode = 0o600): Promise<string> {
  const file = path.join(dir, "openclaw.json");
  await writeFile(file, typeof config === "string" ? config : JSON.stringify(config, null, 2));
  await chmod(file, mode);
  return file;
}

/** nginx's own 404 page, as a default server block answers any unknown path. */
export const NGINX_404 = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n" +
  "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.24.0 (Ubuntu)</center>\r\n</body>\r\n</html>\r\n";

/** A web server that is not Ollama: nginx's welcome page at `/`, its 404 page everywhere else. */
export function startNginxLike(): ReturnType<typeof serve> {
  return serve((req, res) => {
    const headers = { server: "nginx/1.24.0 (Ubuntu)", "content-type": "text/html" };
    if (req.url === "/") {
      res.writeHead(200, headers);
      res.end("<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head></html>");
      return;
    }
    res.writeHead(404, headers);
    res.end(NGINX_404);
  });
}

/** A resolver that maps names to addresses in-process (no DNS query leaves the machine). */
export function mapLookup(map: Record<string, string>): Lookup {
  return (hostname) => {
    const address = map[hostname];
    if (address !== undefined) return Promise.resolve([address]);
    return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }));
  };
}

/** A resolver that always fails with `code` (EAI_AGAIN: a resolver down for a moment; ENOTFOUND: no such name). */
export function failingLookup(code: string): Lookup {
  return (hostname) => Promise.reject(Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code }));
}

/**
 * A fetch that sends requests for `host` to 127.0.0.1 while keeping the original Host header — what a
 * request through a proxy or to a LAN name looks like to an Ollama bound to loopback.
 */
export function hostKeepingFetch(host: string): Fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== host) return fetch(input, init);
    const body = typeof init?.body === "string" ? init.body : undefined;
    return await new Promise<Response>((resolve, reject) => {
      const req = http.request({
        host: "127.0.0.1",
        port: Number(url.port),
        path: url.pathname + url.search,
        method: init?.method ?? "GET",
        headers: { ...(init?.headers as Record<string, string> | undefined), host: url.host },
      }, (res) => {
        const chunks: Uint8Array[] = [];
        res.on("data", (c: Uint8Array) => chunks.push(c));
        res.on("end", () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers.set(k, v);
          const status = res.statusCode ?? 500;
          const text = Buffer.concat(chunks);
          resolve(new Response(status === 204 || status === 304 ? null : text, { status, headers }));
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  };
}
