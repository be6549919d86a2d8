/**
 * Redirects (issue 12 §5): oclaw never follows a redirect to another origin — the provider's headers
 * (X-Api-Key) and credentials would go with it — and reports it with the reverse-proxy hint; a redirect
 * within the same origin is followed for GET (and for any method on 307/308), the headers kept.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type http from "node:http";
import { request } from "../lib/http/request.ts";
import { spawnOclaw } from "./support/cli.ts";
import { expectOclawError } from "./support/expect-oclaw-error.ts";
import { quietHttp } from "./support/http-context.ts";
import { serve } from "./support/loopback.ts";
import { writeConfig } from "./support/scenarios.ts";
import { withTempDir } from "./support/temp-dir.ts";

const KEY = "sekrit-header-value";
const TAGS = JSON.stringify({ models: [{ name: "qwen3:8b", digest: "" }] });

/** A server that records every request's path and X-Api-Key, answering with `handler`. */
async function recording(handler: http.RequestListener) {
  const seen: Array<{ url: string; key: string | undefined }> = [];
  const server = await serve((req, res) => {
    seen.push({ url: req.url ?? "", key: req.headers["x-api-key"] as string | undefined });
    handler(req, res);
  });
  return Object.assign(server, { seen });
}

test("e2e: a redirect to another port is not followed; the other server never sees the header", { timeout: 30_000 }, async () => {
  const other = await recording((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(TAGS));
  for (const status of [301, 302, 307, 308]) {
    const first = await recording((req, res) => res.writeHead(status, { location: `${other.url}${req.url}` }).end());
    try {
      await withTempDir("redirect", async (dir) => {
        const file = await writeConfig(dir, { models: { providers: { ollama: { baseUrl: first.url, headers: { "X-Api-Key": KEY } } } } });
        const r = await spawnOclaw(["models", "list", "--plain"], { env: { OPENCLAW_CONFIG_PATH: file, HOME: dir } });
        assert.equal(r.code, 1, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(`redirected /api/tags to ${other.url.replace(/[.]/g, "\\.")}/api/tags \\(${status}\\); oclaw does not follow a redirect to another origin`),
        );
        assert.match(r.stderr, /^hint: A reverse proxy/m);
        assert.ok(!r.stderr.includes(KEY));
      });
      assert.equal(first.seen[0]?.key, KEY, "the configured server got the header");
    } finally {
      await first.close();
    }
  }
  assert.deepEqual(other.seen, [], "the other origin got no request at all");
  await other.close();
});

test("a same-origin redirect is followed for GET with the headers; a POST is followed only on 307/308", async () => {
  const server = await recording((req, res) => {
    if (req.url === "/api/tags") return res.writeHead(301, { location: "/proxy/api/tags" }).end();
    if (req.url === "/api/chat") return res.writeHead(302, { location: "/proxy/api/chat" }).end();
    if (req.url === "/api/show") return res.writeHead(307, { location: "/proxy/api/show" }).end();
    if (req.url === "/loop") return res.writeHead(302, { location: "/loop" }).end();
    res.writeHead(200, { "content-type": "application/json" }).end(TAGS);
  });
  try {
    const ok = await request(quietHttp(), `${server.url}/api/tags`, { headers: { "X-Api-Key": KEY } });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), TAGS);
    assert.deepEqual(server.seen.slice(-2), [{ url: "/api/tags", key: KEY }, { url: "/proxy/api/tags", key: KEY }]);

    const show = await request(quietHttp(), `${server.url}/api/show`, { json: { model: "m" }, headers: { "X-Api-Key": KEY } });
    assert.equal(show.status, 200);
    await show.text();
    assert.deepEqual(server.seen.at(-1), { url: "/proxy/api/show", key: KEY });

    const post = await expectOclawError(request(quietHttp(), `${server.url}/api/chat`, { json: {} }));
    assert.equal(post.code, "E_HTTP");
    assert.match(post.message, /redirected POST \/api\/chat to \/proxy\/api\/chat with 302, which would drop the request body/);

    const loop = await expectOclawError(request(quietHttp(), `${server.url}/loop`));
    assert.match(loop.message, /redirected \/loop more than 5 times/);
  } finally {
    await server.close();
  }
});
