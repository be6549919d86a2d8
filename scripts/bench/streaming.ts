/**
 * Section 1: how fast oclaw consumes a 200,000-token stream, on the native /api/chat path and the /v1 SSE
 * path, next to the floor (a minimal reader in the same Bun), the official library under the same runtime,
 * and curl. Measured twice: against the at-once server (a pre-built body, so the server costs nothing per
 * token and the client's own cost shows; the targets are judged here) and against the paced fake server
 * (each token built as it is sent, as a model server does: the realistic table, figures only).
 */
import { oclawSetup, scratchDir } from "./config.ts";
import { type ChatPath, type Consumer, curlConsumer, floorConsumer, libraryConsumer, oclawConsumer } from "./consumers.ts";
import { drain, type Timing, timed } from "./proc.ts";
import { NotAvailable, type ServerHandle, type ServerSpec, startServer } from "./server.ts";
import { markdownTable, median, ms, nsPerToken, ratio, spread, times } from "./stats.ts";
import { notAvailable, type BenchContext, type SectionResult, type Target } from "./types.ts";

/** Tokens in the streamed reply. */
export const STREAM_TOKENS = 200_000;

const TITLE = "1. Streaming 200,000 tokens";

/** The two servers: the targets are judged against the at-once one. */
type Mode = "at-once" | "paced";

interface Row {
  name: string;
  available: boolean;
  why?: string;
  bytes?: number;
  runs: Array<Timing & { serverCpuMs: number }>;
}

/** Probes a consumer once (also a warm-up); unavailable when it fails or writes nothing. */
async function probe(consumer: Consumer): Promise<Row> {
  const out = await drain(consumer.cmd);
  if (out.code !== 0 || out.bytes === 0) {
    const why = out.stderr.trim().split("\n")[0] || `exit ${out.code}, ${out.bytes} bytes on stdout`;
    return { name: consumer.name, available: false, why, runs: [] };
  }
  return { name: consumer.name, available: true, bytes: out.bytes, runs: [] };
}

/** Runs every available consumer `runs` times, interleaved (order rotated) so drift hits all alike. */
async function measure(ctx: BenchContext, server: ServerHandle, consumers: Consumer[], rows: Row[], runs: number) {
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < consumers.length; k++) {
      const j = (i + k) % consumers.length;
      const row = rows[j]!;
      if (!row.available) continue;
      const before = await server.cpuMs();
      const t = await timed(consumers[j]!.cmd);
      const serverCpuMs = (await server.cpuMs()) - before;
      if (t.code !== 0) {
        row.available = false;
        row.why = `run ${i + 1} failed (exit ${t.code}): ${t.stderr.trim().split("\n")[0] ?? ""}`;
        continue;
      }
      row.runs.push({ ...t, serverCpuMs });
    }
    ctx.log(`  run ${i + 1}/${runs} done`);
  }
}

function summary(row: Row) {
  const wall = median(row.runs.map((r) => r.wallMs));
  const cpu = median(row.runs.map((r) => r.cpuMs));
  return {
    wall,
    wallSpread: spread(row.runs.map((r) => r.wallMs)),
    cpu,
    user: median(row.runs.map((r) => r.userMs)),
    sys: median(row.runs.map((r) => r.sysMs)),
    serverCpu: median(row.runs.map((r) => r.serverCpuMs)),
  };
}

const LABEL: Record<ChatPath, string> = { native: "/api/chat (NDJSON)", v1: "/v1/chat/completions (SSE)" };

