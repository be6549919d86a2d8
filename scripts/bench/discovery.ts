/**
 * Section 4: discovery of 200 models at 50 ms per /api/show, cold (`--refresh`) and from the disk cache, next
 * to one curl process making exactly the requests the cached run made (recorded by the at-once server).
 */
import { oclawSetup, scratchDir } from "./config.ts";
import { curlReplay } from "./consumers.ts";
import { capture, hyperfine, type HyperfineResult } from "./proc.ts";
import { NotAvailable, type ServerHandle, startServer } from "./server.ts";
import { markdownTable, ms, ratio, times } from "./stats.ts";
import { notAvailable, type BenchContext, type SectionResult } from "./types.ts";

const TITLE = "4. Discovery: 200 models, 50 ms per /api/show";
const MODELS = 200;
const SHOW_DELAY_MS = 50;
const TARGET = { name: "Cached `models list` / curl making the same requests (median)", goal: "≤ 2.50×" };

function row(r: HyperfineResult, curl: HyperfineResult): string[] {
  return [r.command, ms(r.medianMs), `${ms(r.minMs)} – ${ms(r.maxMs)}`, ms(r.userMs + r.systemMs), times(ratio(r.medianMs, curl.medianMs)), String(r.runs)];
}

/** Runs section 4. */
export async function discoverySection(ctx: BenchContext): Promise<SectionResult> {
  let server: ServerHandle;
  try {
    server = await startServer(ctx, { atOnceTokens: 20, models: MODELS, showDelayMs: SHOW_DELAY_MS });
  } catch (e) {
    if (!(e instanceof NotAvailable)) throw e;
    return notAvailable(TITLE, e.message, [TARGET]);
  }
  try {
    const setup = await oclawSetup(await scratchDir(ctx.tmp), server.url, "synth-000:7b", true);
    const cold = [ctx.bin, "models", "list", "--plain", "--refresh"];
    const cached = [ctx.bin, "models", "list", "--plain"];
    const probe = await capture({ argv: cold, env: setup.env });
    const listed = probe.stdout.trim().split("\n").filter(Boolean).length;
    if (probe.code !== 0 || listed < MODELS) {
      const said = (probe.stderr || probe.stdout).trim().split("\n")[0] ?? "";
      return notAvailable(TITLE, `oclaw models list: exit ${probe.code}, ${listed} models listed${said ? `: ${said}` : ""}`, [TARGET]);
    }
    await server.requests();
    await capture({ argv: cached, env: setup.env });
    const asked = await server.requests();
    ctx.log(`discovery: cold and cached; the cached run made ${asked.length} requests`);
    const [c, w, curl] = await hyperfine(
      [
        { name: "oclaw models list --refresh (cold)", argv: cold },
        { name: "oclaw models list (cached)", argv: cached },
        { name: `curl making the cached run's ${asked.length} requests`, argv: curlReplay(server.url, asked) },
      ],
      { runs: ctx.runs(10, 3), warmup: 1, env: setup.env },
    );
    const implied = (MODELS * SHOW_DELAY_MS) / c!.medianMs;
    const r = ratio(w!.medianMs, curl!.medianMs);
    return {
      title: TITLE,
      markdown: [
        `The server holds ${MODELS} tool-capable models and answers each /api/show after ${SHOW_DELAY_MS} ms. hyperfine -N,`,
        "one warm-up (which fills the cache for the cached run). curl makes the requests the cached run made, in one",
        `process: ${asked.map((a) => `${a.method} ${a.path}`).join(", ")}.`,
        "",
        markdownTable(["command", "wall (median)", "min – max", "CPU (mean)", "vs curl", "runs"], [row(c!, curl!), row(w!, curl!), row(curl!, curl!)]),
        "",
        `Cold: ${MODELS} × ${SHOW_DELAY_MS} ms / ${ms(c!.medianMs)} ≈ **${implied.toFixed(1)} /api/show requests in flight** on average. ` +
          `Cached: **${times(ratio(c!.medianMs, w!.medianMs))}** faster than cold; **${times(r)}** curl.`,
      ].join("\n"),
      targets: [{ ...TARGET, value: times(r), met: Number.isFinite(r) ? r <= 2.5 : undefined }],
      raw: { cold: c, cached: w, curl, requests: asked },
    };
  } finally {
    await server.stop();
  }
}
