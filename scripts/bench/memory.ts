/**
 * Section 5: peak resident memory over a 200,000-token stream and a 2,000,000-token one, against the at-once
 * server (the targets) and the paced fake (figures). A client that keeps nothing per token holds about the
 * same peak for both sizes; the absolute peak is compared with the official library in the same runtime.
 */
import { oclawSetup, scratchDir } from "./config.ts";
import { type Consumer, floorConsumer, libraryConsumer, oclawConsumer } from "./consumers.ts";
import { type MemoryRun, peakRss } from "./proc.ts";
import { NotAvailable, type ServerHandle, type ServerSpec, startServer } from "./server.ts";
import { markdownTable, median, mib, ms, ratio, times } from "./stats.ts";
import { notAvailable, type BenchContext, type SectionResult, type Target } from "./types.ts";

const TITLE = "5. Memory: peak RSS, 200k vs 2M tokens";
const SIZES = [200_000, 2_000_000] as const;
const LABELS = ["oclaw /api/chat", "oclaw /v1", "ollama (npm) /api/chat", "floor (bun) /api/chat"];

interface Cell {
  runs: MemoryRun[];
  why?: string;
}

type Mode = "at-once" | "paced";

async function measureMode(ctx: BenchContext, mode: Mode, cells: Map<string, Cell>) {
  for (const size of SIZES) {
    const spec: ServerSpec = mode === "at-once" ? { atOnceTokens: size } : { bulkTokens: size };
    const server: ServerHandle = await startServer(ctx, spec);
    try {
      const setup = await oclawSetup(await scratchDir(ctx.tmp), server.url, server.model);
      const consumers: Consumer[] = [
        oclawConsumer(ctx, setup, server.model, "native"),
        oclawConsumer(ctx, setup, server.model, "v1"),
        libraryConsumer(ctx, server.url, server.model, "native"),
        floorConsumer(ctx, server.url, server.model, "native"),
      ];
      // The paced table is context: one run each there.
      const runs = mode === "at-once" ? ctx.runs(3, 1) : 1;
      for (let i = 0; i < consumers.length; i++) {
        const key = `${mode}:${LABELS[i]}@${size}`;
        const cell: Cell = { runs: [] };
        cells.set(key, cell);
        for (let r = 0; r < runs; r++) {
          ctx.log(`memory (${mode}): ${LABELS[i]} ${size.toLocaleString("en")} tokens, run ${r + 1}/${runs}`);
          const m = await peakRss(consumers[i]!.cmd);
          if (m.code !== 0) {
            cell.why = `not available: ${m.stderr.trim().split("\n")[0] || `exit ${m.code}`}`;
            break;
          }
          cell.runs.push(m);
        }
      }
    } finally {
      await server.stop();
    }
  }
}

/** Runs section 5. */
export async function memorySection(ctx: BenchContext): Promise<SectionResult> {
  const cells = new Map<string, Cell>();
  try {
    await measureMode(ctx, "at-once", cells);
    await measureMode(ctx, "paced", cells);
  } catch (e) {
    if (!(e instanceof NotAvailable)) throw e;
    return notAvailable(TITLE, e.message, [
      { name: "Memory at once /api/chat: oclaw peak RSS 2M / 200k", goal: "≤ 1.15×" },
      { name: "Memory at once /v1: oclaw peak RSS 2M / 200k", goal: "≤ 1.15×" },
      { name: "Memory at once, 2M tokens: oclaw / ollama (npm) peak RSS", goal: "≤ 1.10×" },
    ]);
  }
  const pick = (key: string, f: (r: MemoryRun) => number) => {
    const cell = cells.get(key);
    return cell && !cell.why && cell.runs.length ? median(cell.runs.map(f)) : NaN;
  };
  const peak = (key: string) => pick(key, (r) => r.maxRssKib);
  const wall = (key: string) => pick(key, (r) => r.wallMs);
  const table = (mode: Mode) =>
    markdownTable(["program", "200k tokens", "2M tokens", "2M / 200k", "wall 200k / 2M"], LABELS.map((label) => {
      const [small, big] = SIZES.map((s) => `${mode}:${label}@${s}`) as [string, string];
      const why = cells.get(small)?.why ?? cells.get(big)?.why;
      return [
        label,
        cells.get(small)?.why ?? mib(peak(small)),
        cells.get(big)?.why ?? mib(peak(big)),
        times(ratio(peak(big), peak(small))),
        why ? "" : `${ms(wall(small))} / ${ms(wall(big))}`,
      ];
    }));
  const targets: Target[] = ["oclaw /api/chat", "oclaw /v1"].map((label) => {
    const [small, big] = SIZES.map((s) => `at-once:${label}@${s}`) as [string, string];
    const r = ratio(peak(big), peak(small));
    return {
      name: `Memory at once ${label.replace("oclaw ", "")}: oclaw peak RSS 2M / 200k`,
      goal: "≤ 1.15×",
      value: Number.isFinite(r) ? `${times(r)} (${mib(peak(small))} → ${mib(peak(big))})` : "not measured",
      met: Number.isFinite(r) ? r <= 1.15 : undefined,
    };
  });
  const o = peak(`at-once:oclaw /api/chat@${SIZES[1]}`);
  const lib = peak(`at-once:ollama (npm) /api/chat@${SIZES[1]}`);
  const vsLib = ratio(o, lib);
  targets.push({
    name: "Memory at once, 2M tokens: oclaw / ollama (npm) peak RSS",
    goal: "≤ 1.10×",
    value: Number.isFinite(vsLib) ? `${times(vsLib)} (${mib(o)} vs ${mib(lib)})` : "not measured",
    met: Number.isFinite(vsLib) ? vsLib <= 1.1 : undefined,
  });
  return {
    title: TITLE,
    markdown: [
      "Peak RSS from GNU time (`%M`, the maximum resident set of the process), median of the runs (three each",
      "against the at-once server, one against the paced one); wall from the same runs (10 ms resolution).",
      "",
      "**At once** (the targets):",
      "",
      table("at-once"),
      "",
      "**Paced**:",
      "",
      table("paced"),
    ].join("\n"),
    targets,
    raw: Object.fromEntries(cells),
  };
}
