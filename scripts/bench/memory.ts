/**
 * Section 5: peak resident memory over a 200,000-token stream and a 2,000,000-token one. A client that keeps
 * nothing per token holds the same peak for both.
 */
import { oclawSetup, scratchDir } from "./config.ts";
import { type Consumer, curlConsumer, libraryConsumer, oclawConsumer } from "./consumers.ts";
import { type MemoryRun, peakRss } from "./proc.ts";
import { NotAvailable, type ServerHandle, startServer } from "./server.ts";
import { markdownTable, median, mib, ms, ratio, times } from "./stats.ts";
import { notAvailable, type BenchContext, type SectionResult, type Target } from "./types.ts";

const TITLE = "5. Memory: peak RSS, 200k vs 2M tokens";
const SIZES = [200_000, 2_000_000] as const;

interface Cell {
  runs: MemoryRun[];
  why?: string;
}

/** Runs section 5. */
export async function memorySection(ctx: BenchContext): Promise<SectionResult> {
  const labels = ["oclaw /api/chat", "oclaw /v1", "ollama (npm) /api/chat", "curl /api/chat"];
  const cells = new Map<string, Cell>();
  for (const size of SIZES) {
    let server: ServerHandle;
    try {
      server = await startServer(ctx, { bulkTokens: size });
    } catch (e) {
      if (!(e instanceof NotAvailable)) throw e;
      return notAvailable(TITLE, e.message, [
        { name: "Memory /api/chat: oclaw peak RSS 2M / 200k", goal: "≤ 1.10×" },
        { name: "Memory /v1: oclaw peak RSS 2M / 200k", goal: "≤ 1.10×" },
      ]);
    }
    try {
      const setup = await oclawSetup(await scratchDir(ctx.tmp), server.url, server.model);
      const consumers: Consumer[] = [
        oclawConsumer(ctx, setup, server.model, "native"),
        oclawConsumer(ctx, setup, server.model, "v1"),
        libraryConsumer(ctx, server.url, server.model, "native"),
        curlConsumer(server.url, server.model, "native"),
      ];
      // The library is only context here and slow on 2M tokens: one run each.
      const runs = [ctx.runs(3, 1), ctx.runs(3, 1), 1, 1];
      for (let i = 0; i < consumers.length; i++) {
        const key = `${labels[i]}@${size}`;
        const cell: Cell = { runs: [] };
        cells.set(key, cell);
        if (ctx.quick && size > SIZES[0] && i === 2) {
          cell.why = "skipped with --quick";
          continue;
        }
        for (let r = 0; r < runs[i]!; r++) {
          ctx.log(`memory: ${labels[i]} ${size.toLocaleString("en")} tokens, run ${r + 1}/${runs[i]}`);
          const m = await peakRss(consumers[i]!.cmd);
          if (m.code !== 0) {
            cell.why = `not available yet: ${m.stderr.trim().split("\n")[0] || `exit ${m.code}`}`;
            break;
          }
          cell.runs.push(m);
        }
      }
    } finally {
      await server.stop();
    }
  }

  const peak = (key: string) => {
    const cell = cells.get(key);
    return cell && !cell.why && cell.runs.length ? median(cell.runs.map((r) => r.maxRssKib)) : NaN;
  };
  const wall = (key: string) => {
    const cell = cells.get(key);
    return cell && !cell.why && cell.runs.length ? median(cell.runs.map((r) => r.wallMs)) : NaN;
  };
  const rows = labels.map((label) => {
    const [small, big] = SIZES.map((s) => `${label}@${s}`) as [string, string];
    const why = cells.get(small)?.why ?? cells.get(big)?.why;
    return [
      label,
      cells.get(small)?.why ?? mib(peak(small)),
      cells.get(big)?.why ?? mib(peak(big)),
      times(ratio(peak(big), peak(small))),
      why ? "" : `${ms(wall(small))} / ${ms(wall(big))}`,
    ];
  });
  const targets: Target[] = ["oclaw /api/chat", "oclaw /v1"].map((label) => {
    const r = ratio(peak(`${label}@${SIZES[1]}`), peak(`${label}@${SIZES[0]}`));
    return {
      name: `Memory ${label.replace("oclaw ", "")}: oclaw peak RSS 2M / 200k`,
      goal: "≤ 1.10×",
      value: Number.isFinite(r) ? `${times(r)} (${mib(peak(`${label}@${SIZES[0]}`))} → ${mib(peak(`${label}@${SIZES[1]}`))})` : "not available yet",
      met: Number.isFinite(r) ? r <= 1.1 : undefined,
    };
  });
  return {
    title: TITLE,
    markdown: [
      "Peak RSS from GNU time (`%M`, the maximum resident set of the process), median of the runs; wall from the",
      "same runs (10 ms resolution). The library and curl are one run each, for context.",
      "",
      markdownTable(["program", "200k tokens", "2M tokens", "2M / 200k", "wall 200k / 2M"], rows),
    ].join("\n"),
    targets,
    raw: Object.fromEntries(cells),
  };
}
