/**
 * What chat shows on a terminal and nowhere else (issue 15 §11): a spinner with the elapsed time on stderr
 * while the model loads, erased at the first token, and `--show-thinking` text in dim italic. Run under
 * `script` (a real pseudo-terminal) against the binary; the same run piped has none of it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import process from "node:process";
import { oclawCommand, spawnOclaw } from "./support/cli.ts";
import { startFakeOllama } from "./support/fake-ollama.ts";

const hasScript = spawnSync("script", ["-qc", "true", "/dev/null"]).status === 0;

/** Runs oclaw with a pseudo-terminal as stdin, stdout and stderr; returns everything the terminal got. */
function onTerminal(args: string[], env: Record<string, string>): Promise<string> {
  const [program, pre] = oclawCommand();
  const quote = (a: string) => `'${a.replaceAll("'", `'\\''`)}'`;
  const line = [program, ...pre, ...args].map(quote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", line, "/dev/null"], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/nonexistent-home", TERM: "xterm", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.on("error", reject);
    child.on("close", () => resolve(out));
  });
}

test("on a terminal: a spinner while the model loads, then dim italic thinking; piped: neither", { skip: !hasScript && "no script(1)", timeout: 60_000 }, async () => {
  // A cold load: the answer starts after 1.5 s.
  const server = await startFakeOllama({ headerDelayMs: 1500, replies: { "*": { thinking: "Let me think.", content: "Hi there" } } });
  try {
    const env = { OLLAMA_API_KEY: "x", OLLAMA_HOST: server.url };
    const screen = await onTerminal(["chat", "-m", "qwen3:8b", "--show-thinking", "hi"], env);
    assert.match(screen, /waiting for ollama\/qwen3:8b 0s/);
    assert.match(screen, /waiting for ollama\/qwen3:8b 1s/);
    // Erased (CR, erase line) before the first output, and never drawn again after it.
    const lastFrame = screen.lastIndexOf("waiting for");
    const erased = screen.indexOf("\r\x1b[K", lastFrame);
    assert.ok(erased > lastFrame);
    assert.ok(screen.indexOf("Hi") > erased && screen.indexOf("Let") > erased, JSON.stringify(screen.slice(lastFrame - 20)));
    assert.ok(screen.includes("\x1b[2m\x1b[3mLet"), "thinking in dim italic");

    const piped = await spawnOclaw(["chat", "-m", "qwen3:8b", "--show-thinking", "hi"], { env });
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout, "Hi there\n");
    assert.equal(piped.stderr, "Let me think.\n");
    const quiet = await onTerminal(["chat", "-q", "-m", "qwen3:8b", "hi"], env);
    assert.doesNotMatch(quiet, /waiting for/);
  } finally {
    await server.close();
  }
});
