/**
 * `--profile`: where oclaw's time goes on a 200,000-token stream. Runs the source (`bun --cpu-prof-md
 * main.ts chat ...`, same code as the binary) against the fake server on both paths, keeps the profiles in
 * bench-results/, and reports the hottest functions, oclaw's own files first.
 */
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { oclawSetup, scratchDir } from "./config.ts";
import { capture } from "./proc.ts";
import { NotAvailable, type ServerHandle, startServer } from "./server.ts";
import { STREAM_TOKENS } from "./streaming.ts";
import { notAvailable, type BenchContext, type SectionResult } from "./types.ts";

const TITLE = "Profile: oclaw chat on a 200,000-token stream (source under bun --cpu-prof)";

/** The hot-function rows of bun's markdown profile, as [self%, self, total%, total, function, location]. */
function hotRows(markdown: string): string[][] {
  const section = markdown.split("## Hot Functions")[1]?.split("\n## ")[0] ?? "";
  return section
    .split("\n")
    .filter((l) => /^\|\s*[\d.]+%/.test(l))
    .map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
}

/** Runs the profile. */
export async function profileSection(ctx: BenchContext): Promise<SectionResult> {
  let server: ServerHandle;
  try {
    server = await startServer(ctx, { bulkTokens: STREAM_TOKENS });
  } catch (e) {
    if (!(e instanceof NotAvailable)) throw e;
    return notAvailable(TITLE, e.message, []);
  }
  const out: string[] = [];
  const raw: Record<string, unknown> = {};
  try {
    const setup = await oclawSetup(await scratchDir(ctx.tmp), server.url, server.model);
    const results = path.join(ctx.root, "bench-results");
    await mkdir(results, { recursive: true });
    for (const [chatPath, ref] of [["native", `ollama/${server.model}`], ["v1", `bench/${server.model}`]] as const) {
      const dir = await scratchDir(ctx.tmp);
      ctx.log(`profile: ${chatPath}`);
      const argv = [ctx.runtime, "--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${dir}`, path.join(ctx.root, "main.ts"), "chat", "-m", ref, "hi"];
      const run = await capture({ argv, env: setup.env });
      const md = (await readdir(dir)).find((f) => f.endsWith(".md"));
      if (run.code !== 0 || !md) {
        out.push(`#### ${chatPath}`, "", `_Not available yet: ${run.stderr.trim().split("\n")[0] || `exit ${run.code}`}._`, "");
        continue;
      }
      const file = path.join(results, `profile-${chatPath}.md`);
      await rename(path.join(dir, md), file);
      const text = await readFile(file, "utf8");
      await rm(dir, { recursive: true, force: true });
      const rows = hotRows(text);
      const own = rows.filter((r) => r[5]?.includes(`${ctx.root}lib/`) || r[5]?.includes("/lib/") || r[5]?.includes("main.ts"));
      const top = /\*\*Top 10:\*\*(.+)/.exec(text)?.[1]?.trim() ?? "";
      const duration = /\| ([\d.]+m?s) \| (\d+) \| [\d.]+m?s \|/.exec(text);
      raw[chatPath] = { file, top, own: own.slice(0, 15) };
      out.push(
        `#### ${chatPath === "native" ? "/api/chat" : "/v1"} (${duration ? `${duration[1]} profiled, ${duration[2]} samples` : "profile"}; bench-results/profile-${chatPath}.md)`,
        "",
        `Top 10 by self time: ${top}`,
        "",
        "oclaw's own functions (self time):",
        "",
        ...own.slice(0, 12).map((r) => `- ${r[0]} ${r[1]} (total ${r[2]}) \`${r[4]}\` ${r[5]?.replace(ctx.root, "")}`),
        "",
      );
    }
  } finally {
    await server.stop();
  }
  return { title: TITLE, markdown: out.join("\n"), targets: [], raw };
}
