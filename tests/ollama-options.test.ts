import assert from "node:assert/strict";
import { test } from "node:test";
import { checkParam, OLLAMA_OPTIONS, parseOptionText, splitParams } from "../lib/client/ollama-options.ts";
import { expectOclawError } from "./support/expect-oclaw-error.ts";

test("params split into known options, top-level fields and unknown keys; streaming stays oclaw's", () => {
  const split = splitParams({
    streaming: false,
    num_ctx: 8192,
    temperature: 0.2,
    stop: ["###"],
    use_mmap: false,
    keep_alive: "10m",
    truncate: false,
    shift: false,
    format: { type: "object" },
    thinking: "low",
    mirostat: 2,
    cacheRetention: "long",
    seed: null,
  }, "params of ollama/qwen3");
  assert.deepEqual(split.options, { num_ctx: 8192, temperature: 0.2, stop: ["###"], use_mmap: false });
  assert.deepEqual(split.topLevel, { keep_alive: "10m", truncate: false, shift: false, format: { type: "object" }, think: "low" });
  assert.deepEqual(split.unknown, ["mirostat", "cacheRetention"]);
});

test("an explicit think wins over its alias thinking", () => {
  assert.deepEqual(splitParams({ think: false, thinking: "high" }).topLevel, { think: false });
  assert.deepEqual(splitParams({ thinking: true }).topLevel, { think: true });
});

test("a known key with a wrong type is a config error naming the key (Ollama would answer 500)", async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ temperature: "0.7" }, /^params\.temperature of ollama\/x must be a number, not the string "0\.7"$/],
    [{ num_ctx: 4096.5 }, /^params\.num_ctx of ollama\/x must be an integer/],
    [{ top_k: "40" }, /^params\.top_k of ollama\/x must be an integer/],
    [{ stop: "###" }, /^params\.stop of ollama\/x must be an array of strings/],
    [{ stop: [1] }, /^params\.stop of ollama\/x must be an array of strings/],
    [{ use_mmap: "no" }, /^params\.use_mmap of ollama\/x must be true or false/],
    [{ keep_alive: "10 minutes" }, /^params\.keep_alive of ollama\/x must be a number of seconds or a duration/],
    [{ truncate: "false" }, /^params\.truncate of ollama\/x must be true or false/],
    [{ think: "extreme" }, /^params\.think of ollama\/x must be true, false/],
    [{ thinking: "extreme" }, /^params\.thinking of ollama\/x must be true, false/],
    [{ format: "yaml" }, /^params\.format of ollama\/x must be "json" or a JSON schema object/],
  ];
  for (const [params, message] of cases) {
    const error = await expectOclawError(() => splitParams(params, "params of ollama/x"));
    assert.equal(error.code, "E_CONFIG_INVALID");
    assert.match(error.message, message);
    assert.ok(error.hint);
  }
});

test("Go durations are accepted for keep_alive as Ollama parses them (a bare \"-1\" string is not one)", async () => {
  assert.equal((await expectOclawError(() => checkParam("keep_alive", "-1"))).code, "E_CONFIG_INVALID");
  for (const value of ["10m", "1h30m", "-1m", "0", "1.5h", "300ms", 0, -1, 3600]) checkParam("keep_alive", value);
});

test("-o KEY=VALUE text is typed per key; unknown keys and bad values are usage errors", async () => {
  assert.equal(parseOptionText("num_ctx", "8192"), 8192);
  assert.equal(parseOptionText("temperature", "0.2"), 0.2);
  assert.equal(parseOptionText("use_mmap", "off"), false);
  assert.deepEqual(parseOptionText("stop", "###"), ["###"]);
  assert.deepEqual(parseOptionText("stop", '["a","b"]'), ["a", "b"]);
  assert.equal(parseOptionText("keep_alive", "600"), 600);
  assert.equal(parseOptionText("keep_alive", "10m"), "10m");
  assert.equal(parseOptionText("think", "max"), "max");
  assert.equal(parseOptionText("thinking", "on"), true);
  assert.equal(parseOptionText("truncate", "false"), false);
  assert.deepEqual(parseOptionText("format", '{"type":"object"}'), { type: "object" });
  for (const [key, value] of [["num_ctx", "big"], ["num_ctx", ""], ["temperature", "hot"], ["keep_alive", "soon"], ["think", "very"]]) {
    const error = await expectOclawError(() => parseOptionText(key!, value!));
    assert.equal(error.code, "E_USAGE");
    assert.match(error.message, new RegExp(`^-o ${key}`));
  }
  const unknown = await expectOclawError(() => parseOptionText("mirostat", "2"));
  assert.equal(unknown.code, "E_USAGE");
  assert.match(unknown.hint ?? "", /num_ctx/);
});

test("the option table holds api/types.go's keys with Go's kinds", () => {
  assert.equal(OLLAMA_OPTIONS.num_ctx, "integer");
  assert.equal(OLLAMA_OPTIONS.temperature, "number");
  assert.equal(OLLAMA_OPTIONS.use_mmap, "boolean");
  assert.equal(OLLAMA_OPTIONS.stop, "strings");
  assert.equal(Object.keys(OLLAMA_OPTIONS).length, 20);
});
