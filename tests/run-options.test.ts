/** `-o KEY=VALUE`: read as JSON5 or Ollama's spellings, checked before sending, laid over params. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRunOptions } from "../lib/chat/run-options.ts";
import { OclawError } from "../lib/errors.ts";
import { withWorld } from "./support/world.ts";

function usage(entries: string[]): OclawError {
  try {
    parseRunOptions(entries);
  } catch (error) {
    assert.ok(error instanceof OclawError);
    assert.equal(error.code, "E_USAGE");
    return error;
  }
  assert.fail(`no error for ${entries.join(" ")}`);
}

test("values: JSON5 first, then Ollama's own forms; a later -o wins", () => {
  assert.deepEqual(
    parseRunOptions([
      "num_ctx=4096",
      "num_ctx=16384",
      "temperature=.2",
      "stop=['###', \"END\"]",
      "keep_alive=10m",
      "think=high",
      "use_mmap=off",
      "format={type:'object'}",
      "thinking=false",
    ]),
    {
      num_ctx: 16384,
      temperature: 0.2,
      stop: ["###", "END"],
      keep_alive: "10m",
      think: false,
      use_mmap: false,
      format: { type: "object" },
    },
  );
  assert.deepEqual(parseRunOptions(["stop=###", "keep_alive=-1", "seed=42"]), { stop: ["###"], keep_alive: -1, seed: 42 });
});

test("unknown keys get a did-you-mean; wrong types and missing '=' are usage errors", () => {
  const typo = usage(["num_cxt=1"]);
  assert.equal(typo.message, "Unknown option 'num_cxt' for -o");
  assert.equal(typo.hint, "Did you mean num_ctx?");
  assert.match(usage(["frobnicate=1"]).hint ?? "", /^Known: num_ctx, /);
  assert.equal(usage(["num_ctx=big"]).message, "-o num_ctx must be an integer, not 'big'");
  assert.match(usage(["num_ctx=1.5"]).message, /^-o num_ctx must be an integer/);
  assert.match(usage(["think=maybe"]).message, /^-o think must be/);
  assert.match(usage(["keep_alive=soon"]).message, /^-o keep_alive must be/);
  assert.match(usage(["num_ctx"]).message, /^-o takes KEY=VALUE/);
});

test("-o num_ctx=16384 arrives in options over the config's params; a bad -o sends nothing", async () => {
  const agents = { defaults: { models: { "ollama/qwen3:8b": { params: { num_ctx: 8192, temperature: 0.7 } } } } };
  await withWorld({}, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "-o", "num_ctx=16384", "--option", "keep_alive=10m", "Hi"]);
    assert.equal(r.code, 0, r.stderr);
    const [body] = w.chatBodies();
    assert.deepEqual(body?.options, { num_ctx: 16384, temperature: 0.7 });
    assert.equal(body?.keep_alive, "10m");

    const bad = await w.run(["chat", "-m", "qwen3:8b", "-o", "num_ctx=lots", "Hi"]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.split("\n")[0], "oclaw: -o num_ctx must be an integer, not 'lots'");
    const typo = await w.run(["chat", "-m", "qwen3:8b", "-o", "temprature=0.1", "Hi"]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /Unknown option 'temprature' for -o\nhint: Did you mean temperature\?/);
    assert.equal(w.chatBodies().length, 1);

    const v1 = await w.run(["chat", "-m", "v1/qwen3:8b", "-o", "temperature=0.1", "-o", "num_ctx=16384", "Hi"]);
    assert.equal(v1.code, 0, v1.stderr);
    assert.equal(w.chatBodies()[1]?.temperature, 0.1);
    assert.match(v1.stderr, /warning: v1\/qwen3:8b speaks the OpenAI API, which has no num_ctx/);
  }, { agents });
});
