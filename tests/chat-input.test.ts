/**
 * What chat sends from what the user typed (issue 15 §6, §10, §13): empty stdin adds nothing, a second -s
 * is a usage error, `--think low "…"` warns how to write a level, and --help says what --think does by
 * default. Through the binary against the fake Ollama.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnOclaw } from "./support/cli.ts";
import { startFakeOllama } from "./support/fake-ollama.ts";

interface ChatBody {
  messages: Array<{ role: string; content: string }>;
  think?: unknown;
}

async function withServer(body: (env: Record<string, string>, sent: () => ChatBody[]) => Promise<void>) {
  const server = await startFakeOllama();
  try {
    const sent = () => server.requests.filter((r) => r.path === "/api/chat").map((r) => r.body as ChatBody);
    await body({ OLLAMA_API_KEY: "x", OLLAMA_HOST: server.url }, sent);
  } finally {
    await server.close();
  }
}

test("stdin with nothing but blank lines adds nothing to the prompt", { timeout: 60_000 }, async () => {
  await withServer(async (env, sent) => {
    const r = await spawnOclaw(["chat", "-m", "qwen3:8b", "hi"], { env, stdin: "\n" });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(sent()[0]!.messages, [{ role: "user", content: "hi" }]);
    const spaces = await spawnOclaw(["chat", "-m", "qwen3:8b", "hi"], { env, stdin: " \n\t\n\n" });
    assert.equal(spaces.code, 0);
    assert.equal(sent()[1]!.messages.at(-1)!.content, "hi");
    // Text on stdin still follows after a blank line.
    await spawnOclaw(["chat", "-m", "qwen3:8b", "Summarize"], { env, stdin: "a diff\n" });
    assert.equal(sent()[2]!.messages.at(-1)!.content, "Summarize\n\na diff\n");
    // Only blank stdin and no words: still no prompt.
    const none = await spawnOclaw(["chat", "-m", "qwen3:8b"], { env, stdin: "\n\n" });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^oclaw: No prompt/);
  });
});

test("a second -s is a usage error, nothing is sent", { timeout: 60_000 }, async () => {
  await withServer(async (env, sent) => {
    const r = await spawnOclaw(["chat", "-m", "qwen3:8b", "-s", "Be terse", "-s", "Answer in French", "hi"], { env });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^oclaw: -s\/--system given 2 times: a run has one system prompt\nhint: Put it all in one -s/);
    assert.equal(sent().length, 0);
    const one = await spawnOclaw(["chat", "-m", "qwen3:8b", "-s", "Be terse", "hi"], { env });
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(sent()[0]!.messages[0], { role: "system", content: "Be terse" });
  });
});

test("--think low \"...\": a warning says to write --think=low; what is sent is unchanged", { timeout: 60_000 }, async () => {
  await withServer(async (env, sent) => {
    const r = await spawnOclaw(["chat", "-m", "qwen3:8b", "--think", "low", "Plan a trip"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^oclaw: warning: 'low' after --think is read as the prompt's first word, and --think means --think=on; for the level write --think=low\n/);
    assert.equal(sent()[0]!.messages.at(-1)!.content, "low Plan a trip");
    assert.equal(sent()[0]!.think, true);
    const right = await spawnOclaw(["chat", "-m", "qwen3:8b", "--think=low", "Plan a trip"], { env });
    assert.doesNotMatch(right.stderr, /warning/);
    assert.equal(sent()[1]!.think, "low");
    const quiet = await spawnOclaw(["chat", "-q", "-m", "qwen3:8b", "--think", "low", "Plan"], { env });
    assert.doesNotMatch(quiet.stderr, /warning/);
  });
});

test("chat --help says what --think does when not given", { timeout: 60_000 }, async () => {
  const r = await spawnOclaw(["chat", "--help"]);
  assert.doesNotMatch(r.stdout, /server's choice/);
  assert.match(r.stdout, /--think\[=LEVEL\] +Thinking: on, off, low, medium, high, max \(default: params\.think, else on for\n +a reasoning model/);
});
