/**
 * Context length end to end, against a fake Ollama that allocates and cuts as the real one does version by
 * version (tests/support/fake-ollama/context.ts): no false alarms, no advice that lowers the context, and no
 * silent truncation.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { withWorld } from "./support/world.ts";
import { fixtureModel } from "./support/fake-ollama.ts";
import { jsonLines } from "./support/json-lines.ts";

/** About 10,000 tokens by oclaw's estimate and the fake's tokenizer (4 characters a token). */
const PROMPT_10K = "lorem ipsum dolor sit amet ".repeat(1482);

test("a 32 GiB GPU (Ollama 0.33): a 10k-token prompt gets no context warning, before or after, and doctor none either", async () => {
  await withWorld({ version: "0.33.0", gpuGiB: 32 }, async (w) => {
    const r = await w.run(["chat", "-m", "ollama/qwen3:8b", PROMPT_10K]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal("options" in (w.chatBodies()[0] ?? {}), false, "no num_ctx sent: the server's 32768 stands");
    // Loaded with the VRAM tier's 32768 (the trained context is 40960): reported, not compared.
    w.server.set({ ps: [{ name: "qwen3:8b" }] });
    const doctor = await w.run(["doctor", "--json"]);
    const checks = JSON.parse(doctor.stdout).checks as Array<{ name: string; status: string; message: string }>;
    const context = checks.find((c) => c.name === "context");
    assert.equal(context?.status, "ok", doctor.stdout);
    assert.match(context.message, /ollama\/qwen3:8b 32768/);
    assert.equal(checks.some((c) => c.status === "warn" && /context/.test(c.message)), false, doctor.stdout);
  });
});

test("a prompt Ollama cut (llama-server keeps about num_ctx/2): W_TRUNCATED after the reply, a fix that raises the context", async () => {
  await withWorld({ version: "0.33.0", gpuGiB: 8, replies: { "*": { content: "ok" } } }, async (w) => {
    const r = await w.run(["chat", "--json", "-m", "ollama/qwen3:8b", PROMPT_10K]);
    assert.equal(r.code, 0, r.stderr);
    const events = jsonLines(r.stdout);
    const types = events.map((e) => e.type);
    assert.ok(types.indexOf("warning") > types.indexOf("text"), `after the reply: ${types.join(",")}`);
    const warning = events.find((e) => e.type === "warning")!;
    assert.equal(warning.code, "W_TRUNCATED");
    // 4096 − (4096 − 5)/2 = 2051 tokens kept (llm/llama_server.go contextShiftPromptLimit).
    assert.match(String(warning.message), /^ollama\/qwen3:8b read only 2051 prompt tokens of about 10\d{3} sent/);
    assert.match(String(warning.message), /params\.num_ctx' 16384/);
    assert.match(r.stderr, /^oclaw: warning: ollama\/qwen3:8b read only 2051/m);
  });
});

test("the runners before 0.31 keep exactly num_ctx tokens: that is a cut too (Ollama 0.20, 8 GiB)", async () => {
  await withWorld({ version: "0.20.0", gpuGiB: 8 }, async (w) => {
    const r = await w.run(["chat", "-m", "ollama/qwen3:8b", PROMPT_10K]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^oclaw: warning: ollama\/qwen3:8b read only 4096 prompt tokens of about 10\d{3} sent/m);
  });
});

test("before sending: only against a known context (num_ctx, the Modelfile's, a pre-0.15.5 default), never suggesting less", async () => {
  const big = { ...fixtureModel("qwen3:8b"), parameters: { num_ctx: 16384 } };
  await withWorld({ version: "0.33.0", gpuGiB: 8, models: [big] }, async (w) => {
    const fits = await w.run(["chat", "-m", "ollama/qwen3:8b", PROMPT_10K]);
    assert.equal(fits.code, 0, fits.stderr);
    assert.equal(fits.stderr, "", "the Modelfile's 16384 holds 10k tokens");

    const r = await w.run(["chat", "--json", "-m", "ollama/qwen3:8b", PROMPT_10K.repeat(2)]);
    const warning = jsonLines(r.stdout).find((e) => e.type === "warning");
    assert.match(String(warning?.message), /longer than the Modelfile's num_ctx 16384 for ollama\/qwen3:8b/);
    assert.match(String(warning?.message), /num_ctx' 32768/);

    const config = await w.file(
      "explicit.json",
      JSON.stringify({
        models: { providers: { ollama: { baseUrl: w.server.url } } },
        agents: { defaults: { models: { "ollama/qwen3:8b": { params: { num_ctx: 8192 } } } } },
      }),
    );
    const explicit = await w.run(["chat", "--config", config, "-m", "ollama/qwen3:8b", PROMPT_10K]);
    assert.match(explicit.stderr, /likely longer than num_ctx 8192 .*num_ctx' 16384/);
    assert.deepEqual(w.chatBodies().at(-1)?.options, { num_ctx: 8192 });
  });
});

test("Ollama 0.12.3 (default 4096) warns before sending; 0.6.6 knows 2048", async () => {
  await withWorld({ version: "0.6.6" }, async (w) => {
    const r = await w.run(["chat", "-m", "ollama/qwen3:8b", "word ".repeat(2500)]);
    assert.match(r.stderr, /likely longer than this Ollama's default context \(2048 tokens\)/);
  });
});
