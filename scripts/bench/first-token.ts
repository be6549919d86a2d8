/**
 * Section 2: the latency oclaw adds to the first token. The fake server notes the wall-clock time it handed
 * the first token to the socket; a reader in this process notes when the first byte arrives on a pipe from
 * the program's stdout. The difference for oclaw minus the same for curl is what oclaw adds.
 */
import { oclawSetup, scratchDir } from "./config.ts";
import { type ChatPath, type Consumer, curlConsumer, oclawConsumer } from "./consumers.ts";
import { firstByte } from "./proc.ts";
import { NotAvailable, type ServerHandle, startServer } from "./server.ts";
import { markdownTable, median, ms, spread } from "./stats.ts";
import { notAvailable, type BenchContext, type SectionResult, type Target } from "./types.ts";

const TITLE = "2. Added first-token latency";

/** A short reply: the first token is what matters, the rest only has to end the run quickly. */
const TOKENS = 20;

interface Series {
  name: string;
  chatPath: ChatPath;
  deltas: number[];
  why?: string;
}

async function sample(server: ServerHandle, consumer: Consumer, series: Series): Promise<void> {
  if (series.why) return;
  const out = await firstByte(consumer.cmd);
  const t = await server.firstTokenAt();
  if (out.code !== 0 || out.at === undefined || t === undefined) {
    series.why = out.stderr.trim().split("\n")[0] || `exit ${out.code}, first byte ${out.at}, server t ${t}`;
    return;
  }
  series.deltas.push(out.at - t);
}

/** Runs section 2. */
export async function firstTokenSection(ctx: BenchContext): Promise<SectionResult> {
  const targetsIfMissing = [
    { name: "First token /api/chat: oclaw − curl (median)", goal: "< 1 ms" },
    { name: "First token /v1: oclaw − curl (median)", goal: "< 1 ms" },
  ];
  let server: ServerHandle;
  try {
    server = await startServer(ctx, { bulkTokens: TOKENS });
    await server.firstTokenAt();
  } catch (e) {
    if (!(e instanceof NotAvailable)) throw e;
    return notAvailable(TITLE, e.message, targetsIfMissing);
  }
  try {
    const setup = await oclawSetup(await scratchDir(ctx.tmp), server.url, server.model);
    const pairs: Array<[Consumer, Series]> = [];
    for (const chatPath of ["native", "v1"] as const) {
      for (const c of [oclawConsumer(ctx, setup, server.model, chatPath), curlConsumer(server.url, server.model, chatPath)]) {
        pairs.push([c, { name: c.name, chatPath, deltas: [] }]);
      }
    }
    // The difference that matters is a fraction of a millisecond, and the harness shares the two cores: many runs.
    const runs = ctx.runs(100, 20);
    ctx.log(`first token: ${runs} runs of ${pairs.map(([c, s]) => `${c.name} ${s.chatPath}`).join(", ")}`);
    // One unmeasured warm-up each (page cache, server JIT).
    for (const [c] of pairs) await firstByte(c.cmd);
    for (let i = 0; i < runs; i++) {
      for (let k = 0; k < pairs.length; k++) {
        const [c, s] = pairs[(i + k) % pairs.length]!;
        await sample(server, c, s);
      }
    }

    const rows: string[][] = [];
    const targets: Target[] = [];
    const raw: Record<string, unknown> = {};
    for (const chatPath of ["native", "v1"] as const) {
      const [oclaw, curl] = pairs.filter(([, s]) => s.chatPath === chatPath).map(([, s]) => s) as [Series, Series];
      const label = chatPath === "native" ? "/api/chat" : "/v1";
      const om = oclaw.why ? NaN : median(oclaw.deltas);
      const cm = curl.why ? NaN : median(curl.deltas);
      const added = om - cm;
      for (const s of [oclaw, curl]) {
        const [lo, hi] = spread(s.deltas);
        rows.push([
          `${s.name} ${label}`,
          s.why ? `not available yet: ${s.why}` : ms(median(s.deltas)),
          s.why ? "" : `${ms(lo)} – ${ms(hi)}`,
          String(s.deltas.length),
        ]);
      }
      rows.push([`**oclaw − curl ${label}**`, `**${ms(added)}**`, "", ""]);
      targets.push({
        name: `First token ${label}: oclaw − curl (median)`,
        goal: "< 1 ms",
        value: ms(added),
        met: Number.isFinite(added) ? added < 1 : undefined,
      });
      raw[chatPath] = { oclaw, curl };
    }
    const intro = [
      `Server-side t = when the fake server handed the first token to the socket; client side = when the first`,
      `byte of the program's stdout arrived on a pipe in the harness (both \`performance.timeOrigin + now()\`,`,
      `sub-millisecond). A ${TOKENS}-token reply, ${runs} runs per program, interleaved, after one warm-up each.`,
    ].join("\n");
    return {
      title: TITLE,
      markdown: [intro, "", markdownTable(["program", "stdout − server t (median)", "min – max", "runs"], rows)].join("\n"),
      targets,
      raw,
    };
  } finally {
    await server.stop();
  }
}
