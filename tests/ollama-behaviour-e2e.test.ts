/**
 * Ollama as it really behaves, end to end through oclaw (the compiled binary under OCLAW_BIN): think values
 * by version, prompts the context refuses (E_CONTEXT), cloud sign-in, busy and out-of-memory servers, tool
 * calls cut short, format beside tools. The fake follows Ollama's source version by version.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { withWorld } from "./support/world.ts";
import { type FakeModel, fixtureModel } from "./support/fake-ollama.ts";
import { PROMPT_TOO_LONG } from "./support/fake-ollama/context.ts";
import { jsonLines } from "./support/json-lines.ts";

const PROMPT_10K = "lorem ipsum dolor sit amet ".repeat(1482);
const WEATHER = {
  type: "function",
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};

/** A copy of a fixture model under another name, with Modelfile parameters. */
function variant(name: string, from: string, more: Partial<FakeModel> = {}): FakeModel {
  const base = fixtureModel(from);
  return { ...base, name, digest: base.digest.replace(/^.{8}/, "0badc0de"), ...more };
}

for (const [version, sent] of [["0.12.3", "high"], ["0.21.3", "max"], ["0.10.1", true]] as const) {
  test(`--think=max against Ollama ${version}: think ${JSON.stringify(sent)} is sent and the reply comes`, async () => {
    await withWorld({ version, replies: { "*": { thinking: "Hmm", content: "Answer" } } }, async (w) => {
      const r = await w.run(["chat", "--think=max", "-m", "ollama/qwen3:8b", "Why?"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "Answer\n");
      const bodies = w.chatBodies();
      assert.equal(bodies.length, 1, "the version decided: no refused request");
      assert.equal(bodies[0]?.think, sent);
    });
  });
}

test("a prompt a no-shift model refuses (0.33): E_CONTEXT, and the next candidate with room answers", async () => {
  const models = [variant("strict:8b", "qwen3:8b", { noShift: true }), variant("roomy:8b", "qwen3:8b", { parameters: { num_ctx: 16384 } })];
  await withWorld({ version: "0.33.0", gpuGiB: 8, models, replies: { "*": { content: "Fits" } } }, async (w) => {
    const r = await w.run(["chat", "--json", "-m", "ollama/strict:8b", "-m", "ollama/roomy:8b", PROMPT_10K]);
    assert.equal(r.code, 0, r.stderr);
    const fallback = jsonLines(r.stdout).find((e) => e.type === "fallback") as { error: { code: string; message: string } };
    assert.equal(fallback.error.code, "E_CONTEXT");
    assert.match(fallback.error.message, /the prompt is longer than the context length currently available/);
    assert.equal(jsonLines(r.stdout).at(-1)?.model, "ollama/roomy:8b");

    const alone = await w.run(["chat", "-m", "ollama/strict:8b", PROMPT_10K]);
    assert.equal(alone.code, 1);
    assert.match(alone.stderr, /^oclaw: Ollama at http:\/\/127\.0\.0\.1:\d+: the prompt is longer than the context length/m);
    assert.match(alone.stderr, /^hint: Raise the model's context \(params\.num_ctx, or OLLAMA_CONTEXT_LENGTH/m);
  });
});

test("--no-truncate: truncate:false from 0.12.6; llama-server's refusal is E_CONTEXT with its message unwrapped", async () => {
  await withWorld({ version: "0.33.0", gpuGiB: 8 }, async (w) => {
    const r = await w.run(["chat", "--json", "--no-truncate", "-m", "ollama/qwen3:8b", PROMPT_10K]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(w.chatBodies()[0]?.truncate, false);
    const error = jsonLines(r.stdout).at(-1)!;
    assert.equal(error.code, "E_CONTEXT");
    assert.match(String(error.message), /: request \(10\d{3} tokens\) exceeds the available context size \(4096 tokens\), try increasing it$/);
    assert.doesNotMatch(String(error.message), /exceed_context_size_error|\{/);
  });
  await withWorld({ version: "0.12.5" }, async (w) => {
    const r = await w.run(["chat", "--no-truncate", "-m", "ollama/qwen3:8b", "Hi"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: Ollama 0\.12\.5 at .* cannot refuse an over-long prompt \(truncate needs 0\.12\.6\+\)/);
  });
});

test("before 0.12.6 a runner's refusal came as 200 + an error line: still E_CONTEXT, still a fallback", async () => {
  const replies = { "qwen3:8b": { error: { status: 400, message: PROMPT_TOO_LONG, runner: true } }, "*": { content: "Other" } };
  await withWorld({ version: "0.12.3", replies }, async (w) => {
    const r = await w.run(["chat", "--json", "-m", "ollama/qwen3:8b", "-m", "ollama/llama3.2:3b", "Hi"]);
    assert.equal(r.code, 0, r.stderr);
    const fallback = jsonLines(r.stdout).find((e) => e.type === "fallback") as { error: { code: string } };
    assert.equal(fallback.error.code, "E_CONTEXT");
    w.server.set({ version: "0.12.6" });
    const status = await w.run(["chat", "-m", "ollama/qwen3:8b", "Hi"]);
    assert.equal(status.code, 1);
    assert.match(status.stderr, /the prompt is longer than the context length/);
  });
});

test("a cloud model while not signed in (401, signin_url) or with cloud off (403): the hint, and the next candidate answers", async () => {
  const cloud = variant("gpt-oss:120b-cloud", "gpt-oss:20b", { remoteHost: "https://ollama.com:443" });
  await withWorld({ version: "0.33.0", cloud: "signed-out", models: [cloud, fixtureModel("qwen3:8b")] }, async (w) => {
    const r = await w.run(["chat", "--json", "-m", "ollama/gpt-oss:120b-cloud", "-m", "ollama/qwen3:8b", "Hi"]);
    assert.equal(r.code, 0, r.stderr);
    const fallback = jsonLines(r.stdout).find((e) => e.type === "fallback") as { error: { message: string } };
    assert.match(fallback.error.message, /401: not signed in to ollama\.com/);

    const alone = await w.run(["chat", "-m", "ollama/gpt-oss:120b-cloud", "Hi"]);
    assert.equal(alone.code, 1);
    assert.match(alone.stderr, /^hint: Run 'ollama signin' on the Ollama host \(or open https:\/\/ollama\.com\/connect\?name=/m);

    w.server.set({ cloud: "disabled" });
    const off = await w.run(["chat", "-m", "ollama/gpt-oss:120b-cloud", "-m", "ollama/qwen3:8b", "Hi"]);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stderr, /403: ollama cloud is disabled: remote model is unavailable/);
  });
});

test("503 server busy (OLLAMA_MAX_QUEUE) and an out-of-memory 500 fall back to the next candidate", async () => {
  const busy = { error: { status: 503, message: "server busy, please try again.  maximum pending requests exceeded" } };
  const oom = { error: { status: 500, message: "model requires more system memory (21.4 GiB) than is available (7.6 GiB)" } };
  await withWorld({ replies: { "gpt-oss:20b": busy, "qwen3:8b": oom, "*": { content: "Small" } } }, async (w) => {
    const r = await w.run(["chat", "-m", "ollama/gpt-oss:20b", "-m", "ollama/qwen3:8b", "-m", "ollama/llama3.2:3b", "Hi"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Small\n");
    assert.match(r.stderr, /503: server busy/);
    assert.match(r.stderr, /500: model requires more system memory/);
  });
});

test("tool calls on a done line with done_reason length were cut short: dropped with W_TOOL_CALL_TRUNCATED", async () => {
  const reply = { toolCalls: [{ name: "get_weather", arguments: { city: "Tok" }, chunk: "done" as const }], doneReason: "length" };
  await withWorld({ version: "0.33.0", replies: { "*": reply } }, async (w) => {
    const tools = await w.file("tools.json", JSON.stringify([WEATHER]));
    const r = await w.run(["chat", "--json", "--tools", tools, "-m", "ollama/qwen3:8b", "Weather?"]);
    assert.equal(r.code, 0, r.stderr);
    const events = jsonLines(r.stdout);
    assert.equal(events.some((e) => e.type === "tool_call"), false);
    const warning = events.find((e) => e.type === "warning");
    assert.equal(warning?.code, "W_TOOL_CALL_TRUNCATED");
    assert.match(String(warning?.message), /get_weather \{"city":"Tok"\}/);
    assert.equal(events.at(-1)?.stopReason, "length");
  });
});

test("--format with --tools: format is not sent (no tool call could come), and a warning says so", async () => {
  await withWorld({}, async (w) => {
    const tools = await w.file("tools.json", JSON.stringify([WEATHER]));
    const r = await w.run(["chat", "--format", "json", "--tools", tools, "-m", "ollama/qwen3:8b", "Weather?"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal("format" in (w.chatBodies()[0] ?? {}), false);
    assert.match(r.stderr, /warning: --format is not sent with --tools/);
  });
});

test("an openai-completions provider at an Ollama: num_ctx and keep_alive cannot be sent; one warning", async () => {
  await withWorld({}, async (w) => {
    const config = await w.file("v1.json", JSON.stringify({
      models: {
        providers: {
          ollama: {
            baseUrl: `${w.server.url}/v1`,
            api: "openai-completions",
            models: [{ id: "qwen3:8b", params: { num_ctx: 32768, keep_alive: "1h" } }],
          },
        },
      },
    }));
    const r = await w.run(["chat", "--config", config, "-m", "ollama/qwen3:8b", "Hi"]);
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.split("\n").filter((l) => l.startsWith("oclaw: warning:"));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /Ollama's OpenAI-compatible \/v1, which has no num_ctx or keep_alive/);
  });
});
