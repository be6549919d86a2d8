/**
 * `oclaw chat` end to end: the binary (OCLAW_BIN) or the source as a child process, against the fake Ollama
 * over loopback. Asserts what a user sees: stdout, stderr, exit code, and what the server received.
 */
import fs from "node:fs";
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { type CliResult, oclawCommand, ROOT } from "./support/cli.ts";
import type { FakeOllamaOptions, Reply } from "./support/fake-ollama.ts";
import { jsonLines } from "./support/json-lines.ts";
import { type World, withWorld } from "./support/world.ts";

const WEATHER = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

/** The world of these tests: no config file, the ollama provider enabled by OLLAMA_HOST and OLLAMA_API_KEY. */
const world = (options: Partial<FakeOllamaOptions>, body: (w: World) => Promise<void>) => withWorld(options, body, { via: "env" });

test("plain text: the reply on stdout with a final newline, nothing on stderr; the request as Ollama expects", async () => {
  await world({ replies: { "qwen3:8b": { content: "Paris is the capital of France." } } }, async (w) => {
    const r = await w.run(["chat", "-m", "ollama/qwen3:8b", "Capital", "of", "France?"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Paris is the capital of France.\n");
    assert.equal(r.stderr, "");
    const [body] = w.chatBodies();
    assert.equal(body?.model, "qwen3:8b");
    assert.deepEqual(body?.messages, [{ role: "user", content: "Capital of France?" }]);
    assert.equal(body?.stream, true);
    assert.equal("options" in (body ?? {}), false, "no params, no options: the server's defaults");
  });
});

test("stdin and an argument: the instruction, a blank line, then stdin; -s adds the system message", async () => {
  await world({}, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "-s", "Be terse", "Summarize", "this:"], {
      stdin: "line one\nline two\n",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(w.chatBodies()[0]?.messages, [
      { role: "system", content: "Be terse" },
      { role: "user", content: "Summarize this:\n\nline one\nline two\n" },
    ]);
  });
});

test("no prompt at all is a usage error (exit 2) before any request", async () => {
  await world({}, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^oclaw: No prompt/);
    assert.equal(w.server.requests.length, 0);
  });
});

const THINKER: Reply = { thinking: "The user greets me.", content: "Hello there!" };

test("no --think: a reasoning model is asked to think, so Ollama before 0.12.4 keeps thoughts out of the reply", async () => {
  // The fake's default version is 0.12.3, which (like Ollama 0.9.0-0.12.3) puts the thinking of a model
  // not asked to think into the content as <think>...</think>.
  await world({ replies: { "qwen3:8b": THINKER, "llama3.2:3b": { content: "Plain." } } }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "Hi"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Hello there!\n");
    assert.equal(r.stderr, "");
    assert.equal(w.chatBodies()[0]?.think, true);
    const shown = await w.run(["chat", "-m", "qwen3:8b", "--show-thinking", "Hi"]);
    assert.equal(shown.stdout, "Hello there!\n");
    assert.equal(shown.stderr, "The user greets me.\n");
    const plain = await w.run(["chat", "-m", "llama3.2:3b", "Hi"]);
    assert.equal(plain.stdout, "Plain.\n");
    assert.equal("think" in (w.chatBodies()[2] ?? {}), false, "a model that cannot think is not asked to");
  });
});

