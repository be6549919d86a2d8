/**
 * Section 1: how fast oclaw consumes a 200,000-token stream, against the official library under the same
 * runtime and curl, on the native /api/chat path and the /v1 SSE path. Wall and CPU time, medians.
 */
import { oclawSetup, scratchDir } from "./config.ts";
import { type ChatPath, type Consumer, curlConsumer, libraryConsumer, oclawConsumer } from "./consumers.ts";
import { drain, type Timing, timed } from "./proc.ts";
import { NotAvailable, type ServerHandle, startServer } from "./server.ts";
import { markdownTable, median, ms, nsPerToken, ratio, spread, times } from "./stats.ts";
import { notAvailable, type BenchContext, type SectionResult, type Target } from "./types.ts";

/** Tokens in the streamed reply. */
export const STREAM_TOKENS = 200_000;

const TITLE = "1. Streaming 200,000 tokens";

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

/** Measures one path and renders its table and targets. */
async function measurePath(ctx: BenchContext, server: ServerHandle, chatPath: ChatPath) {
  const dir = await scratchDir(ctx.tmp);
  const setup = await oclawSetup(dir, server.url, server.model);
  const consumers = [
    oclawConsumer(ctx, setup, server.model, chatPath),
    libraryConsumer(ctx, server.url, server.model, chatPath),
    curlConsumer(server.url, server.model, chatPath),
  ];
  ctx.log(`streaming ${chatPath}: probing ${consumers.map((c) => c.name).join(", ")}`);
  const rows: Row[] = [];
  for (const c of consumers) rows.push(await probe(c));
  await measure(ctx, server, consumers, rows, ctx.runs(7, 3));

  const [oclaw, library, curl] = rows.map((r) => (r.available && r.runs.length ? summary(r) : undefined));
  const table = markdownTable(
    ["program", "wall (median)", "wall min–max", "CPU user+sys", "user", "sys", "CPU / token", "wall vs curl", "CPU vs curl", "server CPU"],
    rows.map((row, i) => {
      const s = [oclaw, library, curl][i];
      if (!s) return [row.name, `not available yet: ${row.why ?? "no runs"}`, "", "", "", "", "", "", "", ""];
      return [
        row.name,
        ms(s.wall),
        `${ms(s.wallSpread[0])} – ${ms(s.wallSpread[1])}`,
        ms(s.cpu),
        ms(s.user),
        ms(s.sys),
        nsPerToken(s.cpu, STREAM_TOKENS),
        times(ratio(s.wall, curl?.wall)),
        times(ratio(s.cpu, curl?.cpu)),
        ms(s.serverCpu),
      ];
    }),
  );
  const label = chatPath === "native" ? "/api/chat (NDJSON)" : "/v1/chat/completions (SSE)";
  const vsCurl = ratio(oclaw?.wall, curl?.wall);
  const vsLib = ratio(library?.wall, oclaw?.wall);
  const cpuVsLib = ratio(library?.cpu, oclaw?.cpu);
  const sameText = rows[0]!.bytes !== undefined && rows[1]!.bytes !== undefined
    ? rows[0]!.bytes === rows[1]!.bytes ? "the same number of bytes" : `different byte counts (${rows[0]!.bytes} vs ${rows[1]!.bytes})`
    : undefined;
  const lines = [
    `#### ${label}`,
    "",
    table,
    "",
    `oclaw vs curl (wall): **${times(vsCurl)}** · ${library ? rows[1]!.name : "library"} / oclaw (wall): **${times(vsLib)}**, (CPU): **${times(cpuVsLib)}**` +
      (sameText ? ` · oclaw and ${rows[1]!.name} wrote ${sameText} to stdout` : ""),
  ];
  const targets: Target[] = [
    { name: `Streaming ${label}: oclaw wall vs curl`, goal: "≤ 1.50×", value: times(vsCurl), met: oclaw && curl ? vsCurl <= 1.5 : undefined },
    {
      name: `Streaming ${label}: ${rows[1]!.name} wall / oclaw wall`,
      goal: "≥ 1.50×",
      value: times(vsLib),
      met: oclaw && library ? vsLib >= 1.5 : undefined,
    },
    {
      name: `Streaming ${label}: oclaw CPU per token`,
      goal: "reported",
      value: oclaw ? nsPerToken(oclaw.cpu, STREAM_TOKENS) : "not available yet",
      met: oclaw ? true : undefined,
    },
  ];
  return { markdown: lines.join("\n"), targets, raw: rows };
}

/** Runs section 1. */
export async function streamingSection(ctx: BenchContext): Promise<SectionResult> {
  let server: ServerHandle;
  try {
    server = await startServer(ctx, { bulkTokens: STREAM_TOKENS });
  } catch (e) {
    if (!(e instanceof NotAvailable)) throw e;
    return notAvailable(TITLE, e.message, ["/api/chat", "/v1"].flatMap((p) => [
      { name: `Streaming ${p}: oclaw wall vs curl`, goal: "≤ 1.50×" },
      { name: `Streaming ${p}: library wall / oclaw wall`, goal: "≥ 1.50×" },
      { name: `Streaming ${p}: oclaw CPU per token`, goal: "reported" },
    ]));
  }
  try {
    const native = await measurePath(ctx, server, "native");
    const v1 = await measurePath(ctx, server, "v1");
    const intro = [
      `Each program reads one ${STREAM_TOKENS.toLocaleString("en")}-token chat stream that the fake server writes as fast as`,
      "the socket takes, stdout to /dev/null. Wall and CPU (user+sys, the program and its children, from bash's",
      "`time`) are medians over the runs; runs are interleaved. \"server CPU\" is what the fake server (a separate",
      "Bun process) spent producing the stream in the same run: it competes for the same two cores, so curl's time",
      "is mostly the server's.",
    ].join("\n");
    return {
      title: TITLE,
      markdown: [intro, "", native.markdown, "", v1.markdown].join("\n"),
      targets: [...native.targets, ...v1.targets],
      raw: { native: native.raw, v1: v1.raw },
    };
  } finally {
    await server.stop();
  }
}
