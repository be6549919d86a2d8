/**
 * `oclaw chat`'s parts: flags, prompt, candidates, renderers, stats, truncation estimate; and the command
 * in-process against the fake Ollama for choices that need no separate process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunEvent } from "../lib/client/events.ts";
import { chatCandidates } from "../lib/chat/candidates.ts";
import { chatOptions, parseSeconds, parseThink } from "../lib/chat/options.ts";
import { chatMessages, readPrompt } from "../lib/chat/prompt.ts";
import { eventJson, jsonRenderer, textRenderer } from "../lib/chat/render.ts";
import { runSignal } from "../lib/chat/run-signal.ts";
import { goDuration } from "../lib/chat/stats.ts";
import { estimatePromptTokens, suggestedContext, truncationAfter, truncationBefore } from "../lib/chat/truncation.ts";
import type { Provider } from "../lib/catalog/types.ts";
import { OclawError } from "../lib/errors.ts";
import { capturedStream, memoryIo } from "./support/memory-io.ts";
import { runInProcess } from "./support/cli.ts";
import type { FakeOllama, FakeOllamaOptions } from "./support/fake-ollama.ts";
import { expectOclawError } from "./support/expect-oclaw-error.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

test("--think: bare or on → true, off → false, levels as given; an unknown level is a usage error", () => {
  assert.equal(parseThink(undefined), undefined);
  assert.equal(parseThink(""), true);
  assert.equal(parseThink("on"), true);
  assert.equal(parseThink("off"), false);
  assert.equal(parseThink("MAX"), "max");
  assert.throws(() => parseThink("why"), (e: OclawError) => e.code === "E_USAGE" && /--think level 'why'/.test(e.message));
});

test("seconds flags: positive numbers; 0 only where it means 'none'; anything else a usage error", async () => {
  assert.equal(parseSeconds("2.5", "--timeout"), 2500);
  assert.equal(parseSeconds("0", "--idle-timeout", true), undefined);
  for (const bad of ["0", "-1", "abc", ""]) {
    assert.equal((await expectOclawError(() => parseSeconds(bad, "--timeout"))).code, "E_USAGE", bad);
  }
});

test("chat options: idle timeout from the flag, else OCLAW_IDLE_TIMEOUT, else 5 minutes; files read and checked", () =>
  withTempDir("chat-options", async (dir) => {
    const io = memoryIo({ env: { OCLAW_IDLE_TIMEOUT: "7" }, cwd: dir });
    assert.equal((await chatOptions({}, io)).idleMs, 7000);
    assert.equal((await chatOptions({ "idle-timeout": "2" }, io)).idleMs, 2000);
    assert.equal((await chatOptions({}, memoryIo())).idleMs, 300_000);
    assert.equal("idleMs" in (await chatOptions({ "idle-timeout": "0" }, io)), false);

    await writeFile(path.join(dir, "schema.json"), '{"type":"object","properties":{"a":{"type":"number"}}}');
    const withSchema = await chatOptions({ format: "schema.json" }, io);
    assert.deepEqual(withSchema.format, { type: "object", properties: { a: { type: "number" } } });
    assert.equal((await chatOptions({ format: "json" }, io)).format, "json");
    await writeFile(path.join(dir, "list.json"), "[1]");
    assert.match((await expectOclawError(chatOptions({ format: "list.json" }, io))).message, /must hold a JSON schema object/);
    assert.match((await expectOclawError(chatOptions({ format: "missing.json" }, io))).message, /Cannot read --format file missing\.json: no such file/);

    await writeFile(path.join(dir, "tools.json"), '{"type":"function"}');
    const notArray = await expectOclawError(chatOptions({ tools: "tools.json" }, io));
    assert.equal(notArray.code, "E_USAGE");
    assert.match(notArray.message, /^Invalid --tools file tools\.json: /);
    await writeFile(path.join(dir, "broken.json"), "[{");
    assert.match((await expectOclawError(chatOptions({ tools: "broken.json" }, io))).message, /is not valid JSON/);
  }));

test("the prompt: words, stdin after a blank line, stdin alone, nothing → usage error", async () => {
  const stdin = (text: string | undefined) => memoryIo(text === undefined ? {} : { stdin: text }).stdin;
  assert.equal(await readPrompt(["a", "b"], stdin(undefined)), "a b");
  assert.equal(await readPrompt(["Review"], stdin("diff --git\n")), "Review\n\ndiff --git\n");
  assert.equal(await readPrompt([], stdin("only stdin")), "only stdin");
  assert.equal(await readPrompt(["words"], stdin("")), "words");
  assert.equal((await expectOclawError(readPrompt([], stdin("  \n")))).code, "E_USAGE");
  assert.deepEqual(chatMessages("hi", "sys"), [{ role: "system", content: "sys" }, { role: "user", content: "hi" }]);
  assert.deepEqual(chatMessages("hi", ""), [{ role: "user", content: "hi" }]);
});

const provider = (id: string, api: Provider["api"] = "ollama"): Provider => ({
  id,
  api,
  baseUrl: "http://127.0.0.1:1",
  headers: {},
  models: [],
  discover: true,
  enabledBy: "config",
  baseUrlSource: "config",
});

test("candidates: -m refs in order (ids with ':' and '/'), else primary then fallbacks; none → E_NO_MODEL", async () => {
  const providers = [provider("ollama"), provider("vllm", "openai-completions")];
  // Split at the first '/'; no '/' means the ollama provider.
  const refs = ["qwen3:8b", "ollama/hf.co/org/repo:Q4", "ollama/qwen3:8b", "vllm/m"];
  assert.deepEqual(chatCandidates(refs, { fallbacks: [] }, providers), [
    { ref: "ollama/qwen3:8b", provider: "ollama", api: "ollama" },
    { ref: "ollama/hf.co/org/repo:Q4", provider: "ollama", api: "ollama" },
    { ref: "vllm/m", provider: "vllm", api: "openai-completions" },
  ]);
  assert.deepEqual(
    chatCandidates([], { primary: "ollama/a", fallbacks: ["other/b", "ollama/a"] }, providers).map((c) => c.ref),
    ["ollama/a", "other/b"],
  );
  assert.deepEqual(chatCandidates(["other/b"], { fallbacks: [] }, providers), [{ ref: "other/b" }]);
  const none = await expectOclawError(() => chatCandidates([], { fallbacks: [] }, providers));
  assert.equal(none.code, "E_NO_MODEL");
  assert.match(none.hint ?? "", /agents\.defaults\.model\.primary/);
});

const done: Extract<RunEvent, { type: "done" }> = {
  type: "done",
  model: "ollama/qwen3:8b",
  stopReason: "stop",
  usage: { inputTokens: 169, outputTokens: 15 },
  timings: { totalMs: 182.242375, loadMs: 41.295167, firstTokenMs: 55.04, tokensPerSecond: 129.35 },
};

test("text renderer: thinking only when asked and ended by a newline, tool calls on their own lines, a final newline", async () => {
  const stdout = capturedStream();
  const stderr = capturedStream();
  const r = textRenderer({ stdout, stderr, showThinking: true, stats: false, quiet: false });
  for (
    const e of [
      { type: "start", model: "ollama/q", provider: "ollama", api: "ollama" },
      { type: "thinking", text: "Hmm" },
      { type: "text", text: "Calling" },
      { type: "tool_call", id: "call_1", name: "f", arguments: { a: 1 } },
      { type: "text", text: "Done" },
      done,
    ] satisfies RunEvent[]
  ) await r.event(e);
  assert.equal(stdout.text(), 'Calling\n{"tool_call":{"id":"call_1","name":"f","arguments":{"a":1}}}\nDone\n');
  assert.equal(stderr.text(), "Hmm\n");

  const quietOut = capturedStream();
  const quietErr = capturedStream();
  const hidden = textRenderer({ stdout: quietOut, stderr: quietErr, showThinking: false, stats: false, quiet: true });
  await hidden.event({ type: "thinking", text: "secret" });
  await hidden.event({ type: "fallback", from: "ollama/a", to: "ollama/b", error: { code: "E_HTTP", message: "boom" } });
  await hidden.event({ type: "warning", code: "W_TRUNCATED", message: "cut" });
  await hidden.event({ type: "text", text: "partial" });
  await hidden.fail(new OclawError("E_STREAM", "broke"));
  assert.equal(quietOut.text(), "partial\n");
  assert.equal(quietErr.text(), "oclaw: warning: cut\n", "-q hides the fallback notice, never a warning");
});

test("--json renderer: cli.md's shapes, timings rounded to 0.1, the error event last", async () => {
  assert.equal(
    eventJson(done),
    '{"type":"done","model":"ollama/qwen3:8b","stopReason":"stop","usage":{"inputTokens":169,"outputTokens":15},' +
      '"timings":{"totalMs":182.2,"loadMs":41.3,"firstTokenMs":55,"tokensPerSecond":129.4}}',
  );
  const stdout = capturedStream();
  const stderr = capturedStream();
  const r = jsonRenderer({ stdout, stderr, stats: false, quiet: false });
  await r.event({ type: "fallback", from: "ollama/a", to: "ollama/b", error: { code: "E_MODEL_NOT_FOUND", message: "gone" } });
  await r.fail(new OclawError("E_UNREACHABLE", "Cannot reach Ollama", { hint: "Start it" }));
  assert.equal(
    stdout.text(),
    '{"type":"fallback","from":"ollama/a","to":"ollama/b","error":{"code":"E_MODEL_NOT_FOUND","message":"gone"}}\n' +
      '{"type":"error","code":"E_UNREACHABLE","message":"Cannot reach Ollama","hint":"Start it"}\n',
  );
  assert.equal(stderr.text(), "oclaw: ollama/a failed (gone); trying ollama/b\n");
});

test("durations print like Go's time.Duration", () => {
  assert.equal(goDuration(5589.157167), "5.589157167s");
  assert.equal(goDuration(41.295167), "41.295167ms");
  assert.equal(goDuration(0.85), "850µs");
  assert.equal(goDuration(0.000012), "12ns");
  assert.equal(goDuration(125_000), "2m5s");
  assert.equal(goDuration(0), "0s");
});

test("the run signal says why it stopped: Ctrl-C, --timeout, or stdout gone", async () => {
  const interrupt = new AbortController();
  const io = memoryIo({ interrupt: interrupt.signal });
  const run = runSignal(io);
  interrupt.abort();
  assert.equal((run.signal.reason as OclawError).code, "E_ABORTED");
  assert.equal(run.stdoutClosed, false);
  run.dispose();

  const piped = memoryIo();
  const closed = runSignal(piped);
  piped.stdout.close();
  assert.equal(closed.stdoutClosed, true);
  closed.dispose();

  const timed = runSignal(memoryIo(), 1);
  await new Promise<void>((resolve) => timed.signal.addEventListener("abort", () => resolve(), { once: true }));
  assert.equal((timed.signal.reason as OclawError).code, "E_RUN_TIMEOUT");
  timed.dispose();
});

test("truncation: estimate ~4 chars a token (tools count), warn before when over the context, after when far fewer read", () => {
  assert.equal(estimatePromptTokens([{ role: "user", content: "x".repeat(400) }]), 100);
  assert.ok(estimatePromptTokens([{ role: "user", content: "x" }], [{ type: "function", function: { name: "f" } }]) > 1);
  const model = { ref: "ollama/qwen3:8b", contextWindow: 40960, source: "discovered" as const };
  assert.equal(truncationBefore(model, 4000, { tokens: 4096, source: "default", explicit: false }), undefined);
  assert.equal(truncationBefore(model, 9000, { tokens: undefined, source: "unknown", explicit: false }), undefined, "unknown: no warning");
  const before = truncationBefore(model, 6000, { tokens: 4096, source: "default", explicit: false });
  assert.equal(before?.code, "W_TRUNCATED");
  assert.match(before?.message ?? "", /agents\.defaults\.models\["ollama\/qwen3:8b"\]\.params\.num_ctx' 8192/);
  assert.equal(suggestedContext(30_000, 40960), 40960);
  assert.equal(suggestedContext(30_000, 131072), 65536);
  assert.equal(suggestedContext(5_000, 131072, 32768), 65536, "never at or below what the server already gives");
  assert.equal(truncationAfter(model, 6000, { inputTokens: 5800, outputTokens: 1 }), undefined);
  assert.equal(truncationAfter(model, 600, { inputTokens: 100, outputTokens: 1 }), undefined, "short prompts: no guess");
  assert.match(truncationAfter(model, 6000, { inputTokens: 2048, outputTokens: 1 })?.message ?? "", /read only 2048/);
  assert.match(truncationAfter(model, 5000, { inputTokens: 4096, outputTokens: 1 })?.message ?? "", /read only 4096/, "cut to exactly num_ctx");
});

// ---- the command in-process ----

async function fake(options: Partial<FakeOllamaOptions>, body: (s: FakeOllama, env: Record<string, string>) => Promise<void>) {
  await withFakeOllama(options, (server) =>
    withTempDir("chat", (dir) => body(server, { OLLAMA_HOST: server.url, OLLAMA_API_KEY: "k", XDG_CACHE_HOME: dir })));
}

const chatBodies = (s: FakeOllama) => s.requests.filter((r) => r.path === "/api/chat").map((r) => r.body as Record<string, unknown>);

test("--think followed by a prompt word: thinking on, the word stays in the prompt", async () => {
  await fake({}, async (server, env) => {
    const r = await runInProcess(["chat", "-m", "qwen3:8b", "--think", "why", "is", "it"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(chatBodies(server)[0]?.think, true);
    assert.deepEqual(chatBodies(server)[0]?.messages, [{ role: "user", content: "why is it" }]);
  });
});

test("params: options, keep_alive, think and streaming from the config; num_ctx from an explicit contextWindow only", async () => {
  await fake({}, (server, env) =>
    withTempDir("chat-config", async (dir) => {
      const config = path.join(dir, "openclaw.json");
      await writeFile(
        config,
        `{
        models: { providers: { ollama: { baseUrl: "${server.url}", models: [
          { id: "qwen3:8b", contextWindow: 12288, params: { keep_alive: "30m", temperature: 0.3 } },
          { id: "llama3.2:3b" },
        ] } } },
        agents: { defaults: { models: { "ollama/llama3.2:3b": { params: { streaming: false, think: false, top_k: 20 } } } } },
      }`,
      );
      const explicit = await runInProcess(["chat", "--config", config, "-m", "qwen3:8b", "Hi"], { env });
      assert.equal(explicit.code, 0, explicit.stderr);
      const first = chatBodies(server)[0]!;
      assert.deepEqual(first.options, { temperature: 0.3, num_ctx: 12288 });
      assert.equal(first.keep_alive, "30m");
      assert.equal(first.stream, true);

      const defaulted = await runInProcess(["chat", "--config", config, "-m", "llama3.2:3b", "Hi"], { env });
      assert.equal(defaulted.code, 0, defaulted.stderr);
      assert.equal(defaulted.stdout, "Hello! How can I help you today?\n");
      const second = chatBodies(server)[1]!;
      assert.deepEqual(second.options, { top_k: 20 }, "no contextWindow written → no num_ctx");
      assert.equal(second.stream, false);
      assert.equal(second.think, false);

      await runInProcess(["chat", "--config", config, "-m", "llama3.2:3b", "--think=low", "--no-stream", "Hi"], { env });
      assert.equal(chatBodies(server)[2]?.think, "low", "--think wins over params.think");
    }));
});

test("--tools on a model without tool support falls back to the next candidate, said on stderr", async () => {
  await fake({}, (server, env) =>
    withTempDir("chat-tools", async (dir) => {
      const tools = path.join(dir, "tools.json");
      await writeFile(tools, JSON.stringify([{ type: "function", function: { name: "f" } }]));
      const r = await runInProcess(["chat", "-m", "gemma:2b", "-m", "qwen3:8b", "--tools", tools, "Hi"], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^oclaw: ollama\/gemma:2b failed \(.*does not support tools.*\); trying ollama\/qwen3:8b\n$/);
      assert.deepEqual(chatBodies(server).map((b) => b.model), ["qwen3:8b"], "gemma was not even asked");
      const alone = await runInProcess(["chat", "-m", "gemma:2b", "--tools", tools, "Hi"], { env });
      assert.equal(alone.code, 1);
      assert.match(alone.stderr, /^oclaw: ollama\/gemma:2b does not support tools/);
    }));
});

test("a closed stdout stops the run quietly with exit 0", async () => {
  await fake({ tokenDelayMs: 5, replies: { "*": { content: Array.from({ length: 200 }, (_, i) => `w${i} `) } } }, async (server, env) => {
    const io = memoryIo({ env });
    const original = io.stdout.write.bind(io.stdout);
    let writes = 0;
    io.stdout.write = (text: string) => {
      if (++writes === 3) io.stdout.close();
      return original(text);
    };
    const { run } = await import("../lib/cli/run.ts");
    const code = await run(["chat", "-m", "qwen3:8b", "Count"], io);
    assert.equal(code, 0);
    assert.equal(io.stderr.text(), "");
    await server.waitForDisconnect();
  });
});

test("nothing configured and no -m: E_NO_MODEL, exit 5", async () => {
  await fake({}, async (_server, env) => {
    const r = await runInProcess(["chat", "Hi"], { env });
    assert.equal(r.code, 5);
    assert.match(r.stderr, /^oclaw: No model to chat with/);
    // With --json, a failure before any request still ends stdout with the error event.
    const json = await runInProcess(["chat", "--json", "Hi"], { env });
    assert.equal(json.code, 5);
    assert.equal(JSON.parse(json.stdout.trim().split("\n").at(-1)!).code, "E_NO_MODEL");
  });
});
