/**
 * `oclaw health`: a fast check for cron and monitoring, with Nagios plugin exit codes (0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN — also for bad flags and a bad config) and four output formats.
 */
import { writeFileAtomic } from "../atomic-write.ts";
import type { CommandContext, TopLevelCommand } from "../cli/command.ts";
import { OclawError, usageError } from "../errors.ts";
import { formatHealthJson, formatHealthNagios, formatHealthText } from "../health/format.ts";
import { formatHealthPrometheus } from "../health/prometheus.ts";
import { type HealthReport, STATE_EXIT } from "../health/report.ts";
import type { ProbeKind } from "../health/probe.ts";
import { type HealthOptions, runHealth, unknownReport } from "../health/run.ts";

/** The output formats. */
const FORMATS = ["text", "json", "nagios", "prometheus"] as const;
type Format = typeof FORMATS[number];

/** Defaults: latency thresholds in ms, the whole check's time limit in seconds. */
export const HEALTH_DEFAULTS = { warnMs: 500, critMs: 2000, timeoutS: 10 } as const;

const FORMATTERS: Record<Format, (report: HealthReport) => string> = {
  text: formatHealthText,
  json: formatHealthJson,
  nagios: formatHealthNagios,
  prometheus: formatHealthPrometheus,
};

function number(value: unknown, flag: string, unit: RegExp, fallback: number): number {
  if (value === undefined) return fallback;
  const text = String(value).trim().replace(unit, "");
  const n = Number(text);
  if (text === "" || !Number.isFinite(n) || n <= 0) {
    throw usageError(`Invalid ${flag} '${String(value)}': expected a positive number`, "Run 'oclaw health --help'");
  }
  return n;
}

/** The format asked for on a line the parser rejected (text when it cannot tell). */
function formatFromArgs(args: string[]): Format {
  let format: string | undefined = args.includes("--json") ? "json" : undefined;
  for (const [i, arg] of args.entries()) {
    if (arg === "--format") format = args[i + 1];
    else if (arg.startsWith("--format=")) format = arg.slice("--format=".length);
  }
  return (FORMATS as readonly string[]).includes(format ?? "") ? format as Format : "text";
}

/** `--probe` → the first-token probe, `--probe=tools` → the tool-call probe. @throws OclawError E_USAGE */
function probeKind(value: unknown): ProbeKind | undefined {
  if (value === undefined) return undefined;
  if (value === "first-token" || value === "") return "first-token";
  if (value === "tools") return "tools";
  throw usageError(`Invalid --probe '${String(value)}': expected --probe or --probe=tools`, "Run 'oclaw health --help'");
}

/** Reads health's flags. @throws OclawError E_USAGE for a bad value */
function readFlags(ctx: CommandContext): { format: Format; options: HealthOptions; output?: string } {
  const v = ctx.values;
  const formatFlag = typeof v.format === "string" ? v.format : ctx.global.json ? "json" : "text";
  if (!(FORMATS as readonly string[]).includes(formatFlag)) {
    throw usageError(`Invalid --format '${formatFlag}': expected ${FORMATS.join(", ")}`);
  }
  if (ctx.positionals.length > 0) {
    throw usageError(`Unexpected argument '${ctx.positionals[0]}'`, "Give models with --model REF");
  }
  const warnMs = number(v.warn, "--warn", /ms$/i, HEALTH_DEFAULTS.warnMs);
  const critMs = number(v.crit, "--crit", /ms$/i, HEALTH_DEFAULTS.critMs);
  if (warnMs > critMs) throw usageError(`--warn ${warnMs} is above --crit ${critMs}`, "The warning threshold must not exceed the critical one");
  const timeoutS = number(v.timeout, "--timeout", /s$/i, HEALTH_DEFAULTS.timeoutS);
  const models = (Array.isArray(v.model) ? v.model : v.model === undefined ? [] : [v.model]).map(String);
  const out: { format: Format; options: HealthOptions; output?: string } = {
    format: formatFlag as Format,
    options: { configPath: ctx.global.config, models, probe: probeKind(v.probe), warnMs, critMs, timeoutMs: timeoutS * 1000 },
  };
  if (typeof v.output === "string" && v.output !== "") out.output = v.output;
  return out;
}

