/**
 * One definition per flag: every command's parser options, `--help` lines and completion come from its flag
 * table (lib/cli/flags.ts). These tests fail when the help text names a flag the parser does not know, or
 * the parser does not accept a flag the help lists.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Command, Flags } from "../lib/cli/command.ts";
import { flagSyntax } from "../lib/cli/flags.ts";
import { GLOBAL_FLAGS } from "../lib/cli/global-flags.ts";
import { COMMANDS } from "../lib/commands/index.ts";
import { spawnOclaw } from "./support/cli.ts";

/** Every runnable command with its path of names. */
async function allCommands(): Promise<Array<{ path: string[]; command: Command }>> {
  const out: Array<{ path: string[]; command: Command }> = [];
  const walk = (command: Command, path: string[]) => {
    out.push({ path, command });
    for (const sub of command.subcommands ?? []) walk(sub, [...path, sub.name]);
  };
  for (const entry of COMMANDS) {
    const command = await entry.load();
    walk(command, [command.name]);
  }
  return out;
}

function known(flags: Flags | undefined): Set<string> {
  const names = new Set<string>();
  for (const [name, flag] of Object.entries({ ...GLOBAL_FLAGS, ...flags })) {
    names.add(`--${name}`);
    if (flag.short !== undefined) names.add(`-${flag.short}`);
  }
  return names;
}

test("every flag a command's help text mentions is one its parser knows", { timeout: 60_000 }, async () => {
  for (const { path, command } of await allCommands()) {
    const texts = [command.usage, command.notes ?? "", command.json ?? "", ...Object.values(command.flags ?? {}).map((f) => f.help)];
    const names = known(command.flags);
    for (const text of texts) {
      for (const [word] of text.matchAll(/(?<![\w-])--?[a-zA-Z][\w-]*/g)) {
        // Another command's flag, named with that command (`oclaw doctor --probe`), is not this one's.
        if (/oclaw [a-z]+ [^\n]*$/.test(text.slice(0, text.indexOf(word)).split("\n").at(-1) ?? "")) continue;
        assert.ok(names.has(word), `'oclaw ${path.join(" ")} --help' mentions ${word}, which its parser does not know`);
      }
    }
  }
});

test("the compiled help lists every flag of the table, and the parser accepts each of them", { timeout: 60_000 }, async () => {
  for (const { path, command } of await allCommands()) {
    const shown = await spawnOclaw([...path, "--help"]);
    assert.equal(shown.code, 0, `oclaw ${path.join(" ")} --help: ${shown.stderr}`);
    const args: string[] = [];
    for (const [name, flag] of Object.entries(command.flags ?? {})) {
      if (flag.hidden === true) continue;
      assert.ok(shown.stdout.includes(flagSyntax(name, flag)), `oclaw ${path.join(" ")} --help shows ${flagSyntax(name, flag)}`);
      args.push(flag.type === "string" ? `--${name}=x` : `--${name}`);
    }
    if (args.length === 0) continue;
    // --help after the flags: they are parsed (an unknown one is exit 2), then help is printed.
    const parsed = await spawnOclaw([...path, ...args, "--help"]);
    assert.equal(parsed.code, 0, `oclaw ${path.join(" ")} ${args.join(" ")}: ${parsed.stderr}`);
  }
});

test("the global flags are in the help of every command", { timeout: 60_000 }, async () => {
  const r = await spawnOclaw(["models", "list", "--help"]);
  for (const [name, flag] of Object.entries(GLOBAL_FLAGS)) assert.ok(r.stdout.includes(flagSyntax(name, flag)), name);
});
