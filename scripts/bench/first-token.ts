/**
 * Section 2: the first token. Two figures:
 * - From process start to the first stdout byte (what a user waits): oclaw against the floor reader compiled
 *   the same way (`bun build --compile`, the flags of scripts/build.ts), both reading a short reply from the
 *   at-once server. The difference is oclaw's own start-up and first-token path; this is the target.
 * - From the server's write to the first stdout byte: the paced fake notes when it handed the first token to
 *   the socket; oclaw's delay minus curl's is what oclaw adds once the request is out. A figure.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { oclawSetup, scratchDir } from "./config.ts";
import { type ChatPath, type Consumer, curlConsumer, oclawConsumer } from "./consumers.ts";
import { firstByte } from "./proc.ts";
import { NotAvailable, startServer } from "./server.ts";
import { markdownTable, median, ms, spread } from "./stats.ts";
import { notAvailable, type BenchContext, type SectionResult, type Target } from "./types.ts";

const TITLE = "2. First token";

/** A short reply: the first token is what matters, the rest only has to end the run quickly. */
const TOKENS = 20;

interface Series {
  name: string;
  chatPath: ChatPath;
  deltas: number[];
  why?: string;
}

/** Compiles the floor reader as oclaw is compiled, so start-up is compared like for like. */
function compileFloor(ctx: BenchContext): string {
  const out = path.join(ctx.tmp, "floor-reader");
  execFileSync(ctx.runtime, [
    "build", "--compile", "--minify", "--bytecode", "--format=esm", "--sourcemap=none",
    "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig",
    path.join(ctx.root, "scripts/bench/floor-reader.ts"), "--outfile", out,
  ], { stdio: ["ignore", "ignore", "inherit"] });
  return out;
}

/** Runs every pair `runs` times, interleaved, after one unmeasured warm-up each; `delta` reads one run. */
async function sampleAll(
  pairs: Array<[Consumer, Series]>,
  runs: number,
  delta: (out: Awaited<ReturnType<typeof firstByte>>) => Promise<number | undefined>,
) {
  for (const [c] of pairs) await firstByte(c.cmd);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < pairs.length; k++) {
      const [c, s] = pairs[(i + k) % pairs.length]!;
      if (s.why) continue;
      const out = await firstByte(c.cmd);
      const d = out.code === 0 && out.at !== undefined ? await delta(out) : undefined;
      if (d === undefined) s.why = out.stderr.trim().split("\n")[0] || `exit ${out.code}, first byte ${out.at}`;
      else s.deltas.push(d);
    }
  }
}

function rowsOf(series: Series[], label: (s: Series) => string): string[][] {
  return series.map((s) => {
    const [lo, hi] = spread(s.deltas);
    return [label(s), s.why ? `not available: ${s.why}` : ms(median(s.deltas)), s.why ? "" : `${ms(lo)} – ${ms(hi)}`, String(s.deltas.length)];
  });
}

const PATH_LABEL: Record<ChatPath, string> = { native: "/api/chat", v1: "/v1" };

/** From process start to first stdout byte, oclaw vs the compiled floor, against the at-once server. */
async function fromStart(ctx: BenchContext, runs: number) {
  const server = await startServer(ctx, { atOnceTokens: TOKENS });
  try {
    const setup = await oclawSetup(await scratchDir(ctx.tmp), server.url, server.model);
    const floor = compileFloor(ctx);
    const pairs: Array<[Consumer, Series]> = [];
    for (const chatPath of ["native", "v1"] as const) {
      const o = oclawConsumer(ctx, setup, server.model, chatPath);
      const f: Consumer = { name: "floor (compiled)", cmd: { argv: [floor, chatPath, server.url, server.model] } };
      for (const c of [o, f]) pairs.push([c, { name: c.name, chatPath, deltas: [] }]);
    }
    ctx.log(`first token from process start: ${runs} runs each`);
    await sampleAll(pairs, runs, (out) => Promise.resolve(out.at! - out.startedAt));
    const rows: string[][] = [];
    const targets: Target[] = [];
    for (const chatPath of ["native", "v1"] as const) {
      const [o, f] = pairs.filter(([, s]) => s.chatPath === chatPath).map(([, s]) => s) as [Series, Series];
      const added = (o.why ? NaN : median(o.deltas)) - (f.why ? NaN : median(f.deltas));
      rows.push(...rowsOf([o, f], (s) => `${s.name} ${PATH_LABEL[chatPath]}`), [`**oclaw − floor ${PATH_LABEL[chatPath]}**`, `**${ms(added)}**`, "", ""]);
      targets.push({
        name: `First stdout byte from process start ${PATH_LABEL[chatPath]}: oclaw − compiled floor (median)`,
        goal: "≤ 5 ms",
        value: ms(added),
        met: Number.isFinite(added) ? added <= 5 : undefined,
      });
    }
    return { rows, targets, raw: pairs.map(([, s]) => s) };
  } finally {
    await server.stop();
  }
}

