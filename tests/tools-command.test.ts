/**
 * lib/tools/command.ts, toolbox.ts, consent.ts and mcp-config.ts in-process, with real child processes
 * (/bin/sh scripts): stdin, environment, the output cap, exit codes, timeouts, abort; consent; --mcp words.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { OclawError } from "../lib/errors.ts";
import { memoryIo } from "./support/memory-io.ts";
import { commandTools, type ToolEntry } from "../lib/tools/command.ts";
import { consent } from "../lib/tools/consent.ts";
import { mcpFlagSpec, readMcpConfig, splitWords } from "../lib/tools/mcp-config.ts";
import { toolEnv } from "../lib/tools/open.ts";
import { OUTPUT_CAP, toolBox } from "../lib/tools/toolbox.ts";
import { withTempDir } from "./support/temp-dir.ts";

const entry = (name: string, command?: string[], timeoutSeconds?: number): ToolEntry => ({
  type: "function",
  function: { name },
  ...(command ? { command } : {}),
  ...(timeoutSeconds ? { timeoutSeconds } : {}),
});

const context = (signal = new AbortController().signal) => ({ signal, id: "call_test0001" });

async function withScript(body: string, run: (script: string, dir: string) => Promise<void>): Promise<void> {
  await withTempDir("tool", async (dir) => {
    const script = path.join(dir, "tool.sh");
    await writeFile(script, body);
    await run(script, dir);
  });
}

test("a command tool gets the arguments on stdin and its name and call id in the environment", async () => {
  await withScript('read -r a; printf "%s|%s|%s|%s" "$a" "$OCLAW_TOOL_NAME" "$OCLAW_TOOL_CALL_ID" "$FROM_CALLER"', async (script, dir) => {
    const tools = commandTools([entry("t", ["/bin/sh", script])], { env: { PATH: "/usr/bin:/bin", FROM_CALLER: "yes" }, cwd: dir, file: "t.json" });
    assert.equal(tools.runs("t"), true);
    assert.deepEqual(await tools.call("t", { x: [1, "é"] }, context()), {
      ok: true,
      output: '{"x":[1,"é"]}|t|call_test0001|yes',
    });
  });
});

test("output past 64 KiB is cut and marked; a non-zero exit gives the code and stderr's tail", async () => {
  await withScript(`head -c ${OUTPUT_CAP + 10} /dev/zero | tr '\\0' x; echo oops >&2; exit 4`, async (script, dir) => {
    const tools = commandTools([entry("t", ["/bin/sh", script])], { env: { PATH: "/usr/bin:/bin" }, cwd: dir, file: "t.json" });
    const result = await tools.call("t", {}, context());
    assert.equal(result.ok, false);
    assert.match(result.output, /^Tool t failed with exit code 4\nstderr:\noops\nstdout:\nx{65536}\n\[output cut: 65546 bytes, only the first 65536 bytes kept\]$/);
  });
});

test("a hanging tool is killed at its timeout, with what it started; an abort stops it with the abort's reason", async () => {
  await withScript("sleep 60 & wait", async (script, dir) => {
    const tools = commandTools([entry("t", ["/bin/sh", script], 0.2)], { env: { PATH: "/usr/bin:/bin" }, cwd: dir, file: "t.json" });
    assert.deepEqual(await tools.call("t", {}, context()), { ok: false, output: "Tool t did not finish within 0.2 s and was stopped" });
    const controller = new AbortController();
    const reason = new OclawError("E_ABORTED", "Interrupted");
    const running = tools.call("t", {}, context(controller.signal));
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(running, (e) => e === reason);
  });
});

test("a program that cannot be started is E_TOOL naming the tool and the file", async () => {
  const tools = commandTools([entry("t", ["/nonexistent/prog"])], { env: {}, cwd: "/", file: "tools.json" });
  await assert.rejects(tools.call("t", {}, context()), (e: unknown) =>
    e instanceof OclawError && e.code === "E_TOOL" && e.message === "Cannot run tool t (/nonexistent/prog): no such program");
});

test("tool environments never hold oclaw's secrets", () => {
  assert.deepEqual(toolEnv({ PATH: "/bin", OLLAMA_API_KEY: "sk-1", OTHER: "sk-1", KEEP: "x" }, ["sk-1"]), { PATH: "/bin", KEEP: "x" });
});

test("the tool box: declared-only entries do not run, unknown names are error results, duplicates name both sources", async () => {
  const a = commandTools([entry("x", ["/bin/true"]), entry("declared")], { env: {}, cwd: "/", file: "a.json" });
  const box = toolBox([a]);
  assert.equal(box.runnable, true);
  assert.equal(box.runs("declared"), false);
  assert.deepEqual(await box.call("nope", {}, context()), { ok: false, output: "There is no tool named nope; the tools are: x, declared" });
  const b = commandTools([entry("x", ["/bin/true"])], { env: {}, cwd: "/", file: "b.json" });
  assert.throws(() => toolBox([a, b]), (e: unknown) =>
    e instanceof OclawError && e.code === "E_USAGE" && e.message === "Two tools are named x: one from --tools a.json, one from --tools b.json");
});

test("consent: --yes approves, a terminal is asked per call, off a terminal it is a usage error", async () => {
  const signal = new AbortController().signal;
  assert.equal(await consent(memoryIo(), true)("t", {}, signal), true);
  assert.throws(() => consent(memoryIo({ stdinIsTTY: true }), false), /tools would run unattended: pass --yes/);
  const tty = { ...memoryIo({ stdinIsTTY: true }), stderr: { ...memoryIo().stderr, isTTY: true } };
  const asked: string[] = [];
  const answers = ["y", "", "yes"];
  const approve = consent(tty, false, (q) => {
    asked.push(q);
    return Promise.resolve(answers.shift());
  });
  assert.deepEqual(await Promise.all([approve("a", { n: 1 }, signal), approve("b", {}, signal), approve("c", {}, signal)]), [true, false, true]);
  assert.deepEqual(asked, ['run a {"n":1}? [y/N] ', "run b {}? [y/N] ", "run c {}? [y/N] "]);
});

test("--mcp words split like a shell's plain words and quotes", () => {
  assert.deepEqual(splitWords(`npx -y "@scope/server" --root '/my dir' a\\ b ""`), ["npx", "-y", "@scope/server", "--root", "/my dir", "a b", ""]);
  assert.throws(() => splitWords("cmd 'open"), /Unclosed ' in --mcp/);
  assert.throws(() => splitWords("   "), /--mcp needs a command/);
  assert.deepEqual(mcpFlagSpec("/usr/bin/weather-mcp --stdio"), {
    name: "weather-mcp",
    command: "/usr/bin/weather-mcp",
    args: ["--stdio"],
    env: {},
    origin: "--mcp '/usr/bin/weather-mcp --stdio'",
  });
});

test("--mcp-config: the mcpServers format; disabled entries skipped; url-only servers refused", async () => {
  await withTempDir("mcp", async (dir) => {
    const file = path.join(dir, "mcp.json");
    await writeFile(file, JSON.stringify({
      mcpServers: {
        fs: { command: "mcp-fs", args: ["/data"], env: { TOKEN: "t" }, type: "stdio" },
        off: { command: "x", disabled: true },
      },
    }));
    assert.deepEqual(await readMcpConfig(dir, "mcp.json"), [
      { name: "fs", command: "mcp-fs", args: ["/data"], env: { TOKEN: "t" }, origin: "--mcp-config mcp.json" },
    ]);
    await writeFile(file, JSON.stringify({ mcpServers: { web: { url: "http://mcp.invalid/sse" } } }));
    await assert.rejects(readMcpConfig(dir, "mcp.json"), /MCP server web in mcp.json has no "command" \(servers reached by url are not supported\)/);
    await writeFile(file, JSON.stringify({ servers: {} }));
    await assert.rejects(readMcpConfig(dir, "mcp.json"), /Invalid --mcp-config file mcp.json: mcpServers: /);
  });
});