/** Measures one path against one server and renders its table, its ratios and (at once) its targets. */
async function measurePath(ctx: BenchContext, server: ServerHandle, chatPath: ChatPath, mode: Mode) {
  const dir = await scratchDir(ctx.tmp);
  const setup = await oclawSetup(dir, server.url, server.model);
  const consumers = [
    oclawConsumer(ctx, setup, server.model, chatPath),
    floorConsumer(ctx, server.url, server.model, chatPath),
    libraryConsumer(ctx, server.url, server.model, chatPath),
    curlConsumer(server.url, server.model, chatPath),
  ];
  ctx.log(`streaming ${chatPath}, ${mode} server: probing ${consumers.map((c) => c.name).join(", ")}`);
  const rows: Row[] = [];
  for (const c of consumers) rows.push(await probe(c));
  await measure(ctx, server, consumers, rows, ctx.runs(mode === "at-once" ? 11 : 5, 3));

  const s = rows.map((r) => (r.available && r.runs.length ? summary(r) : undefined));
  const [oclaw, floor, library, curl] = s;
  const table = markdownTable(
    ["program", "wall (median)", "wall min–max", "CPU user+sys", "CPU / token", "wall vs floor", "wall vs curl", "server CPU"],
    rows.map((row, i) => {
      const x = s[i];
      if (!x) return [row.name, `not available: ${row.why ?? "no runs"}`, "", "", "", "", "", ""];
      return [
        row.name,
        ms(x.wall),
        `${ms(x.wallSpread[0])} – ${ms(x.wallSpread[1])}`,
        ms(x.cpu),
        nsPerToken(x.cpu, STREAM_TOKENS),
        times(ratio(x.wall, floor?.wall)),
        times(ratio(x.wall, curl?.wall)),
        ms(x.serverCpu),
      ];
    }),
  );
  const vsFloor = ratio(oclaw?.wall, floor?.wall);
  const libVsOclaw = ratio(library?.wall, oclaw?.wall);
  const sameText = rows[0]!.bytes !== undefined && rows[2]!.bytes !== undefined
    ? rows[0]!.bytes === rows[2]!.bytes ? "the same number of bytes" : `different byte counts (${rows[0]!.bytes} vs ${rows[2]!.bytes})`
    : undefined;
  const lines = [
    `##### ${LABEL[chatPath]}, ${mode} server`,
    "",
    table,
    "",
    `oclaw / floor (wall): **${times(vsFloor)}** · ${rows[2]!.name} / oclaw (wall): **${times(libVsOclaw)}**, (CPU): **${
      times(ratio(library?.cpu, oclaw?.cpu))
    }**` + (sameText ? ` · oclaw and ${rows[2]!.name} wrote ${sameText} to stdout` : ""),
  ];
  const targets: Target[] = [];
  if (mode === "at-once") {
    targets.push({
      name: `Streaming ${LABEL[chatPath]}, at once: oclaw wall / floor wall`,
      goal: "≤ 1.25×",
      value: times(vsFloor),
      met: oclaw && floor ? vsFloor <= 1.25 : undefined,
    });
    if (chatPath === "native") {
      targets.push({
        name: `Streaming ${LABEL[chatPath]}, at once: ${rows[2]!.name} wall / oclaw wall`,
        goal: "≥ 1.50×",
        value: times(libVsOclaw),
        met: oclaw && library ? libVsOclaw >= 1.5 : undefined,
      });
    }
  }
  return { markdown: lines.join("\n"), targets, raw: rows };
}

async function measureMode(ctx: BenchContext, mode: Mode) {
  const spec: ServerSpec = mode === "at-once" ? { atOnceTokens: STREAM_TOKENS } : { bulkTokens: STREAM_TOKENS };
  const server = await startServer(ctx, spec);
  try {
    const native = await measurePath(ctx, server, "native", mode);
    const v1 = await measurePath(ctx, server, "v1", mode);
    return { markdown: [native.markdown, "", v1.markdown].join("\n"), targets: [...native.targets, ...v1.targets], raw: { native: native.raw, v1: v1.raw } };
  } finally {
    await server.stop();
  }
}

/** Runs section 1. */
export async function streamingSection(ctx: BenchContext): Promise<SectionResult> {
  let atOnce, paced;
  try {
    atOnce = await measureMode(ctx, "at-once");
    paced = await measureMode(ctx, "paced");
  } catch (e) {
    if (!(e instanceof NotAvailable)) throw e;
    return notAvailable(TITLE, e.message, [
      { name: `Streaming ${LABEL.native}, at once: oclaw wall / floor wall`, goal: "≤ 1.25×" },
      { name: `Streaming ${LABEL.native}, at once: ollama (npm) wall / oclaw wall`, goal: "≥ 1.50×" },
      { name: `Streaming ${LABEL.v1}, at once: oclaw wall / floor wall`, goal: "≤ 1.25×" },
    ]);
  }
  const intro = [
    `Each program reads one ${STREAM_TOKENS.toLocaleString("en")}-token chat stream, stdout to /dev/null. Wall and CPU (user+sys, the`,
    "program and its children, from bash's `time`) are medians over interleaved runs. The **floor** is",
    "scripts/bench/floor-reader.ts in the same Bun: fetch, split lines, `JSON.parse`, write the text — nothing",
    "checked. **At once**: the server answers from one pre-built body (scripts/bench/at-once-server.ts), so its",
    "CPU per request is near zero and the client's own cost shows; the targets are judged here. **Paced**: the",
    "fake server builds each token as it sends it (about 1 µs of server CPU per token on the same two cores), as",
    "a model server does; curl's time there is mostly the server's.",
  ].join("\n");
  return {
    title: TITLE,
    markdown: [intro, "", "#### At once", "", atOnce.markdown, "", "#### Paced", "", paced.markdown].join("\n"),
    targets: atOnce.targets,
    raw: { atOnce: atOnce.raw, paced: paced.raw },
  };
}