/** From the server's first write to the first stdout byte, oclaw vs curl, against the paced fake. */
async function fromServerWrite(ctx: BenchContext, runs: number) {
  const server = await startServer(ctx, { bulkTokens: TOKENS });
  try {
    const setup = await oclawSetup(await scratchDir(ctx.tmp), server.url, server.model);
    const pairs: Array<[Consumer, Series]> = [];
    for (const chatPath of ["native", "v1"] as const) {
      for (const c of [oclawConsumer(ctx, setup, server.model, chatPath), curlConsumer(server.url, server.model, chatPath)]) {
        pairs.push([c, { name: c.name, chatPath, deltas: [] }]);
      }
    }
    ctx.log(`first token from the server's write: ${runs} runs each`);
    await sampleAll(pairs, runs, async (out) => {
      const t = await server.firstTokenAt();
      return t === undefined ? undefined : out.at! - t;
    });
    const rows: string[][] = [];
    for (const chatPath of ["native", "v1"] as const) {
      const [o, c] = pairs.filter(([, s]) => s.chatPath === chatPath).map(([, s]) => s) as [Series, Series];
      const added = (o.why ? NaN : median(o.deltas)) - (c.why ? NaN : median(c.deltas));
      rows.push(...rowsOf([o, c], (s) => `${s.name} ${PATH_LABEL[chatPath]}`), [`**oclaw − curl ${PATH_LABEL[chatPath]}**`, `**${ms(added)}**`, "", ""]);
    }
    return { rows, raw: pairs.map(([, s]) => s) };
  } finally {
    await server.stop();
  }
}

/** Runs section 2. */
export async function firstTokenSection(ctx: BenchContext): Promise<SectionResult> {
  // The differences are milliseconds or less, and the harness shares the two cores: many runs.
  const runs = ctx.runs(100, 20);
  let start, write;
  try {
    start = await fromStart(ctx, runs);
    write = await fromServerWrite(ctx, runs);
  } catch (e) {
    if (!(e instanceof NotAvailable)) throw e;
    return notAvailable(TITLE, e.message, ["/api/chat", "/v1"].map((p) => ({
      name: `First stdout byte from process start ${p}: oclaw − compiled floor (median)`,
      goal: "≤ 5 ms",
    })));
  }
  const header = ["program", "median", "min – max", "runs"];
  return {
    title: TITLE,
    markdown: [
      `A ${TOKENS}-token reply, ${runs} runs per program, interleaved, after one warm-up each. Times are`,
      "`performance.timeOrigin + now()` in the harness and (for the server's write) in the fake server, sub-millisecond.",
      "",
      "**From process start to the first stdout byte** (what a user waits), against the at-once server; the floor is",
      "scripts/bench/floor-reader.ts compiled with the same `bun build --compile` flags as oclaw:",
      "",
      markdownTable(header, start.rows),
      "",
      "**From the server's write of the first token to the first stdout byte**, against the paced fake (a figure):",
      "",
      markdownTable(header, write.rows),
    ].join("\n"),
    targets: start.targets,
    raw: { fromStart: start.raw, fromServerWrite: write.raw },
  };
}
