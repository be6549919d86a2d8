/**
 * `oclaw completion bash|zsh|fish`: scripts generated from the flag tables, run in the real shells (zsh and
 * fish when installed: .ci/run installs them) against the binary; model refs from the config and the
 * discovery cache, never the network.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { oclawCommand, spawnOclaw } from "./support/cli.ts";
import { withTempDir } from "./support/temp-dir.ts";

const has = (shell: string) => spawnSync(shell, ["-c", "exit 0"]).status === 0;

/** A HOME with a config naming one model, a cache of an earlier discovery, and `oclaw` on PATH. */
async function setUp(dir: string): Promise<Record<string, string>> {
  const [program, pre] = oclawCommand();
  await writeFile(path.join(dir, "oclaw"), `#!/bin/sh\nexec ${[program, ...pre].map((a) => `'${a}'`).join(" ")} "$@"\n`);
  await chmod(path.join(dir, "oclaw"), 0o755);
  await writeFile(path.join(dir, "openclaw.json"), `{agents: {defaults: {model: {primary: "ollama/qwen3:8b"}}}}`);
  const cache = path.join(dir, "cache", "oclaw");
  await import("node:fs/promises").then((fs) => fs.mkdir(cache, { recursive: true }));
  // The cache layout of lib/catalog/cache.ts (format 2), for the default base URL.
  await writeFile(
    path.join(cache, "show-0000000000000000.json"),
    JSON.stringify({ format: 2, baseUrl: "http://127.0.0.1:9", models: { "llama3.3:70b": { digest: "d", show: {} } } }),
  );
  return {
    PATH: `${dir}:${process.env.PATH}`,
    HOME: dir,
    OPENCLAW_CONFIG_PATH: path.join(dir, "openclaw.json"),
    XDG_CACHE_HOME: path.join(dir, "cache"),
    OLLAMA_API_KEY: "x",
    // Nothing listens here: a completion that asked a server would fail or hang, not pass.
    OLLAMA_HOST: "127.0.0.1:9",
  };
}

function complete(shell: "bash" | "zsh" | "fish", script: string, line: string, env: Record<string, string>): string[] {
  const programs = {
    bash: ["bash", ["-c", `source '${script}'; COMP_LINE="$1"; COMP_POINT=\${#1}; _oclaw; printf '%s\\n' "\${COMPREPLY[@]}"`, "_", line]],
    // zsh's completion builtins exist only inside its completion system: stand-ins that print what is
    // offered and matches the word being completed, as compadd would.
    zsh: ["zsh", ["-fc", `offer() { local w; for w; do [[ $w == "\${words[CURRENT]}"* ]] && print -r -- $w; done; }
compdef() { :; }; compadd() { [[ $1 == -- ]] && shift; offer "$@"; }
_describe() { local -a items=("\${(@P)2}"); offer "\${items[@]%%:*}"; }; _files() { print FILES; }; compset() { :; }
source '${script}'; words=(\${=1}); [[ $1 == *' ' ]] && words+=(''); CURRENT=\${#words}; _oclaw; true`, "_", line]],
    fish: ["fish", ["-c", `source '${script}'; complete -C "$argv[1]" | string replace -r '\\t.*' ''; true`, line]],
  } as const;
  const [program, args] = programs[shell];
  const r = spawnSync(program, [...args], { env, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter((l) => l !== "");
}

for (const shell of ["bash", "zsh", "fish"] as const) {
  test(`${shell} completes commands, subcommands, flags, flag values and cached model refs`, { skip: !has(shell) && `${shell} is not installed`, timeout: 60_000 }, async () => {
    await withTempDir(`completion-${shell}`, async (dir) => {
      const env = await setUp(dir);
      const generated = await spawnOclaw(["completion", shell], { env });
      assert.equal(generated.code, 0, generated.stderr);
      const script = path.join(dir, `oclaw.${shell}`);
      await writeFile(script, generated.stdout);
      assert.deepEqual(complete(shell, script, "oclaw ch", env), ["chat"]);
      assert.deepEqual(complete(shell, script, "oclaw models ", env).sort(), ["discover", "list", "pull", "show"]);
      assert.ok(complete(shell, script, "oclaw models list --p", env).includes("--provider"));
      assert.deepEqual(complete(shell, script, "oclaw health --format ", env).sort(), ["json", "nagios", "prometheus", "text"]);
      assert.deepEqual(complete(shell, script, "oclaw chat -m ", env).sort(), ["ollama/llama3.3:70b", "ollama/qwen3:8b"]);
      assert.deepEqual(complete(shell, script, "oclaw --config x.json models show ollama/q", env), ["ollama/qwen3:8b"]);
    });
  });
}

test("completion --models lists configured and cached refs without asking a server", { timeout: 60_000 }, async () => {
  await withTempDir("completion-models", async (dir) => {
    const r = await spawnOclaw(["completion", "--models"], { env: await setUp(dir) });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "ollama/qwen3:8b\nollama/llama3.3:70b\n");
    assert.equal(r.stderr, "");
  });
});

test("completion with an unknown shell is a usage error", { timeout: 60_000 }, async () => {
  const r = await spawnOclaw(["completion", "tcsh"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^oclaw: Unknown shell 'tcsh'\nhint: Run 'oclaw completion bash'/);
});
