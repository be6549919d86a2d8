/**
 * Section 3: start-up. `oclaw --version` alone (a figure), and `oclaw health` against the at-once server next
 * to one curl process making exactly the requests that health made (recorded by the server), timed by hyperfine.
 */
import { oclawSetup, scratchDir } from "./config.ts";
import { curlReplay } from "./consumers.ts";
import { capture, hyperfine, type HyperfineResult } from "./proc.ts";
import { NotAvailable, type ServerHandle, startServer } from "./server.ts";
import { markdownTable, ms, ratio, times } from "./stats.ts";
import { notAvailable, type BenchContext, type SectionResult } from "./types.ts";

const TITLE = "3. Start-up";
const TARGET = { name: "Start-up: oclaw health / curl making the same requests (median)", goal: "≤ 2.50×" };

function row(r: HyperfineResult): string[] {
  return [r.command, ms(r.medianMs), `${ms(r.minMs)} – ${ms(r.maxMs)}`, ms(r.userMs), ms(r.systemMs), String(r.runs)];
}

const HEADER = ["command", "wall (median)", "min – max", "user (mean)", "sys (mean)", "runs"];

/** Runs section 3. */
export async function startupSection(ctx: BenchContext): Promise<SectionResult> {
  const runs = ctx.runs(40, 15);
  let server: ServerHandle;
  try {
    server = await startServer(ctx, { atOnceTokens: 20 });
  } catch (e) {
    if (!(e instanceof NotAvailable)) throw e;
    return notAvailable(TITLE, e.message, [TARGET]);
  }
  try {
    const setup = await oclawSetup(await scratchDir(ctx.tmp), server.url, server.model);
    await server.requests();
    const probe = await capture({ argv: [ctx.bin, "health"], env: setup.env });
    const asked = await server.requests();
    if (probe.code !== 0 || !probe.stdout.startsWith("OK")) {
      const why = `oclaw health said: ${(probe.stdout + probe.stderr).trim().split("\n")[0]} (exit ${probe.code})`;
      return notAvailable(TITLE, why, [TARGET]);
    }
    ctx.log(`start-up: hyperfine, ${runs} runs; health made ${asked.length} requests`);
    const curl = { name: `curl making health's ${asked.length} requests`, argv: curlReplay(server.url, asked) };
    const [version, health, c] = await hyperfine(
      [{ name: "oclaw --version", argv: [ctx.bin, "--version"] }, { name: "oclaw health", argv: [ctx.bin, "health"] }, curl],
      { runs, warmup: 3, env: setup.env },
    );
    const r = ratio(health!.medianMs, c!.medianMs);
    return {
      title: TITLE,
      markdown: [
        `hyperfine -N (no shell), 3 warm-ups, ${runs} runs. \`oclaw health\` runs against the at-once server with a config`,
        "naming one model; its output was `" + probe.stdout.trim() + "`. curl makes the same requests, in order, in",
        `one process: ${asked.map((a) => `${a.method} ${a.path}`).join(", ")}.`,
        "",
        markdownTable(HEADER, [row(version!), row(health!), row(c!)]),
        "",
        `oclaw health / curl: **${times(r)}** (${ms(health!.medianMs - c!.medianMs)} more)`,
      ].join("\n"),
      targets: [{ ...TARGET, value: times(r), met: Number.isFinite(r) ? r <= 2.5 : undefined }],
      raw: { version, health, curl: c, requests: asked },
    };
  } finally {
    await server.stop();
  }
}