test("thinking is hidden by default, on stderr with --show-thinking, and events with --json", async () => {
  await world({ replies: { "qwen3:8b": THINKER } }, async (w) => {
    const hidden = await w.run(["chat", "-m", "qwen3:8b", "--think", "Hi"]);
    assert.equal(hidden.code, 0, hidden.stderr);
    assert.equal(hidden.stdout, "Hello there!\n");
    assert.equal(hidden.stderr, "");
    assert.equal(w.chatBodies()[0]?.think, true);
    assert.deepEqual(w.chatBodies()[0]?.messages, [{ role: "user", content: "Hi" }], "--think took no prompt word");

    const shown = await w.run(["chat", "-m", "qwen3:8b", "--think=high", "--show-thinking", "Hi"]);
    assert.equal(shown.stdout, "Hello there!\n");
    assert.equal(shown.stderr, "The user greets me.\n");
    assert.equal(w.chatBodies()[1]?.think, "high");

    const json = await w.run(["chat", "-m", "qwen3:8b", "--json", "Hi", "--think"]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(w.chatBodies()[2]?.think, true, "a bare --think last on the line means on");
    assert.deepEqual(w.chatBodies()[2]?.messages, [{ role: "user", content: "Hi" }]);
    const events = jsonLines(json.stdout);
    assert.deepEqual(events[0], { type: "start", model: "ollama/qwen3:8b", provider: "ollama", api: "ollama" });
    assert.deepEqual(events.filter((e) => e.type === "thinking").map((e) => e.text).join(""), "The user greets me.");
    assert.deepEqual(events.filter((e) => e.type === "text").map((e) => e.text).join(""), "Hello there!");
    const done = events.at(-1)!;
    assert.deepEqual(Object.keys(done), ["type", "model", "stopReason", "usage", "timings"]);
    assert.deepEqual(Object.keys(done.timings as object), ["totalMs", "loadMs", "firstTokenMs", "tokensPerSecond"]);
    assert.equal(done.model, "ollama/qwen3:8b");
    assert.equal(done.stopReason, "stop");
    assert.equal(json.stderr, "");
  });
});

test("tool calls: one in a middle chunk and one on the done chunk, each a JSON line on stdout", async () => {
  const reply: Reply = {
    // Chunk 1 is " the" plus the first call; the second call rides on the done:true line.
    content: "Checking the weather.",
    toolCalls: [
      { name: "get_weather", arguments: { city: "Tokyo" }, id: "call_tky00001", chunk: 1 },
      { name: "get_weather", arguments: { city: "Zürich" }, id: "call_zrh00002", chunk: "done" },
    ],
  };
  await world({ version: "0.12.10", replies: { "qwen3:8b": reply } }, async (w) => {
    const tools = await w.file("tools.json", JSON.stringify([WEATHER]));
    const r = await w.run(["chat", "-m", "qwen3:8b", "--tools", tools, "Weather?"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      "Checking the\n" +
        '{"tool_call":{"id":"call_tky00001","name":"get_weather","arguments":{"city":"Tokyo"}}}\n' +
        " weather.\n" +
        '{"tool_call":{"id":"call_zrh00002","name":"get_weather","arguments":{"city":"Zürich"}}}\n',
    );
    assert.deepEqual(w.chatBodies()[0]?.tools, [WEATHER]);

    const json = await w.run(["chat", "-m", "qwen3:8b", "--tools", tools, "--json", "Weather?"]);
    const events = jsonLines(json.stdout);
    assert.deepEqual(events.filter((e) => e.type === "tool_call"), [
      { type: "tool_call", id: "call_tky00001", name: "get_weather", arguments: { city: "Tokyo" } },
      { type: "tool_call", id: "call_zrh00002", name: "get_weather", arguments: { city: "Zürich" } },
    ]);
    assert.equal(events.at(-1)?.stopReason, "tool_calls");
  });
});

test("two tool calls in one chunk from a server that sends no ids: both printed, ids made up", async () => {
  const reply: Reply = {
    toolCalls: [
      { name: "get_weather", arguments: { city: "Oslo" }, chunk: 0 },
      { name: "get_weather", arguments: { city: "Lima" }, chunk: 0 },
    ],
  };
  await world({ version: "0.11.0", replies: { "qwen3:8b": reply } }, async (w) => {
    const tools = await w.file("tools.json", JSON.stringify([WEATHER]));
    const r = await w.run(["chat", "-m", "qwen3:8b", "--tools", tools, "Weather?"]);
    assert.equal(r.code, 0, r.stderr);
    // Ollama's shape (call_ + 8 letters/digits), random: ids restarting at call_0 each request collide across turns.
    const calls = r.stdout.trim().split("\n").map((l) => JSON.parse(l).tool_call);
    assert.deepEqual(calls.map((c) => c.arguments), [{ city: "Oslo" }, { city: "Lima" }]);
    for (const c of calls) assert.match(c.id, /^call_[a-z0-9]{8}$/);
    assert.notEqual(calls[0].id, calls[1].id);
  });
});

test("a tool call when no tools were declared ends the run: printed as a call, nothing asked again", async () => {
  const reply: Reply = { content: "Let me check.", toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" }, id: "call_osl00001" }] };
  await world({ version: "0.12.10", replies: { "qwen3:8b": reply } }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "Weather?"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Let me check.\n{"tool_call":{"id":"call_osl00001","name":"get_weather","arguments":{"city":"Oslo"}}}\n');
    assert.equal(w.chatBodies().length, 1);
    const json = await w.run(["chat", "-m", "qwen3:8b", "--json", "Weather?"]);
    assert.equal(jsonLines(json.stdout).at(-1)?.stopReason, "tool_calls");
    assert.equal(w.chatBodies().length, 2);
  });
});

test("a bad --tools file is a usage error naming the problem", async () => {
  await world({}, async (w) => {
    const tools = await w.file("tools.json", JSON.stringify([{ type: "function", function: { description: "x" } }]));
    const r = await w.run(["chat", "-m", "qwen3:8b", "--tools", tools, "Hi"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^oclaw: Invalid --tools file .*tools\.json: \[0\]\.function\.name: /);
    assert.equal(w.chatBodies().length, 0);
  });
});

test("a mid-stream error: the text so far, then exit 1 with the server's message; --json ends with the error event", async () => {
  const reply: Reply = { content: "one two three", midStreamError: { afterChunks: 2 } };
  await world({ replies: { "*": reply } }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "Count"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "one two\n");
    assert.equal(
      r.stderr,
      `oclaw: Ollama at ${w.server.url} failed mid-stream: an error was encountered while running the model\n`,
    );
    const json = await w.run(["chat", "-m", "qwen3:8b", "--json", "Count"]);
    assert.equal(json.code, 1);
    assert.deepEqual(jsonLines(json.stdout).at(-1), {
      type: "error",
      code: "E_STREAM",
      message: `Ollama at ${w.server.url} failed mid-stream: an error was encountered while running the model`,
    });
    assert.match(json.stderr, /^oclaw: Ollama at .* failed mid-stream/);
  });
});

test("a stream cut before done:true fails with E_STREAM (exit 1), never passes as success", async () => {
  await world({ tokenDelayMs: 20, replies: { "*": { content: "one two three", truncate: { afterChunks: 2 } } } }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "--json", "Count"]);
    assert.equal(r.code, 1);
    const last = jsonLines(r.stdout).at(-1);
    assert.equal(last?.type, "error");
    assert.equal(last?.code, "E_STREAM");
    assert.match(String(last?.message), /stream ended before done/);
  });
});

