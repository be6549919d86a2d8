/**
 * Terminal-safe output: control sequences a server sends (OSC 52 clipboard writes, OSC 8 links, ESC[2J,
 * BEL, the C1 CSI) reach a terminal as visible text, in the reply, the thinking, model names and error
 * messages; off a terminal the reply stays byte for byte and stderr's messages are still neutralised. The
 * terminal cases run the compiled binary (or the source) under `script`, on a real pseudo-terminal.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { capturedStream } from "./support/memory-io.ts";
import { neutralizeControls, oneLine, paint, renderOutput, StyledText } from "../lib/terminal.ts";
import { oclawCommand, ROOT, spawnOclaw } from "./support/cli.ts";
import { fixtureModel } from "./support/fake-ollama.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

/** Everything hostile at once: OSC 52 (clipboard), OSC 8 (a link), clear screen, BEL, C1 CSI. */
const HOSTILE = "A\x1b]52;c;SGVsbG8=\x07B\x1b]8;;http://evil.invalid/\x1b\\link\x1b]8;;\x1b\\C\x1b[2JD\x07E\u009b31mF";
const SHOWN = "A^[]52;c;SGVsbG8=^GB^[]8;;http://evil.invalid/^[\\link^[]8;;^[\\C^[[2JD^GE\\x9b31mF";

// deno-lint-ignore no-control-regex -- the raw controls are what must not reach the terminal
const RAW_CONTROL = /\x1b\]|\x1b\[2J|\x07|\u009b/;

test("neutralizeControls shows C0, DEL and C1 visibly and keeps newline and tab", () => {
  assert.equal(neutralizeControls(HOSTILE), SHOWN);
  assert.equal(neutralizeControls("a\tb\nc\r\x00\x7f"), "a\tb\nc^M^@^?");
  assert.equal(oneLine("two\nlines\t\x1b"), "two\\nlines\\t^[");
});

test("the edge: oclaw's own styles only to a terminal; text neutralised on a terminal and on stderr", () => {
  const styled = new StyledText([...paint("bold", "NAME"), " ", HOSTILE]);
  assert.equal(renderOutput(styled, { neutralize: true, styles: true }), `\x1b[1mNAME\x1b[0m ${SHOWN}`);
  assert.equal(renderOutput(styled, { neutralize: false, styles: false }), `NAME ${HOSTILE}`);
  const tty = capturedStream(true);
  void tty.write(HOSTILE);
  assert.equal(tty.text(), SHOWN);
  const pipe = capturedStream(false);
  void pipe.write(HOSTILE);
  assert.equal(pipe.text(), HOSTILE, "a pipe gets the bytes as sent");
  const stderr = capturedStream(false, undefined, true);
  void stderr.write(HOSTILE);
  assert.equal(stderr.text(), SHOWN, "stderr is always neutralised");
});

/** Runs oclaw under `script` on a pseudo-terminal; resolves with everything the terminal received. */
async function onTerminal(dir: string, args: string[], env: Record<string, string>): Promise<string> {
  const [program, pre] = oclawCommand();
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const runner = path.join(dir, "run.sh");
  await writeFile(runner, `exec ${[program, ...pre, ...args].map(quote).join(" ")}\n`);
  return await new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", `sh ${quote(runner)}`, "/dev/null"], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", TERM: "xterm", ...env },
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`script ${args.join(" ")} did not end: ${out}`));
    }, 30_000);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(out.replace(/\r\n/g, "\n"));
    });
  });
}

test("on a terminal: reply, thinking, model names and error messages cannot drive it; pipes get the real bytes", async () => {
  const evil = { ...fixtureModel("qwen3:8b"), name: "evil\x1b]52;c;AAAA\x07\nname:7b" };
  const replies = {
    "qwen3:8b": { thinking: [`think${HOSTILE}`], content: [HOSTILE] },
    "llama3.2:3b": { error: { status: 500, message: `boom ${HOSTILE}` } },
  };
  await withFakeOllama({ replies, models: [fixtureModel("qwen3:8b"), fixtureModel("llama3.2:3b"), evil] }, (server) =>
    withTempDir("terminal", async (dir) => {
      const env = { HOME: dir, OLLAMA_HOST: server.url, OLLAMA_API_KEY: "ollama-local", XDG_CACHE_HOME: path.join(dir, "cache") };
      const chat = await onTerminal(dir, ["chat", "-m", "qwen3:8b", "--think", "--show-thinking", "hi"], env);
      assert.doesNotMatch(chat, RAW_CONTROL, JSON.stringify(chat));
      assert.ok(chat.includes(`think${SHOWN}`), JSON.stringify(chat));
      assert.ok(chat.includes(SHOWN));

      const failed = await onTerminal(dir, ["chat", "-m", "llama3.2:3b", "--no-fallback", "hi"], env);
      assert.doesNotMatch(failed, RAW_CONTROL, JSON.stringify(failed));
      assert.match(failed, /boom A\^\[\]52;/);

      const list = await onTerminal(dir, ["models", "list", "--all"], env);
      assert.doesNotMatch(list, RAW_CONTROL, JSON.stringify(list));
      // The name with a newline stays on one row of the table; the header is bold (oclaw's own style).
      assert.match(list, /^ollama\/evil\^\[\]52;c;AAAA\^G\\nname:7b {2}/m);
      assert.ok(list.includes("\x1b[1m"), "the header is styled on a terminal");
      const plain = await onTerminal(dir, ["models", "list", "--all", "--plain"], env);
      assert.match(plain, /^ollama\/evil\^\[\]52;c;AAAA\^G\\nname:7b$/m);

      // Off a terminal: the reply byte for byte, the thinking and messages on stderr neutralised.
      const piped = await spawnOclaw(["chat", "-m", "qwen3:8b", "--think", "--show-thinking", "hi"], { env });
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal(piped.stdout, `${HOSTILE}\n`);
      assert.equal(piped.stderr, `think${SHOWN}\n`);
      const pipedError = await spawnOclaw(["chat", "-m", "llama3.2:3b", "--no-fallback", "hi"], { env });
      assert.doesNotMatch(pipedError.stderr, RAW_CONTROL);
      const pipedPlain = await spawnOclaw(["models", "list", "--all", "--plain"], { env });
      assert.equal(pipedPlain.stdout.split("\n").filter((l) => l.startsWith("ollama/evil")).length, 1);
    }));
});