/** The `health` command. */
export const healthCommand: TopLevelCommand = {
  name: "health",
  // A flag the parser rejects is UNKNOWN too, with the status line monitoring expects on stdout.
  onUsageError: async (error, io, args) => {
    const format = formatFromArgs(args);
    const base = { warnMs: HEALTH_DEFAULTS.warnMs, critMs: HEALTH_DEFAULTS.critMs, timestamp: io.wallClock() / 1000 };
    const report = unknownReport(error, base);
    await io.stdout.write(FORMATTERS[format](report));
    if (report.hint !== undefined) await io.stderr.write(`hint: ${report.hint}\n`);
    return STATE_EXIT.unknown;
  },
  usage: "health [--model REF]... [--probe[=tools]] [--format text|json|nagios|prometheus] [--warn MS] [--crit MS] [--timeout S] [--output FILE]",
  flags: {
    model: {
      type: "string",
      short: "m",
      multiple: true,
      arg: "REF",
      complete: "model",
      help: "A candidate model (repeatable; default: the primary, then the fallbacks)",
    },
    probe: {
      type: "string",
      bare: "first-token",
      arg: "tools",
      help: "Also send a tiny chat to the active model; its time to first token is\n" +
        "the latency judged. =tools offers one tool and wants a structured tool call",
    },
    format: {
      type: "string",
      arg: "FORMAT",
      complete: FORMATS,
      help: "text (default), json, nagios (with performance data), prometheus",
    },
    warn: { type: "string", arg: "MS", help: `WARNING when the latency is over MS (default ${HEALTH_DEFAULTS.warnMs})` },
    crit: { type: "string", arg: "MS", help: `CRITICAL when the latency is over MS (default ${HEALTH_DEFAULTS.critMs})` },
    timeout: {
      type: "string",
      arg: "S",
      help: `Answer within S seconds whatever the network does (default ${HEALTH_DEFAULTS.timeoutS})`,
    },
    output: {
      type: "string",
      arg: "FILE",
      complete: "file",
      help: "Write the output to FILE atomically (temp file + rename), e.g. for\n" +
        "node_exporter's textfile collector, instead of stdout ('-': stdout).\n" +
        "Only a regular file (or a link to one) is replaced: a device, FIFO,\n" +
        "socket or directory is refused (UNKNOWN)",
    },
  },
  notes: [
    "Without --probe the latency is the time the status requests took (/api/version, /api/tags, /api/ps).",
    "Exit status (Nagios plugin API): 0 OK; 1 WARNING (a fallback serves instead of the primary, a",
    "missing fallback, the active model partly on the CPU or with less context than configured, no model",
    "configured, latency over --warn, no structured tool call with --probe=tools); 2 CRITICAL",
    "(unreachable, nothing usable, latency over --crit, a failed probe); 3 UNKNOWN (bad config or flags).",
  ].join("\n"),
  async run(ctx) {
    let flags: ReturnType<typeof readFlags>;
    try {
      flags = readFlags(ctx);
    } catch (error) {
      const format = typeof ctx.values.format === "string" && (FORMATS as readonly string[]).includes(ctx.values.format)
        ? ctx.values.format as Format
        : ctx.global.json ? "json" : "text";
      const base = { warnMs: HEALTH_DEFAULTS.warnMs, critMs: HEALTH_DEFAULTS.critMs, timestamp: ctx.io.wallClock() / 1000 };
      return await emit(ctx, unknownReport(error, base), format, undefined);
    }
    const report = await runHealth(ctx.io, ctx.log, flags.options);
    return await emit(ctx, report, flags.format, flags.output);
  },
};

async function emit(ctx: CommandContext, report: HealthReport, format: Format, output: string | undefined): Promise<number> {
  const text = FORMATTERS[format](report);
  if (output !== undefined) {
    try {
      await writeFileAtomic(output, text, { stdout: (t) => ctx.io.stdout.write(t) });
    } catch (error) {
      const e = error instanceof OclawError ? error : new OclawError("E_WRITE", String(error));
      await ctx.io.stderr.write(`oclaw: ${e.message}\n`);
      return STATE_EXIT.unknown;
    }
  } else {
    await ctx.io.stdout.write(text);
  }
  if (report.hint !== undefined && !ctx.global.quiet) await ctx.io.stderr.write(`hint: ${report.hint}\n`);
  return STATE_EXIT[report.state];
}