test("done_reason length is reported as stopReason length", async () => {
  await world({ replies: { "*": { content: "Once upon a", doneReason: "length" } } }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "--json", "Tell a story"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(jsonLines(r.stdout).at(-1)?.stopReason, "length");
  });
});

test("--stats prints what 'ollama run --verbose' prints, on stderr", async () => {
  const metrics = {
    total_duration: 5_589_157_167,
    load_duration: 3_013_701_500,
    prompt_eval_count: 46,
    prompt_eval_duration: 1_160_282_000,
    eval_count: 113,
    eval_duration: 1_325_948_000,
  };
  await world({ replies: { "*": { content: "Hi", metrics } } }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "--stats", "Hi"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Hi\n");
    const lines = r.stderr.split("\n");
    assert.deepEqual(lines.slice(0, 8), [
      "total duration:       5.589157167s",
      "load duration:        3.0137015s",
      "prompt eval count:    46 token(s)",
      "prompt eval duration: 1.160282s",
      "prompt eval rate:     39.65 tokens/s",
      "eval count:           113 token(s)",
      "eval duration:        1.325948s",
      "eval rate:            85.22 tokens/s",
    ]);
  });
});

test("3 s before the headers (a cold load) with a 1 s idle timeout still succeeds", async () => {
  await world({ headerDelayMs: 3000, replies: { "*": { content: "Loaded at last" } } }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "--idle-timeout", "1", "Hi"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Loaded at last\n");
  });
});

