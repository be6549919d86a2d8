/**
 * A server that takes the connection and never answers, and one that sends header lines forever (issue 12
 * §7): every command ends within its timeout and says so the same way. Per cli.md's exit-code table a
 * server that sent no answer before the wait ran out is "no server answered" (exit 4) for `models list`
 * and `chat`; `health` says CRITICAL (2) and `doctor` fails its reachability check (1).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { allFailedError } from "../lib/chat/fallback.ts";
import { EXIT, exitCodeFor, noServerAnswered, OclawError } from "../lib/errors.ts";
import { spawnOclaw } from "./support/cli.ts";
import { rawServer } from "./support/hostile-server.ts";
import { writeConfig } from "./support/scenarios.ts";
import { withTempDir } from "./support/temp-dir.ts";

/** An environment whose discovered (or, with `explicit`, configured) ollama provider is at `url`, with a 2 s answer wait (timeoutSeconds). */
async function withConfig<T>(url: string, body: (env: Record<string, string>) => Promise<T>, explicit = false): Promise<T> {
  return await withTempDir("silent", async (dir) => {
    const file = await writeConfig(dir, {
      models: { providers: { ollama: { baseUrl: url, timeoutSeconds: 2, ...(explicit ? { models: [{ id: "m" }] } : {}) } } },
      agents: { defaults: { model: "ollama/m" } },
    });
    return await body({ OPENCLAW_CONFIG_PATH: file, HOME: dir });
  });
}

/** True when the child is the source under Deno (no OCLAW_BIN): its fetch has its own header limits. */
const underDenoSource = !process.env.OCLAW_BIN && (process.versions as Record<string, string | undefined>).deno !== undefined;

const ORIGIN = String.raw`http://127\.0\.0\.1:\d+`;

test("a timeout before any byte counts as 'no server answered' (4); one after the server answered does not (1)", () => {
  const silent = new OclawError("E_TIMEOUT", "timed out waiting for the answer", { noAnswer: true });
  const stalled = new OclawError("E_TIMEOUT", "no data for 300 s");
  assert.equal(noServerAnswered(silent), true);
  assert.equal(noServerAnswered(stalled), false);
  assert.equal(noServerAnswered(new OclawError("E_UNREACHABLE", "refused")), true);
  assert.equal(noServerAnswered(new OclawError("E_HTTP", "500")), false);
  assert.equal(exitCodeFor(silent), EXIT.unreachable);
  assert.equal(exitCodeFor(stalled), EXIT.failure);
  // A chain of a silent server and a refused one: nobody answered, exit 4; with a stalled one in it, 1.
  const refused = new OclawError("E_UNREACHABLE", "refused");
  assert.equal(exitCodeFor(allFailedError([{ ref: "a", error: silent }, { ref: "b", error: refused }])), EXIT.unreachable);
  assert.equal(exitCodeFor(allFailedError([{ ref: "a", error: stalled }, { ref: "b", error: refused }])), EXIT.failure);
});

for (const mode of ["silent", "endless-headers"] as const) {
  test(`e2e: models list, chat, health and doctor against a ${mode} server end within their timeouts and say why`, { timeout: 90_000 }, async () => {
    const server = await rawServer(mode);
    try {
      await withConfig(server.url, async (env) => {
        const list = await spawnOclaw(["models", "list"], { env, killAfterMs: 30_000 });
        assert.equal(list.code, 4, list.stderr);
        assert.match(list.stderr, new RegExp(`^oclaw: Ollama at ${ORIGIN} timed out waiting for the answer to /api/tags \\(2 s\\)$`, "m"));
        assert.match(list.stderr, /^hint: .*raise timeoutSeconds/m);
        assert.doesNotMatch(list.stderr, /closed the connection/);

        const chat = await spawnOclaw(["chat", "--no-fallback", "--timeout", "20", "hi"], { env, killAfterMs: 30_000 });
        assert.equal(chat.code, 4, chat.stderr);
        assert.equal(chat.stdout, "");
        assert.match(chat.stderr, new RegExp(`^oclaw: Ollama at ${ORIGIN} timed out waiting for the answer`, "m"));
        assert.doesNotMatch(chat.stderr, /closed the connection/);

        const health = await spawnOclaw(["health", "--timeout", "1"], { env, killAfterMs: 30_000 });
        assert.equal(health.code, 2, health.stdout + health.stderr);
        assert.match(health.stdout, new RegExp(`^CRITICAL: Timed out waiting for the answer from ${ORIGIN} \\(1 s, --timeout\\)`));

        const doctor = await spawnOclaw(["doctor"], { env, killAfterMs: 30_000 });
        assert.equal(doctor.code, 1, doctor.stdout + doctor.stderr);
        assert.match(
          doctor.stdout,
          mode === "silent"
            ? new RegExp(`^fail +reachable \\(ollama\\) +Ollama at ${ORIGIN} accepted the connection but timed out waiting for the answer to GET /api/version`, "m")
            : new RegExp(`^fail +reachable \\(ollama\\) +Ollama at ${ORIGIN} (sent an answer that is not valid HTTP|accepted the connection but timed out)`, "m"),
        );
        assert.doesNotMatch(doctor.stdout, /closed the connection/);
      });
    } finally {
      await server.close();
    }
  });
}

test("e2e: chat straight to /api/chat: endless headers are a protocol error (1), a silent server ends at --timeout (124)", { timeout: 60_000 }, async () => {
  const endless = await rawServer("endless-headers");
  try {
    await withConfig(endless.url, async (env) => {
      const r = await spawnOclaw(["chat", "--no-fallback", "--timeout", "20", "hi"], { env, killAfterMs: 30_000 });
      if (underDenoSource) {
        // Deno's fetch (hyper) allows a head of about 400 KB, 40 s of these headers: --timeout ends it first.
        assert.equal(r.code, 124, r.stderr);
        assert.match(r.stderr, /^oclaw: No complete answer within 20 s \(--timeout\)$/m);
      } else {
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, new RegExp(`^oclaw: Ollama at ${ORIGIN} sent an answer that is not valid HTTP \\(endless or malformed headers\\)$`, "m"));
      }
      assert.doesNotMatch(r.stderr, /closed the connection/);
    }, true);
  } finally {
    await endless.close();
  }
  const silent = await rawServer("silent");
  try {
    await withConfig(silent.url, async (env) => {
      // The first chunk of a reply may take 10 minutes (cold loads); --timeout bounds the whole run.
      const r = await spawnOclaw(["chat", "--no-fallback", "--timeout", "2", "hi"], { env, killAfterMs: 30_000 });
      assert.equal(r.code, 124, r.stderr);
      assert.equal(r.stdout, "");
    }, true);
  } finally {
    await silent.close();
  }
});
