import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { runInProcess, spawnOclaw } from "./support/cli.ts";
import { withTempDir } from "./support/temp-dir.ts";

test("--version names version, commit, runtime and platform", async () => {
  const r = await spawnOclaw(["--version"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^oclaw \d+\.\d+\.\d+ \([^,]+, (bun|deno) [\d.]+, [a-z]+-[a-z0-9]+\)\n$/);
  assert.equal(r.stderr, "");
});

test("-V works after a command too (global flags anywhere)", async () => {
  const r = await runInProcess(["models", "-V"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^oclaw /);
});

test("an unknown command is a usage error with a hint, exit 2, no stack trace", async () => {
  const r = await spawnOclaw(["frobnicate"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "oclaw: Unknown command 'frobnicate'\nhint: Run 'oclaw --help' for the list of commands\n");
});

test("an unknown flag is a usage error naming the flag", async () => {
  const r = await runInProcess(["chat", "--frob"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^oclaw: Unknown option '--frob'\nhint: Run 'oclaw chat --help' for usage\n$/);
});

test("--help lists every command and the global flags, on stdout, exit 0", async () => {
  const r = await runInProcess(["--help"]);
  assert.equal(r.code, 0);
  for (const word of ["chat", "models", "config", "doctor", "health", "--config PATH", "--no-color"]) {
    assert.ok(r.stdout.includes(word), `help mentions ${word}`);
  }
});

test("no command: help on stderr (it is talk, not the data asked for) and exit 2", async () => {
  const r = await runInProcess([]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /Usage: oclaw <command>/);
});

test("every command's --help names its usage once, with the right command words", async () => {
  const { COMMANDS } = await import("../lib/commands/index.ts");
  for (const entry of COMMANDS) {
    const command = await entry.load();
    assert.equal(command.summary, entry.summary, "the --help list and the command's own help agree");
    for (const sub of command.subcommands ?? [command]) {
      const words = sub === command ? [command.name] : [command.name, sub.name];
      const r = await runInProcess([...words, "--help"]);
      assert.equal(r.code, 0, words.join(" "));
      const usage = r.stdout.split("\n").find((line) => line.startsWith("Usage: "));
      assert.ok(usage?.startsWith(`Usage: oclaw ${words.join(" ")}`), `${words.join(" ")}: ${usage}`);
      assert.ok(!usage?.includes(`${words.at(-1)} ${words.at(-1)}`), `${words.join(" ")} repeats a word: ${usage}`);
    }
  }
});

test("a .env file in the working directory changes nothing (the compiled binary does not autoload it)", async () => {
  await withTempDir("dotenv", async (dir) => {
    await writeFile(path.join(dir, ".env"), "OPENCLAW_CONFIG_PATH=/tmp/not-this.json\nOLLAMA_HOST=127.0.0.1:1\n");
    const r = await spawnOclaw(["config", "file"], { cwd: dir, env: { HOME: dir } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${path.join(dir, ".openclaw", "openclaw.json")}\n`);
  });
});