test("a stall mid-stream fails with E_TIMEOUT after the idle timeout (exit 1), and the server sees the hang-up", async () => {
  await world({ stallAfterChunks: 2, replies: { "*": { content: "one two three four" } } }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "--idle-timeout", "1", "--json", "Count"]);
    assert.equal(r.code, 1);
    const last = jsonLines(r.stdout).at(-1);
    assert.equal(last?.code, "E_TIMEOUT");
    assert.equal(last?.message, `Ollama at ${w.server.url}: no data for 1 s`);
    // The text that arrived before the stall, however the reads grouped it.
    assert.equal(jsonLines(r.stdout).filter((e) => e.type === "text").map((e) => e.text).join(""), "one two");
    await w.server.waitForDisconnect();
  });
});

test("--timeout ends the whole run with exit 124", async () => {
  await world({ headerDelayMs: 5000 }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "--timeout", "1", "Hi"]);
    assert.equal(r.code, 124);
    assert.match(r.stderr, /^oclaw: No complete answer within 1 s \(--timeout\)/);
    await w.server.waitForDisconnect();
  });
});

/** Runs `oclaw ARGS | head -1` in a real shell pipe; resolves with oclaw's exit code, its stderr and head's output. */
function pipedIntoHead(args: string[], env: Record<string, string>): Promise<CliResult> {
  const [program, pre] = oclawCommand();
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", '"$@" | head -1; exit "${PIPESTATUS[0]}"', "pipe", program, ...pre, ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`oclaw | head -1 did not finish; stderr: ${stderr}`));
    }, 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

test("| head -1: the request is aborted, no error text, exit 0", async () => {
  const lines = Array.from({ length: 500 }, (_, i) => `line ${i}\n`);
  await world({ tokenDelayMs: 10, replies: { "*": { content: lines } } }, async (w) => {
    const r = await pipedIntoHead(["chat", "-m", "qwen3:8b", "Count"], w.env);
    assert.equal(r.stdout, "line 0\n");
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    await w.server.waitForDisconnect();
  });
});

test("stdout on a full disk: the request stops, the loss is an error (E_WRITE, exit 1), not a quiet exit 0", async () => {
  const lines = Array.from({ length: 500 }, (_, i) => `line ${i}\n`);
  await world({ tokenDelayMs: 5, replies: { "*": { content: lines } } }, async (w) => {
    const full = fs.openSync("/dev/full", "w");
    try {
      const r = await w.run(["chat", "-m", "qwen3:8b", "Count"], { stdoutFd: full });
      assert.equal(r.code, 1);
      assert.equal(r.stderr, "oclaw: Cannot write to stdout: no space left on device\n");
    } finally {
      fs.closeSync(full);
    }
    await w.server.waitForDisconnect();
  });
});

test("Ctrl-C (SIGINT): the request is aborted, the server sees the disconnect, exit 130", async () => {
  const tokens = Array.from({ length: 1000 }, (_, i) => `t${i} `);
  await world({ tokenDelayMs: 10, replies: { "*": { content: tokens } } }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "Count"], {
      onSpawn(child) {
        // process.kill, not child.kill: Deno's child_process reports a child.kill()ed child as killed by the
        // signal even when it handled it and exited with its own code.
        child.stdout!.once("data", () => process.kill(child.pid!, "SIGINT"));
      },
    });
    assert.equal(r.code, 130);
    assert.match(r.stdout, /^t0 /);
    assert.match(r.stderr, /^oclaw: Interrupted\n$/);
    await w.server.waitForDisconnect();
    assert.equal(w.server.disconnects, 1);
  });
});

