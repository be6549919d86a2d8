/**
 * Sessions, `-c` and the run log end to end: the binary (or the source) against the fake Ollama, asserting
 * what the server received and what was left on disk.
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorld } from "./support/world.ts";
import { jsonLines } from "./support/json-lines.ts";

async function lines(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(file, "utf8");
  assert.ok(text === "" || text.endsWith("\n"), `${file} ends with a whole line`);
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

const mode = async (file: string) => (await stat(file)).mode & 0o777;

test("--session: the second turn carries the first exchange; the file is 0600 in a 0700 directory", async () => {
  const replies = { "qwen3:8b": [{ content: "Paris." }, { content: "About 2.1 million." }] };
  await withWorld({ replies }, async (w) => {
    const first = await w.run(["chat", "-m", "qwen3:8b", "--session", "geo", "-s", "Be brief", "Capital of France?"]);
    assert.equal(first.code, 0, first.stderr);
    const second = await w.run(["chat", "-m", "qwen3:8b", "--session", "geo", "Its population?"]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, "About 2.1 million.\n");
    assert.deepEqual(w.chatBodies()[1]?.messages, [
      { role: "system", content: "Be brief" },
      { role: "user", content: "Capital of France?" },
      { role: "assistant", content: "Paris." },
      { role: "user", content: "Its population?" },
    ]);
    const file = path.join(w.stateDir, "sessions", "geo.jsonl");
    assert.deepEqual(await lines(file), [
      { role: "system", content: "Be brief" },
      { role: "user", content: "Capital of France?" },
      { role: "assistant", content: "Paris." },
      { role: "user", content: "Its population?" },
      { role: "assistant", content: "About 2.1 million." },
    ]);
    assert.equal(await mode(file), 0o600);
    assert.equal(await mode(path.dirname(file)), 0o700);
    assert.equal(await mode(w.stateDir), 0o700);
  });
});

test("-c continues the last session used; with no session, the last logged exchange", async () => {
  await withWorld({ replies: { "qwen3:8b": [{ content: "One." }, { content: "Two." }, { content: "Three." }] } }, async (w) => {
    const none = await w.run(["chat", "-m", "qwen3:8b", "-c", "Go on"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^oclaw: Nothing to continue/);

    assert.equal((await w.run(["chat", "-m", "qwen3:8b", "Count"])).code, 0);
    const fromLog = await w.run(["chat", "-m", "qwen3:8b", "-c", "Go on"]);
    assert.equal(fromLog.code, 0, fromLog.stderr);
    assert.deepEqual(w.chatBodies()[1]?.messages, [
      { role: "user", content: "Count" },
      { role: "assistant", content: "One." },
      { role: "user", content: "Go on" },
    ]);

    assert.equal((await w.run(["chat", "-m", "qwen3:8b", "--session", "s1", "Start"])).code, 0);
    const continued = await w.run(["chat", "-m", "qwen3:8b", "--continue", "More"]);
    assert.equal(continued.code, 0, continued.stderr);
    assert.deepEqual(w.chatBodies()[3]?.messages, [
      { role: "user", content: "Start" },
      { role: "assistant", content: "Three." },
      { role: "user", content: "More" },
    ]);
    assert.equal((await lines(path.join(w.stateDir, "sessions", "s1.jsonl"))).length, 4, "-c kept the exchange in s1");
  });
});

test("a bad session name is a usage error and nothing is sent", async () => {
  await withWorld({}, async (w) => {
    for (const name of ["../x", "a/b", ".hidden", "", "-x", "x".repeat(101)]) {
      const r = await w.run(["chat", "-m", "qwen3:8b", `--session=${name}`, "Hi"]);
      assert.equal(r.code, 2, name);
      assert.match(r.stderr, /^oclaw: Invalid session name/, name);
    }
    const both = await w.run(["chat", "-m", "qwen3:8b", "--session", "a", "-c", "Hi"]);
    assert.equal(both.code, 2);
    assert.equal(w.chatBodies().length, 0);
  });
});

test("the log: one line a run, 0600, no secret; logs -n 1 --json prints it; --no-log and OCLAW_LOG=off write none", async () => {
  const secret = "sk-live-7f3a9c2e5b";
  await withWorld({ replies: { "qwen3:8b": { content: "Done." } } }, async (w) => {
    const r = await w.run(["chat", "-m", "ollama/missing:1b", "-m", "qwen3:8b", "--session", "ops", `Rotate key ${secret}`]);
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(w.stateDir, "log.jsonl");
    const text = await readFile(file, "utf8");
    assert.equal(text.includes(secret), false, "the configured key never reaches the log");
    assert.equal(await mode(file), 0o600);
    const [entry] = await lines(file);
    assert.equal(entry?.session, "ops");
    assert.deepEqual(entry?.candidates, ["ollama/missing:1b", "ollama/qwen3:8b"]);
    assert.equal(entry?.model, "ollama/qwen3:8b");
    assert.deepEqual(entry?.messages, [{ role: "user", content: "Rotate key ***" }]);
    assert.equal(entry?.reply, "Done.");
    assert.equal(entry?.exitCode, 0);
    assert.deepEqual(entry?.fallbacks, [{ from: "ollama/missing:1b", to: "ollama/qwen3:8b", code: "E_MODEL_NOT_FOUND" }]);
    assert.ok(typeof entry?.durationMs === "number");

    const shown = await w.run(["logs", "-n", "1", "--json"]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(jsonLines(shown.stdout), [entry]);
    const readable = await w.run(["logs"]);
    assert.match(readable.stdout, /^\d{4}-\d\d-\d\dT[\d:]+Z {2}ollama\/qwen3:8b {2}session ops {2}exit 0 /);
    assert.match(readable.stdout, /\n {2}> Rotate key \*\*\*\n {2}< Done\.\n$/);

    assert.equal((await w.run(["chat", "-m", "qwen3:8b", "--no-log", "Quiet"])).code, 0);
    assert.equal((await w.run(["chat", "-m", "qwen3:8b", "Quiet"], { env: { OCLAW_LOG: "off" } })).code, 0);
    const failed = await w.run(["chat", "-m", "nothing:1b", "Hi"]);
    assert.equal(failed.code, 5);
    const all = await lines(file);
    assert.equal(all.length, 2);
    assert.equal(all[1]?.exitCode, 5);
    assert.deepEqual((all[1]?.error as { code: string }).code, "E_MODEL_NOT_FOUND");
    assert.equal((await w.run(["logs", "--session", "ops", "--json"])).stdout.split("\n").filter(Boolean).length, 1);
    assert.equal((await w.run(["logs", "-n", "0"])).code, 2);
  }, { ollama: { apiKey: secret } });
});

test("the log redacts keys as the output does: Ollama's placeholder key 'ollama' is not a secret, a URL-encoded key is", async () => {
  const secret = "sk/live+7f3a";
  await withWorld({ replies: { "qwen3:8b": { content: `Use ollama, not ${encodeURIComponent(secret)}.` } } }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "Hi"]);
    assert.equal(r.code, 0, r.stderr);
    const [entry] = await lines(path.join(w.stateDir, "log.jsonl"));
    assert.equal(entry?.model, "ollama/qwen3:8b");
    assert.equal(entry?.reply, "Use ollama, not ***.");
  }, { ollama: { apiKey: "ollama", headers: { "X-Key": secret } } });
});

test("a reply over 1 MiB: the log keeps its head (a secret across the cut redacted) and says so, -c refuses it, a session keeps it whole", async () => {
  const secret = "sk-live-7f3a9c2e5b";
  const head = "a".repeat(1024 * 1024 - 5);
  const long = [head, secret, "b".repeat(1000)];
  await withWorld({ replies: { "qwen3:8b": [{ content: long }, { content: ["c".repeat(1024 * 1024), "d"] }] } }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "Long"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${head}***${"b".repeat(1000)}\n`);
    const file = path.join(w.stateDir, "log.jsonl");
    assert.equal((await readFile(file, "utf8")).includes(secret.slice(0, 5)), false, "no part of the key is logged");
    const [entry] = await lines(file);
    assert.equal(entry?.reply, `${head}***bb`);
    assert.equal(entry?.replyTruncated, true);
    assert.equal(entry?.replyLength, head.length + secret.length + 1000);
    assert.match((await w.run(["logs"])).stdout, /\n {2}< a{100}/);

    const go = await w.run(["chat", "-m", "qwen3:8b", "-c", "Go on"]);
    assert.equal(go.code, 2);
    assert.match(go.stderr, /^oclaw: The last logged run cannot be continued: the log keeps only the first 1048576 characters of its reply of 1049589\n/);
    assert.equal(w.chatBodies().length, 1, "nothing was sent");

    const kept = await w.run(["chat", "-m", "qwen3:8b", "--session", "big", "Longer"]);
    assert.equal(kept.code, 0, kept.stderr);
    const session = await lines(path.join(w.stateDir, "sessions", "big.jsonl"));
    assert.equal(session[1]?.content, `${"c".repeat(1024 * 1024)}d`);
    const logged = (await lines(file))[1];
    assert.equal(logged?.reply, "c".repeat(1024 * 1024));
    assert.equal(logged?.replyLength, 1024 * 1024 + 1);
  }, { ollama: { apiKey: secret } });
});

test("Ctrl-C mid-reply leaves the session and the log whole: the exchange is not stored, the run is logged (130)", async () => {
  const tokens = Array.from({ length: 1000 }, (_, i) => `t${i} `);
  await withWorld({ replies: { "qwen3:8b": [{ content: "First." }, { content: tokens }] } }, async (w) => {
    w.server.set({ tokenDelayMs: 0 });
    assert.equal((await w.run(["chat", "-m", "qwen3:8b", "--session", "long", "Hi"])).code, 0);
    w.server.set({ tokenDelayMs: 10 });
    const r = await w.run(["chat", "-m", "qwen3:8b", "--session", "long", "Count"], {
      onSpawn(child) {
        child.stdout!.once("data", () => process.kill(child.pid!, "SIGINT"));
      },
    });
    assert.equal(r.code, 130);
    assert.match(r.stdout, /^t0 /);
    const session = await lines(path.join(w.stateDir, "sessions", "long.jsonl"));
    assert.deepEqual(session, [{ role: "user", content: "Hi" }, { role: "assistant", content: "First." }]);
    const log = await lines(path.join(w.stateDir, "log.jsonl"));
    assert.equal(log.length, 2);
    assert.equal(log[1]?.exitCode, 130);
    assert.equal((log[1]?.error as { code: string }).code, "E_ABORTED");
    assert.match(String(log[1]?.reply), /^t0 /);
    assert.deepEqual((await readdir(path.join(w.stateDir, "sessions"))).sort(), ["long.jsonl"], "no temporary file left");
  });
});

test("a damaged session is named with file and line; a cut last line (a crash mid-write) is left out", async () => {
  await withWorld({}, async (w) => {
    const dir = path.join(w.stateDir, "sessions");
    assert.equal((await w.run(["chat", "-m", "qwen3:8b", "--session", "d", "Hi"])).code, 0);
    const file = path.join(dir, "d.jsonl");
    await writeFile(file, (await readFile(file, "utf8")) + '{"role":"user","con');
    const cut = await w.run(["chat", "-m", "qwen3:8b", "--session", "d", "Again"]);
    assert.equal(cut.code, 0, cut.stderr);
    assert.equal((w.chatBodies()[1]?.messages as unknown[]).length, 3);
    assert.equal((await w.run(["chat", "-m", "qwen3:8b", "--session", "d", "Third"])).code, 0, "the cut line was cut off");
    assert.equal((await lines(file)).length, 6);
    await writeFile(file, '{"role":"user","content":"x"}\nnot json\n');
    const bad = await w.run(["chat", "-m", "qwen3:8b", "--session", "d", "Again"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^oclaw: Session d is damaged: .*d\.jsonl:2: not JSON/);
  });
});

test("a log that cannot be written is a warning (none with -q); the reply and exit code stand", async () => {
  await withWorld({ replies: { "qwen3:8b": { content: "Fine." } } }, async (w) => {
    const blocked = await w.file("not-a-dir", "");
    const env = { XDG_STATE_HOME: blocked };
    const r = await w.run(["chat", "-m", "qwen3:8b", "Hi"], { env });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "Fine.\n");
    assert.match(r.stderr, /^oclaw: warning: the run was not logged \(OCLAW_LOG=off turns the log off\): Cannot create /);
    const quiet = await w.run(["chat", "-q", "-m", "qwen3:8b", "Hi"], { env });
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stderr, "");
    const session = await w.run(["chat", "-m", "qwen3:8b", "--session", "x", "Hi"], { env });
    assert.equal(session.code, 1, "a session that cannot be kept fails the run");
    assert.match(session.stderr, /oclaw: Cannot create /);
  });
});

test("a conversation longer than the context is warned about (W_TRUNCATED), never cut by oclaw", async () => {
  await withWorld({}, async (w) => {
    const history = Array.from({ length: 40 }, (_, i) => [
      { role: "user", content: `Question ${i}: ${"tell me more about the log ".repeat(20)}` },
      { role: "assistant", content: "Answer ".repeat(100) },
    ]).flat();
    const file = await w.file("history.json", JSON.stringify(history));
    const r = await w.run(["chat", "-m", "qwen3:8b", "-o", "num_ctx=2048", "--messages", file, "Sum it up"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: .*2048/);
    assert.equal((w.chatBodies()[0]?.messages as unknown[]).length, 81, "every message was sent");
  });
});
