/**
 * The whole test suite, as `npm test` runs it: `deno check` with strict settings, `deno lint`, a check that lib/ has
 * no import cycle (scripts/import-cycles.ts), a build of dist/oclaw,
 * then every test file under `bun test` (end-to-end tests run the compiled binary) and under `deno test`
 * (end-to-end tests run the source). Ends with `tests: N passed, N failed` over both runtimes.
 *
 *   bun scripts/test.ts [--no-build] [filter...]
 */
import { spawn } from "node:child_process";
import process from "node:process";

const args = process.argv.slice(2);
const noBuild = args.includes("--no-build");
const filters = args.filter((a) => !a.startsWith("--"));

/** Runs a command with inherited stdio, teeing its output; resolves with exit code and output. */
function step(cmd: string, argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  process.stderr.write(`\n== ${cmd} ${argv.join(" ")}\n`);
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Uint8Array) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.stderr.on("data", (d: Uint8Array) => {
      out += d.toString();
      process.stderr.write(d);
    });
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

// Bun and Deno colour their summaries; strip escapes before reading the counts.
// deno-lint-ignore no-control-regex -- ESC is exactly what a colour code starts with
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

let passed = 0;
let failed = 0;
let broken = false;

const check = await step("deno", ["check", "main.ts", "scripts/", "tests/"]);
if (check.code !== 0) broken = true;
const lint = await step("deno", ["lint", "main.ts", "lib/", "scripts/", "tests/"]);
if (lint.code !== 0) broken = true;
// Imports only point down: any cycle in lib/ (static or dynamic imports) fails the run.
const imports = await step(process.execPath, ["scripts/import-cycles.ts", "lib"]);
if (imports.code !== 0) broken = true;

if (!noBuild) {
  const build = await step(process.execPath, ["scripts/build.ts", "--host"]);
  if (build.code !== 0) broken = true;
}

const bun = await step(process.execPath, ["test", "--timeout", "60000", ...filters], { OCLAW_BIN: "dist/oclaw" });
const bunOut = plain(bun.out);
const bunPass = Number(/^\s*(\d+) pass$/m.exec(bunOut)?.[1] ?? NaN);
const bunFail = Number(/^\s*(\d+) fail$/m.exec(bunOut)?.[1] ?? NaN);
if (Number.isNaN(bunPass) || Number.isNaN(bunFail)) broken = true;
else {
  passed += bunPass;
  failed += bunFail;
}
if (bun.code !== 0 && !(bunFail > 0)) broken = true;

const deno = await step("deno", ["test", "-A", "--no-check", ...(filters.length ? filters : ["tests/"])]);
const denoOut = plain(deno.out);
const denoLine = /^(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/m.exec(denoOut);
if (!denoLine) broken = true;
else {
  passed += Number(denoLine[1]);
  failed += Number(denoLine[2]);
}
if (deno.code !== 0 && !(Number(denoLine?.[2] ?? 0) > 0)) broken = true;

if (broken) process.stderr.write("\nA step failed outside the test counts (deno check, deno lint, import cycles, build, or a runner crash)\n");
process.stdout.write(`\ntests: ${passed} passed, ${failed + (broken ? 1 : 0)} failed\n`);
process.exit(failed > 0 || broken ? 1 : 0);
