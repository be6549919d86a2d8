/**
 * The tool loop end to end: oclaw (the binary under OCLAW_BIN) against the fake Ollama, with command tools
 * that are real /bin/sh scripts and an MCP server that is a real stdio process. Asserts what the user sees
 * and what the server received in each request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import type { FakeOllamaOptions, Reply } from "./support/fake-ollama.ts";
import { jsonLines } from "./support/json-lines.ts";
import { mcpFlag } from "./support/mcp-flag.ts";
import { type World, withWorld } from "./support/world.ts";

/** Each test starts several processes (oclaw, tools, MCP servers): more than bun's 5 s default under load. */
const SLOW = { timeout: 60_000 };

const weather = (command?: string[], extra: Record<string, unknown> = {}) => ({
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
  ...(command ? { command } : {}),
  ...extra,
});

const tool = (name: string, command: string[], extra: Record<string, unknown> = {}) => ({
  type: "function",
  function: { name, description: name, parameters: { type: "object", properties: {} } },
  command,
  ...extra,
});

// Reads the arguments from stdin and answers with them, the tool's name and call id, and whether the API
// key oclaw was given reached it.
const WEATHER_SH = `read -r args
echo "weather $args: sunny ($OCLAW_TOOL_NAME $OCLAW_TOOL_CALL_ID key=\${OLLAMA_API_KEY-unset})"
`;

/** The world of these tests: no config file, the ollama provider enabled by OLLAMA_HOST and OLLAMA_API_KEY. */
const toolWorld = (options: Partial<FakeOllamaOptions>, body: (w: World) => Promise<void>) => withWorld(options, body, { via: "env" });

const call = (name: string, args: Record<string, unknown>, id?: string) => ({ name, arguments: args, ...(id ? { id } : {}) });

