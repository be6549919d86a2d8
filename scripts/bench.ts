/**
 * `npm run bench`: measures oclaw against a minimal reader in the same runtime (the floor), the official
 * libraries and curl on this machine (streaming, first token, start-up, discovery, memory), prints the
 * results with ratios and the targets of issue 19, and rewrites the generated part of BENCHMARKS.md.
 * Builds dist/oclaw first.
 *
 *   bun scripts/bench.ts [--quick] [--only streaming,first-token,startup,discovery,memory,profile] [--profile]
 *                        [--no-build] [--bin=PATH] [--no-write]
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { discoverySection } from "./bench/discovery.ts";
import { firstTokenSection } from "./bench/first-token.ts";
import { describeMachine } from "./bench/machine.ts";
import { memorySection } from "./bench/memory.ts";
import { profileSection } from "./bench/profile.ts";
import { renderResults, targetTable, writeResults } from "./bench/report.ts";
import { startupSection } from "./bench/startup.ts";
import { streamingSection } from "./bench/streaming.ts";
import type { BenchContext, SectionResult } from "./bench/types.ts";

const SECTIONS: Record<string, { title: string; run: (ctx: BenchContext) => Promise<SectionResult> }> = {
  streaming: { title: "1. Streaming 200,000 tokens", run: streamingSection },
  "first-token": { title: "2. First token", run: firstTokenSection },
  startup: { title: "3. Start-up", run: startupSection },
  discovery: { title: "4. Discovery: 200 models, 50 ms per /api/show", run: discoverySection },
  memory: { title: "5. Memory: peak RSS, 200k vs 2M tokens", run: memorySection },
  profile: { title: "Profile: where oclaw's time goes", run: profileSection },
};
/** Sections a plain run does; `profile` only with --profile or --only profile. */
const DEFAULT = ["streaming", "first-token", "startup", "discovery", "memory"];

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const onlyArg = args.find((a) => a.startsWith("--only"));
const only = onlyArg
  ? (onlyArg.includes("=") ? onlyArg.slice(onlyArg.indexOf("=") + 1) : args[args.indexOf(onlyArg) + 1] ?? "").split(",")
  : [...DEFAULT, ...(args.includes("--profile") ? ["profile"] : [])];
for (const name of only) {
  if (!SECTIONS[name]) {
    process.stderr.write(`bench: unknown section '${name}' (one of ${Object.keys(SECTIONS).join(", ")})\n`);
    process.exit(2);
  }
}
if (flag("--help") || flag("-h")) {
  process.stdout.write(`usage: bun scripts/bench.ts [--quick] [--only ${Object.keys(SECTIONS).join(",")}] [--profile] [--no-build] [--bin=PATH] [--no-write]\n`);
  process.exit(0);
}

const root = fileURLToPath(new URL("..", import.meta.url));
const quick = flag("--quick");
const started = performance.now();
const loadBefore = os.loadavg()[0] ?? NaN;
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

// --bin measures another build (e.g. an experiment in a copy of the tree) and skips the build.
const binArg = args.find((a) => a.startsWith("--bin="))?.slice("--bin=".length);
if (!flag("--no-build") && !binArg) {
  log("building dist/oclaw");
  execFileSync(process.execPath, [path.join(root, "scripts/build.ts"), "--host"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
}

const tmp = await mkdtemp(path.join(os.tmpdir(), "oclaw-bench-"));
const ctx: BenchContext = {
  root,
  bin: binArg ? path.resolve(binArg) : path.join(root, "dist/oclaw"),
  runtime: process.execPath,
  quick,
  tmp,
  runs: (full, fast) => (quick ? fast : full),
  log,
};

const sections: SectionResult[] = [];
try {
  for (const name of only) {
    const section = SECTIONS[name]!;
    log(`== ${section.title}`);
    const t0 = performance.now();
    try {
      sections.push(await section.run(ctx));
    } catch (e) {
      // A broken section must not hide the others' numbers.
      const message = e instanceof Error ? e.message : String(e);
      sections.push({ title: section.title, markdown: `_Failed: ${message}_`, targets: [], raw: { error: message } });
    }
    log(`   ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}

const commit = (() => {
  try {
    return execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: root, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return "unknown";
  }
})();
const info = { date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC", commit, quick, durationS: (performance.now() - started) / 1000, load: [loadBefore, os.loadavg()[0] ?? NaN] as [number, number] };
const machine = await describeMachine(root, ctx.bin);
const results = renderResults(info, machine, sections);

await mkdir(path.join(root, "bench-results"), { recursive: true });
await writeFile(path.join(root, "bench-results/latest.json"), JSON.stringify({ info, machine, sections }, null, 2));
const writeMd = !flag("--no-write") && !onlyArg && !binArg;
if (writeMd) await writeResults(path.join(root, "BENCHMARKS.md"), results);

process.stdout.write(results.split("\n").slice(1, -1).join("\n") + "\n\n");
process.stdout.write(`Targets\n${targetTable(sections.flatMap((s) => s.targets))}\n`);
log(`done in ${info.durationS.toFixed(0)} s${writeMd ? "; BENCHMARKS.md updated" : ""}`);
