/**
 * `oclaw help [COMMAND...]` is `oclaw COMMAND --help`; `oclaw help --man` is the manual page; a mistyped
 * command gets a "did you mean".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { spawnOclaw } from "./support/cli.ts";

test("oclaw help chat prints what oclaw chat --help prints", { timeout: 60_000 }, async () => {
  const [a, b] = await Promise.all([spawnOclaw(["help", "chat"]), spawnOclaw(["chat", "--help"])]);
  assert.equal(a.code, 0);
  assert.equal(a.stdout, b.stdout);
  assert.match(a.stdout, /^Send a prompt/);
  const [c, d] = await Promise.all([spawnOclaw(["help", "models", "list"]), spawnOclaw(["models", "list", "--help"])]);
  assert.equal(c.stdout, d.stdout);
  const root = await spawnOclaw(["help"]);
  assert.equal(root.code, 0);
  assert.match(root.stdout, /^oclaw: talk to Ollama/);
  assert.match(root.stdout, /\n {2}help {8}Help for a command/);
});

test("a mistyped command: did you mean, exit 2", { timeout: 60_000 }, async () => {
  const r = await spawnOclaw(["chta", "hi"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "oclaw: Unknown command 'chta'\nhint: Did you mean 'chat'?\n");
  const sub = await spawnOclaw(["models", "lsit"]);
  assert.equal(sub.stderr, "oclaw: Unknown command 'models lsit'\nhint: Did you mean 'models list'?\n");
  const help = await spawnOclaw(["help", "doctr"]);
  assert.equal(help.code, 2);
  assert.equal(help.stderr, "oclaw: Unknown command 'doctr'\nhint: Did you mean 'doctor'?\n");
  // Nothing close: the list of commands.
  const far = await spawnOclaw(["frobnicate"]);
  assert.equal(far.stderr, "oclaw: Unknown command 'frobnicate'\nhint: Run 'oclaw --help' for the list of commands\n");
});

test("oclaw help --man is a manual page with every command and flag", { timeout: 60_000 }, async () => {
  const r = await spawnOclaw(["help", "--man"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^\.TH OCLAW 1 /);
  for (const word of ["oclaw chat", "oclaw models list", "oclaw health", "oclaw completion", "\\-\\-show\\-thinking", "\\-\\-no\\-color"]) {
    assert.ok(r.stdout.includes(word), word);
  }
  // Rendered by man where it is installed: no roff warnings.
  if (spawnSync("man", ["--version"]).status === 0) {
    const man = spawnSync("man", ["-l", "-"], { input: r.stdout, encoding: "utf8", env: { ...process.env, MANWIDTH: "80", MAN_KEEP_FORMATTING: "" } });
    assert.equal(man.status, 0, man.stderr);
    assert.equal(man.stderr, "");
    assert.match(man.stdout, /--idle-timeout SECONDS/);
  }
});