test("a command tool runs: its output reaches the second request as a tool message, the final text is printed", SLOW, async () => {
  const replies: Record<string, Reply[]> = {
    "qwen3:8b": [{ content: "Let me look.", toolCalls: [call("get_weather", { city: "Tokyo" }, "call_tky00001")] }, { content: "Sunny in Tokyo." }],
  };
  await toolWorld({ version: "0.12.10", replies }, async (w) => {
    const script = await w.file("weather.sh", WEATHER_SH);
    const tools = await w.file("tools.json", JSON.stringify([weather(["/bin/sh", script])]));
    const r = await w.run(["chat", "-m", "qwen3:8b", "--tools", tools, "--yes", "Weather in Tokyo?"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Let me look.\nSunny in Tokyo.\n");
    const output = 'weather {"city":"Tokyo"}: sunny (get_weather call_tky00001 key=unset)\n';
    assert.equal(r.stderr, `→ get_weather {"city":"Tokyo"}\n← ${output.length} bytes\n`);
    const bodies = w.chatBodies();
    assert.equal(bodies.length, 2);
    assert.deepEqual(bodies[1]?.messages, [
      { role: "user", content: "Weather in Tokyo?" },
      {
        role: "assistant",
        content: "Let me look.",
        tool_calls: [{ id: "call_tky00001", function: { name: "get_weather", arguments: { city: "Tokyo" } } }],
      },
      { role: "tool", content: output, tool_name: "get_weather", tool_call_id: "call_tky00001" },
    ]);
    // The definition sent is the declaration alone: oclaw's "command" stays home.
    assert.deepEqual(bodies[0]?.tools, [weather()]);
  });
});

test("--json: a tool_result event after the tool_call, and one done for the whole run", SLOW, async () => {
  const replies: Record<string, Reply[]> = {
    "qwen3:8b": [{ toolCalls: [call("get_weather", { city: "Oslo" }, "call_osl00001")] }, { content: "Rain." }],
  };
  await toolWorld({ version: "0.12.10", replies }, async (w) => {
    const script = await w.file("weather.sh", 'printf "rainy"\n');
    const tools = await w.file("tools.json", JSON.stringify([weather(["/bin/sh", script])]));
    const r = await w.run(["chat", "--json", "-m", "qwen3:8b", "--tools", tools, "-y", "Weather?"]);
    assert.equal(r.code, 0, r.stderr);
    const events = jsonLines(r.stdout);
    assert.deepEqual(events.map((e) => e.type).filter((t) => t !== "text"), ["start", "tool_call", "tool_result", "done"]);
    assert.deepEqual(events.find((e) => e.type === "tool_result"), {
      type: "tool_result",
      id: "call_osl00001",
      name: "get_weather",
      ok: true,
      output: "rainy",
    });
    assert.equal(events.at(-1)?.stopReason, "stop");
  });
});

test("two calls in one turn both run; their results go back in call order", SLOW, async () => {
  const replies: Record<string, Reply[]> = {
    "qwen3:8b": [
      { toolCalls: [call("get_weather", { city: "Oslo" }, "call_a"), call("get_weather", { city: "Lima" }, "call_b")] },
      { content: "Done." },
    ],
  };
  await toolWorld({ version: "0.12.10", replies }, async (w) => {
    // Oslo's answer comes last: the order of the results is the order of the calls, not of finishing.
    const script = await w.file("w.sh", 'read -r a; case "$a" in *Oslo*) sleep 0.3;; esac; echo "$a"\n');
    const tools = await w.file("tools.json", JSON.stringify([weather(["/bin/sh", script])]));
    const r = await w.run(["chat", "-m", "qwen3:8b", "--tools", tools, "--yes", "Weather?"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Done.\n");
    const toolMessages = (w.chatBodies()[1]?.messages as Array<Record<string, unknown>>).filter((m) => m.role === "tool");
    assert.deepEqual(toolMessages.map((m) => [m.tool_call_id, m.content]), [
      ["call_a", '{"city":"Oslo"}\n'],
      ["call_b", '{"city":"Lima"}\n'],
    ]);
  });
});

test("a failing and a hanging tool give error results the model sees, and the run goes on", SLOW, async () => {
  const replies: Record<string, Reply[]> = {
    "qwen3:8b": [{ toolCalls: [call("fails", {}, "call_f"), call("hangs", {}, "call_h")] }, { content: "Both failed, sorry." }],
  };
  await toolWorld({ version: "0.12.10", replies }, async (w) => {
    const fails = await w.file("fails.sh", 'echo "partial"; echo "disk on fire" >&2; exit 3\n');
    const hangs = await w.file("hangs.sh", "sleep 60\n");
    const tools = await w.file(
      "tools.json",
      JSON.stringify([tool("fails", ["/bin/sh", fails]), tool("hangs", ["/bin/sh", hangs], { timeoutSeconds: 0.5 })]),
    );
    const r = await w.run(["chat", "-m", "qwen3:8b", "--tools", tools, "--yes", "Go"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Both failed, sorry.\n");
    assert.match(r.stderr, /← error: Tool fails failed with exit code 3\n/);
    assert.match(r.stderr, /← error: Tool hangs did not finish within 0.5 s and was stopped\n/);
    const [f, h] = (w.chatBodies()[1]?.messages as Array<Record<string, unknown>>).filter((m) => m.role === "tool");
    assert.equal(f?.content, "Tool fails failed with exit code 3\nstderr:\ndisk on fire\nstdout:\npartial");
    assert.equal(h?.content, "Tool hangs did not finish within 0.5 s and was stopped");
  });
});

test("--max-steps 1: the model still calling tools stops the run with E_MAX_STEPS, exit 1, nothing run", SLOW, async () => {
  await toolWorld({ version: "0.12.10", replies: { "*": { content: "Checking.", toolCalls: [call("get_weather", { city: "Rome" })] } } }, async (w) => {
    const marker = path.join(w.dir, "ran");
    const script = await w.file("w.sh", `touch '${marker}'; echo ok\n`);
    const tools = await w.file("tools.json", JSON.stringify([weather(["/bin/sh", script])]));
    const r = await w.run(["chat", "-m", "qwen3:8b", "--tools", tools, "--yes", "--max-steps", "1", "Weather?"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "Checking.\n", "what was done so far is kept");
    assert.match(r.stderr, /^→ get_weather \{"city":"Rome"\}\noclaw: Stopped after 1 request \(--max-steps 1\): the model still asked to run get_weather\nhint: Raise --max-steps/);
    assert.equal(w.chatBodies().length, 1);
    assert.equal(existsSync(marker), false);

    const json = await w.run(["chat", "--json", "-m", "qwen3:8b", "--tools", tools, "-y", "--max-steps", "1", "Weather?"]);
    assert.equal(json.code, 1);
    assert.equal(jsonLines(json.stdout).at(-1)?.code, "E_MAX_STEPS");
  });
});

test("an MCP server's tool is offered, called, and its result comes back; the server gets no oclaw keys", SLOW, async () => {
  const replies: Record<string, Reply[]> = {
    "qwen3:8b": [{ toolCalls: [call("add", { a: 2, b: 3 }, "call_add1"), call("env_keys", {}, "call_env1")] }, { content: "2 + 3 = 5" }],
  };
  await toolWorld({ version: "0.12.10", replies }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "--mcp", mcpFlag(), "--yes", "What is 2+3?"], {
      env: { SECRET_TOKEN: "do-not-pass" },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "2 + 3 = 5\n");
    const [first, second] = w.chatBodies();
    const offered = (first?.tools as Array<{ function: { name: string } }>).map((t) => t.function.name);
    assert.deepEqual(offered, ["add", "env_keys", "broken"]);
    const results = (second?.messages as Array<Record<string, unknown>>).filter((m) => m.role === "tool");
    assert.deepEqual(results[0], { role: "tool", content: "5", tool_name: "add", tool_call_id: "call_add1" });
    const keys = String(results[1]?.content).split(",");
    assert.ok(keys.includes("PATH") && keys.includes("HOME"), String(results[1]?.content));
    assert.equal(keys.includes("OLLAMA_API_KEY") || keys.includes("SECRET_TOKEN") || keys.includes("OLLAMA_HOST"), false);
  });
});

test("--mcp-config: servers in the mcpServers format; a name taken twice is an error naming both sources", SLOW, async () => {
  await toolWorld({ version: "0.12.10" }, async (w) => {
    const [command, ...args] = mcpFlag().split(" ").map((s) => s.slice(1, -1)) as [string, ...string[]];
    const config = await w.file("mcp.json", JSON.stringify({ mcpServers: { calc: { command, args } } }));
    const tools = await w.file("tools.json", JSON.stringify([tool("add", ["/bin/true"])]));
    const r = await w.run(["chat", "-m", "qwen3:8b", "--mcp-config", config, "--tools", tools, "--yes", "Hi"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^oclaw: Two tools are named add: one from --tools .*tools\.json, one from MCP server calc \(--mcp-config .*mcp\.json\)\n/);
    assert.equal(w.chatBodies().length, 0);

    const ok = await w.run(["chat", "-m", "qwen3:8b", "--mcp-config", config, "--yes", "Hi"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((w.chatBodies()[0]?.tools as unknown[]).length, 3);
  });
});

test("an MCP server that fails to start is E_TOOL (exit 1) with its stderr, and nothing is sent", SLOW, async () => {
  await toolWorld({ version: "0.12.10" }, async (w) => {
    const r = await w.run(["chat", "-m", "qwen3:8b", "--mcp", mcpFlag("--fail-init"), "--yes", "Hi"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^oclaw: MCP server .* did not start: .*fake MCP server: refusing to start/);
    assert.equal(w.chatBodies().length, 0);
    const missing = await w.run(["chat", "-m", "qwen3:8b", "--mcp", "/nonexistent/mcp-server --stdio", "--yes", "Hi"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^oclaw: MCP server mcp-server \(--mcp '\/nonexistent\/mcp-server --stdio'\) did not start: no such program\n/);
  });
});

test("off a terminal without --yes: E_USAGE before any request, nothing runs", SLOW, async () => {
  await toolWorld({ version: "0.12.10", replies: { "*": { toolCalls: [call("get_weather", { city: "Rome" })] } } }, async (w) => {
    const marker = path.join(w.dir, "ran");
    const script = await w.file("w.sh", `touch '${marker}'\n`);
    const tools = await w.file("tools.json", JSON.stringify([weather(["/bin/sh", script])]));
    const r = await w.run(["chat", "-m", "qwen3:8b", "--tools", tools, "Weather?"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^oclaw: tools would run unattended: pass --yes\n/);
    assert.equal(w.server.requests.length, 0, "nothing sent");
    assert.equal(existsSync(marker), false);
    const mcp = await w.run(["chat", "-m", "qwen3:8b", "--mcp", mcpFlag(), "Hi"]);
    assert.equal(mcp.code, 2);
    assert.equal(w.server.requests.length, 0);
  });
});

test("a call a small model wrote as text is promoted to a real call for a declared tool, and not printed", SLOW, async () => {
  const replies: Record<string, Reply[]> = {
    "qwen3:8b": [
      { content: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Tokyo"}}\n</tool_call>' },
      { content: "Sunny." },
    ],
  };
  await toolWorld({ version: "0.12.10", replies }, async (w) => {
    const script = await w.file("w.sh", 'read -r a; echo "sunny"\n');
    const tools = await w.file("tools.json", JSON.stringify([weather(["/bin/sh", script])]));
    const r = await w.run(["chat", "--json", "-m", "qwen3:8b", "--tools", tools, "--yes", "Weather?"]);
    assert.equal(r.code, 0, r.stderr);
    const events = jsonLines(r.stdout);
    const promoted = events.find((e) => e.type === "tool_call");
    assert.equal(promoted?.promoted, true);
    assert.deepEqual(promoted?.arguments, { city: "Tokyo" });
    assert.equal(events.filter((e) => e.type === "text").map((e) => e.text).join(""), "Sunny.");
    const messages = w.chatBodies()[1]?.messages as Array<Record<string, unknown>>;
    assert.deepEqual(messages.at(-1), { role: "tool", content: "sunny\n", tool_name: "get_weather", tool_call_id: promoted?.id });
  });
});

test("text that names no declared tool stays text", SLOW, async () => {
  const text = '{"name": "launch_rockets", "arguments": {"count": 3}}';
  await toolWorld({ version: "0.12.10", replies: { "*": { content: text } } }, async (w) => {
    const tools = await w.file("tools.json", JSON.stringify([weather(["/bin/true"])]));
    const r = await w.run(["chat", "-m", "qwen3:8b", "--tools", tools, "--yes", "Go"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, text + "\n");
    assert.equal(w.chatBodies().length, 1);
  });
});

test("--session keeps the tool messages; the next run sends them back", SLOW, async () => {
  const replies: Record<string, Reply[]> = {
    "qwen3:8b": [{ toolCalls: [call("get_weather", { city: "Oslo" }, "call_osl00001")] }, { content: "Rain." }, { content: "Still rain." }],
  };
  await toolWorld({ version: "0.12.10", replies }, async (w) => {
    const script = await w.file("w.sh", 'printf "rainy"\n');
    const tools = await w.file("tools.json", JSON.stringify([weather(["/bin/sh", script])]));
    const r = await w.run(["chat", "-m", "qwen3:8b", "--tools", tools, "-y", "--session", "trip", "Weather?"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = (await readFile(path.join(w.stateDir, "sessions", "trip.jsonl"), "utf8")).trim().split("\n");
    const roles = lines.map((l) => (JSON.parse(l) as { role: string }).role);
    assert.deepEqual(roles, ["user", "assistant", "tool", "assistant"]);
    const again = await w.run(["chat", "-m", "qwen3:8b", "--session", "trip", "And tomorrow?"]);
    assert.equal(again.code, 0, again.stderr);
    const sent = w.chatBodies()[2]?.messages as Array<Record<string, unknown>>;
    assert.deepEqual(sent.map((m) => m.role), ["user", "assistant", "tool", "assistant", "user"]);
    assert.deepEqual(sent[2], { role: "tool", content: "rainy", tool_name: "get_weather", tool_call_id: "call_osl00001" });
  });
});

test("fallback inside the loop: a model failing before output in step 2 hands the conversation to the next", SLOW, async () => {
  await toolWorld({
    version: "0.12.10",
    replies: (c) => {
      if (c.resolved === "qwen3:8b") {
        return c.turn === 0 ? { toolCalls: [call("get_weather", { city: "Oslo" }, "call_osl00001")] } : { error: { status: 500, message: "runner crashed" } };
      }
      return { content: "Rain, says the tool." };
    },
  }, async (w) => {
    const script = await w.file("w.sh", 'printf "rainy"\n');
    const tools = await w.file("tools.json", JSON.stringify([weather(["/bin/sh", script])]));
    const r = await w.run(["chat", "-m", "qwen3:8b", "-m", "llama3.2:3b", "--tools", tools, "-y", "Weather?"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Rain, says the tool.\n");
    assert.match(r.stderr, /oclaw: ollama\/qwen3:8b failed \(.*runner crashed.*\); trying ollama\/llama3.2:3b/);
    const bodies = w.chatBodies();
    assert.deepEqual(bodies.map((b) => b.model), ["qwen3:8b", "qwen3:8b", "llama3.2:3b"]);
    assert.deepEqual(bodies[2]?.messages, bodies[1]?.messages, "the conversation so far goes to the next model");
  });
});

test("the OpenAI-compatible client runs the loop too: role tool with tool_call_id", SLOW, async () => {
  const replies: Record<string, Reply[]> = {
    "qwen3:8b": [{ toolCalls: [call("get_weather", { city: "Oslo" }, "call_osl00001")] }, { content: "Rain." }],
  };
  await toolWorld({ version: "0.12.10", replies }, async (w) => {
    const script = await w.file("w.sh", 'printf "rainy"\n');
    const tools = await w.file("tools.json", JSON.stringify([weather(["/bin/sh", script])]));
    const config = await w.file("openclaw.json", JSON.stringify({
      models: { providers: { v1: { baseUrl: `${w.server.url}/v1`, api: "openai-completions", apiKey: "k", models: [{ id: "qwen3:8b" }] } } },
    }));
    const r = await w.run(["chat", "--config", config, "-m", "v1/qwen3:8b", "--tools", tools, "-y", "Weather?"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Rain.\n");
    const messages = w.chatBodies()[1]?.messages as Array<Record<string, unknown>>;
    assert.deepEqual(messages.at(-1), { role: "tool", content: "rainy", tool_call_id: "call_osl00001" });
    assert.deepEqual((messages.at(-2)?.tool_calls as unknown[])[0], {
      id: "call_osl00001",
      type: "function",
      function: { name: "get_weather", arguments: '{"city":"Oslo"}' },
    });
  });
});

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `file` exists and holds a pid. */
async function pidIn(file: string): Promise<number> {
  for (;;) {
    const text = existsSync(file) ? (await readFile(file, "utf8")).trim() : "";
    if (text !== "") return Number(text);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("Ctrl-C while a tool runs: the tool (and what it started) is killed, the MCP server stopped, exit 130", SLOW, async () => {
  await toolWorld({ version: "0.12.10", replies: { "*": { toolCalls: [call("hangs", {}, "call_h")] } } }, async (w) => {
    const toolPid = path.join(w.dir, "tool.pid");
    const serverPid = path.join(w.dir, "server.pid");
    const hangs = await w.file("hangs.sh", `echo $$ > '${toolPid}'; sleep 60 & wait\n`);
    const tools = await w.file("tools.json", JSON.stringify([tool("hangs", ["/bin/sh", hangs])]));
    let child: import("node:child_process").ChildProcess | undefined;
    const running = w.run(["chat", "-m", "qwen3:8b", "--tools", tools, "--mcp", mcpFlag("--pid-file", serverPid), "-y", "Go"], {
      onSpawn: (c) => (child = c),
    });
    const toolProcess = await pidIn(toolPid);
    const serverProcess = await pidIn(serverPid);
    assert.ok(alive(toolProcess) && alive(serverProcess));
    // process.kill, not child.kill: Deno's child_process reports a child.kill()ed child as killed by the
    // signal even when it handled it and exited with its own code.
    process.kill(child!.pid!, "SIGINT");
    const r = await running;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /oclaw: Interrupted\n/);
    assert.equal(alive(toolProcess), false, "the tool was killed");
    assert.equal(alive(serverProcess), false, "the MCP server was stopped");
  });
});
