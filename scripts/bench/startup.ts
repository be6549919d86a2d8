/**
 * Section 3: start-up. `oclaw --version` alone, and `oclaw health` against a local server next to
 * `curl -sf .../api/version` (the least a health check can do), timed by hyperfine.
 */
import { oclawSetup, scratchDir } from "./config.ts";
import { capture, hyperfine, type HyperfineResult } from "./proc.ts";
import { NotAvailable, type ServerHandle, startServer } from "./server.ts";
import { markdownTable, ms } from "./stats.ts";
import { notAvailable, type BenchContext, type SectionResult, type Target } from "./types.ts";

const TITLE = "3. Start-up";

function row(r: HyperfineResult): string[] {
  return [r.command, ms(r.medianMs), `${ms(r.minMs)} – ${ms(r.maxMs)}`, ms(r.userMs), ms(r.systemMs), String(r.runs)];
}

const HEADER = ["command", "wall (median)", "min – max", "user (mean)", "sys (mean)", "runs"];

/** Runs section 3. */
export async function startupSection(ctx: BenchContext): Promise<SectionResult> {
  const runs = ctx.runs(40, 15);
  ctx.log(`start-up: hyperfine, ${runs} runs`);
  const [version] = await hyperfine([{ name: "oclaw --version", argv: [ctx.bin, "--version"] }], { runs, warmup: 3 });
  const versionTarget: Target = {
    name: "Start-up: oclaw --version (median)",
    goal: "< 50 ms",
    value: ms(version!.medianMs),
    met: version!.medianMs < 50,
  };
  const versionTable = markdownTable(HEADER, [row(version!)]);

  let server: ServerHandle;
  try {
    // --tokens adds the `bench` model the config names.
    server = await startServer(ctx, { bulkTokens: 20 });
  } catch (e) {
    if (!(e instanceof NotAvailable)) throw e;
    const rest = notAvailable(TITLE, `oclaw health: ${e.message}`, [{ name: "Start-up: oclaw health − curl /api/version", goal: "< 40 ms" }]);
    return { ...rest, markdown: [versionTable, "", rest.markdown].join("\n"), targets: [versionTarget, ...rest.targets] };
  }
  try {
    const setup = await oclawSetup(await scratchDir(ctx.tmp), server.url, server.model);
    const probe = await capture({ argv: [ctx.bin, "health"], env: setup.env });
    const healthTarget = { name: "Start-up: oclaw health − curl /api/version", goal: "< 40 ms" };
    const curl = { name: "curl -sf /api/version", argv: ["curl", "-sf", `${server.url}/api/version`] };
    if (probe.code !== 0 || !probe.stdout.startsWith("OK")) {
      const why = `oclaw health said: ${(probe.stdout + probe.stderr).trim().split("\n")[0]} (exit ${probe.code})`;
      const [c] = await hyperfine([curl], { runs, warmup: 3 });
      const rest = notAvailable(TITLE, why, [healthTarget]);
      return {
        ...rest,
        markdown: [markdownTable(HEADER, [row(version!), row(c!)]), "", rest.markdown].join("\n"),
        targets: [versionTarget, ...rest.targets],
      };
    }
    const [health, c] = await hyperfine([{ name: "oclaw health", argv: [ctx.bin, "health"] }, curl], {
      runs,
      warmup: 3,
      env: setup.env,
    });
    const added = health!.medianMs - c!.medianMs;
    return {
      title: TITLE,
      markdown: [
        `hyperfine -N (no shell), 3 warm-ups, ${runs} runs. \`oclaw health\` runs against the fake server with a config`,
        "naming one model; its output was `" + probe.stdout.trim() + "`.",
        "",
        markdownTable(HEADER, [row(version!), row(health!), row(c!)]),
        "",
        `oclaw health − curl: **${ms(added)}**`,
      ].join("\n"),
      targets: [versionTarget, { ...healthTarget, value: ms(added), met: added < 40 }],
      raw: { version, health, curl: c },
    };
  } finally {
    await server.stop();
  }
}
