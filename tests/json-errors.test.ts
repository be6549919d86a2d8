/**
 * With --json every failure is JSON on stdout (cli.md "Exit codes"): one {"type":"error",...} event for the
 * commands that stream events (chat, models pull), {"error":{code,message,hint}} for the others; also when
 * the flags themselves do not parse. stderr still says it in words.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnOclaw } from "./support/cli.ts";

const env = { OLLAMA_API_KEY: "x", OLLAMA_HOST: "127.0.0.1:9" };

test("chat --json with a bad flag: one error event on stdout, exit 2", { timeout: 60_000 }, async () => {
  const r = await spawnOclaw(["chat", "--json", "--bogus", "hi"], { env });
  assert.equal(r.code, 2);
  assert.deepEqual(JSON.parse(r.stdout), {
    type: "error",
    code: "E_USAGE",
    message: "Unknown option '--bogus'",
    hint: "Run 'oclaw chat --help' for usage",
  });
  assert.equal(r.stdout.split("\n").length, 2);
  assert.match(r.stderr, /^oclaw: Unknown option '--bogus'\n/);
});

test("models list --json --provider nope: {error:{code,message,hint}} on stdout", { timeout: 60_000 }, async () => {
  const r = await spawnOclaw(["models", "list", "--json", "--provider", "nope"], { env });
  assert.equal(r.code, 3);
  const { error } = JSON.parse(r.stdout);
  assert.equal(error.code, "E_NO_PROVIDER");
  assert.match(error.message, /Provider 'nope' is not configured/);
  assert.equal(typeof error.hint, "string");
});

test("config get --json missing.key: {error} on stdout, exit 1", { timeout: 60_000 }, async () => {
  const r = await spawnOclaw(["config", "get", "--json", "missing.key"], { env: { HOME: "/nonexistent-home" } });
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stdout).error.code, "E_NOT_SET");
});

test("a bad flag of any command, an unknown command, pull without a name: JSON too", { timeout: 60_000 }, async () => {
  for (const args of [["doctor", "--json", "--bogus"], ["models", "--json", "nope"], ["--json", "chta"], ["models", "show", "--json"]]) {
    const r = await spawnOclaw(args, { env });
    assert.equal(JSON.parse(r.stdout).error.code, "E_USAGE", args.join(" "));
  }
  const pull = await spawnOclaw(["models", "pull", "--json"], { env });
  assert.equal(pull.code, 2);
  assert.equal(JSON.parse(pull.stdout).type, "error");
  // After --, --json is a word, not the flag.
  const plain = await spawnOclaw(["config", "get", "--", "--json"], { env });
  assert.equal(plain.stdout, "");
});

test("chat --json against a server that is not there: exactly one error event", { timeout: 60_000 }, async () => {
  const r = await spawnOclaw(["chat", "--json", "-m", "qwen3:8b", "hi"], { env });
  assert.equal(r.code, 4);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.filter((e) => e.type === "error").length, 1);
  assert.equal(lines.at(-1).type, "error");
});