test("tokens reach stdout as they arrive: visible while the server is still mid-reply", async () => {
  // The server sends two tokens, then holds the reply open; they must already be on stdout.
  await world({ stallAfterChunks: 2, replies: { "*": { content: "one two three" } } }, async (w) => {
    let seen = "";
    const r = await w.run(["chat", "-m", "qwen3:8b", "--idle-timeout", "0", "Count"], {
      onSpawn(child) {
        child.stdout!.on("data", (d: Uint8Array | string) => {
          seen += String(d);
          if (seen === "one two") process.kill(child.pid!, "SIGINT");
        });
      },
    });
    assert.equal(r.stdout, "one two\n", "the final newline comes from the interrupted run tidying up");
    assert.equal(r.code, 130);
  });
});

const LONG_PROMPT = "Summarize the following log.\n" + "2025-07-07 12:00:00 worker[42]: processed batch ok\n".repeat(400);

test("a long prompt against a 4096-token context: W_TRUNCATED with the fix, on stderr and as an event", async () => {
  await world({}, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "--json", LONG_PROMPT]);
    assert.equal(r.code, 0, r.stderr);
    const warning = jsonLines(r.stdout).find((e) => e.type === "warning");
    assert.equal(warning?.code, "W_TRUNCATED");
    assert.match(String(warning?.message), /~5\d{3} tokens.*4096/);
    assert.match(String(warning?.message), /params\.num_ctx/);
    assert.match(String(warning?.message), /OLLAMA_CONTEXT_LENGTH/);
    assert.match(r.stderr, /^oclaw: warning: The prompt \(~5\d{3} tokens\) is likely longer than/m);
    // The warning comes before the reply.
    const types = jsonLines(r.stdout).map((e) => e.type);
    assert.ok(types.indexOf("warning") < types.indexOf("text"));
  });
});

test("no warning when the loaded model has room (/api/ps), or when params.num_ctx is large enough (sent as options)", async () => {
  const metrics = { prompt_eval_count: 5300 };
  await world({ ps: [{ name: "qwen3:8b", context_length: 16384 }], replies: { "*": { content: "ok", metrics } } }, async (w) => {
    const loaded = await w.run(["chat", "-m", "qwen3:8b", LONG_PROMPT]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stderr, "");
    assert.ok(w.server.requests.some((r) => r.path === "/api/ps"));

    const config = await w.file(
      "openclaw.json",
      `{ agents: { defaults: { models: { "ollama/qwen3:8b": { params: { num_ctx: 16384, temperature: 0.1 } } } } } }`,
    );
    w.server.set({ ps: [] });
    const configured = await w.run(["chat", "--config", config, "-m", "qwen3:8b", LONG_PROMPT]);
    assert.equal(configured.code, 0, configured.stderr);
    assert.equal(configured.stderr, "");
    assert.deepEqual(w.chatBodies().at(-1)?.options, { num_ctx: 16384, temperature: 0.1 });
  });
});

test("after the reply: far fewer prompt tokens evaluated than sent is W_TRUNCATED too", async () => {
  const metrics = { prompt_eval_count: 2048 };
  await world({ replies: { "*": { content: "ok", metrics } } }, async (w) => {
    const config = await w.file(
      "openclaw.json",
      `{ agents: { defaults: { models: { "ollama/qwen3:8b": { params: { num_ctx: 16384 } } } } } }`,
    );
    const r = await w.run(["chat", "--config", config, "-m", "qwen3:8b", LONG_PROMPT]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^oclaw: warning: ollama\/qwen3:8b read only 2048 prompt tokens of about 5\d{3} sent/m);
  });
});
