/**
 * Every wait ends: one SIGINT / SIGTERM / SIGHUP ends a run blocked reading stdin, waiting for the config's
 * lock or reading a FIFO named by `$include` (exit 130 / 143 / 129), and `--timeout` covers reading stdin
 * (exit 124). stdin redirected from a file is read from the offset the shell left, as `cat` does. Real
 * processes (the compiled binary under `npm test`), real FIFOs, real signals — sent with process.kill on the
 * child's pid: Deno's ChildProcess.kill reports the signal it sent as the way the child ended, whatever the
 * child's exit status was.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { oclawCommand, ROOT } from "./support/cli.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  ended: Promise<Ended>;
  /** Resolves once stderr has shown text matching `pattern`. */
  saw(pattern: RegExp): Promise<void>;
}

/** Starts oclaw (or `bash -c SCRIPT` with oclaw as "$@") with `stdin` as its descriptor 0. */
function start(args: string[], options: { env: Record<string, string>; stdin?: number | "ignore"; script?: string }): Running {
  const [program, pre] = oclawCommand();
  const argv = options.script === undefined ? [...pre, ...args] : ["-c", options.script, "bash", program, ...pre, ...args];
  const child = spawn(options.script === undefined ? program : "bash", argv, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
    cwd: ROOT,
    stdio: [options.stdin ?? "ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const watchers: Array<[RegExp, () => void]> = [];
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    for (const [pattern, resolve] of watchers) if (pattern.test(stderr)) resolve();
  });
  const ended = new Promise<Ended>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`oclaw ${args.join(" ")} did not end; stderr: ${stderr}`));
    }, 30_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    ended,
    saw: (pattern) => new Promise((resolve) => (pattern.test(stderr) ? resolve() : watchers.push([pattern, resolve]))),
  };
}

function mkfifo(file: string): void {
  assert.equal(spawnSync("mkfifo", [file]).status, 0);
}

/** A FIFO with a writer that never writes (`sleep 60 > fifo`): its reader waits forever. Returns [read fd, close]. */
function silentFifo(dir: string): [number, () => void] {
  const fifo = path.join(dir, "stdin.fifo");
  mkfifo(fifo);
  // Read-write: the open does not block, and a writer exists as long as this descriptor does.
  const fd = fs.openSync(fifo, "r+");
  return [fd, () => fs.closeSync(fd)];
}

/** Waits until some process has `fifo` open for reading (a non-blocking open for writing then succeeds). */
async function readerOpened(fifo: string): Promise<number> {
  for (;;) {
    try {
      return fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "ENXIO") throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

const CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

for (const [signal, code] of Object.entries(CODES) as Array<[keyof typeof CODES, number]>) {
  test(`one ${signal} ends chat waiting on stdin from a silent FIFO: exit ${code}`, async () => {
    await withTempDir("signals", async (dir) => {
      const [fd, close] = silentFifo(dir);
      try {
        const run = start(["chat", "-v", "-m", "qwen3:8b", "hi"], { env: { HOME: dir }, stdin: fd });
        await run.saw(/reading stdin/);
        process.kill(run.child.pid!, signal);
        const ended = await run.ended;
        assert.deepEqual([ended.code, ended.signal], [code, null], `${ended.code} ${ended.signal} ${ended.stderr}`);
        assert.match(ended.stderr, /^oclaw: Interrupted$/m);
      } finally {
        close();
      }
    });
  });
}

test("--timeout covers reading stdin: a silent FIFO gives exit 124", async () => {
  await withTempDir("signals", async (dir) => {
    const [fd, close] = silentFifo(dir);
    try {
      const run = start(["chat", "--timeout", "1", "-m", "qwen3:8b", "hi"], { env: { HOME: dir }, stdin: fd });
      const ended = await run.ended;
      assert.equal(ended.code, 124, ended.stderr);
      assert.match(ended.stderr, /^oclaw: No complete answer within 1 s \(--timeout\)/m);
    } finally {
      close();
    }
  });
});

test("SIGTERM ends config set waiting for a live writer's lock: exit 143, the file untouched", async () => {
  await withTempDir("signals", async (dir) => {
    const config = path.join(dir, "openclaw.json");
    await writeFile(config, "{}\n");
    // This test process holds the lock: alive, on this host, so never stale.
    await writeFile(`${config}.lock`, `held-by-test\npid ${process.pid}\nhost ${os.hostname()}\n`);
    const run = start(["--config", config, "config", "set", "a", "1", "-v"], { env: { HOME: dir } });
    await run.saw(/waiting for .*\.lock/);
    process.kill(run.child.pid!, "SIGTERM");
    const ended = await run.ended;
    assert.deepEqual([ended.code, ended.signal], [143, null], ended.stderr);
    assert.equal(fs.readFileSync(config, "utf8"), "{}\n");
  });
});

for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
  test(`${signal} ends config validate reading a FIFO named by $include: exit ${code}`, async () => {
    await withTempDir("signals", async (dir) => {
      const config = path.join(dir, "openclaw.json");
      await writeFile(config, '{ $include: "./part.json5" }\n');
      const fifo = path.join(dir, "part.json5");
      mkfifo(fifo);
      const run = start(["--config", config, "config", "validate"], { env: { HOME: dir } });
      // Once oclaw opened the FIFO, hold a writer that never writes: its read now waits for ever.
      const writer = await readerOpened(fifo);
      try {
        process.kill(run.child.pid!, signal);
        const ended = await run.ended;
        assert.deepEqual([ended.code, ended.signal], [code, null], `${ended.code} ${ended.signal} ${ended.stderr}`);
      } finally {
        fs.closeSync(writer);
      }
    });
  });
}

test("stdin from a file is read from the shell's offset, as cat does; a while-read loop sends each line once", async () => {
  await withFakeOllama({}, (server) =>
    withTempDir("signals", async (dir) => {
      const env = { HOME: dir, OLLAMA_HOST: server.url, OLLAMA_API_KEY: "ollama-local", XDG_CACHE_HOME: path.join(dir, "cache") };
      const three = path.join(dir, "three.txt");
      await writeFile(three, "first\nsecond\nthird\n");
      const contents = () =>
        server.requests.filter((r) => r.path === "/api/chat")
          .map((r) => ((r.body as { messages: Array<{ content: string }> }).messages.at(-1)!.content));
      const rest = await start(["chat", "-m", "qwen3:8b", "rest:"], { env, script: `{ read first; "$@"; } < '${three}'` }).ended;
      assert.equal(rest.code, 0, rest.stderr);
      assert.deepEqual(contents(), ["rest:\n\nsecond\nthird\n"]);

      // Like `cat` in the loop: the first run takes the rest of the list, the loop ends, no line goes twice.
      const loop = await start(["chat", "-m", "qwen3:8b"], {
        env,
        script: `n=0; while read f; do n=$((n+1)); "$@" "summarize $f"; done < '${three}'; echo "runs=$n" >&2`,
      }).ended;
      assert.equal(loop.code, 0, loop.stderr);
      assert.match(loop.stderr, /runs=1/);
      assert.deepEqual(contents().slice(1), ["summarize first\n\nsecond\nthird\n"]);
    }));
});
