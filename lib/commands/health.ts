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
import { lastStateFile, readLastState, writeLastState } from "../health/last-state.ts";
import { notify, notifyUrl, pingRequest, pushUrl } from "../health/notify.ts";
import { httpContext } from "../http/context.ts";

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

/** Health's flags, read. */
interface HealthFlags {
  format: Format;
  options: HealthOptions;
  output?: string;
  ping?: URL;
  push?: URL;
  changesOnly: boolean;
}

/** Reads health's flags. @throws OclawError E_USAGE for a bad value */
function readFlags(ctx: CommandContext): HealthFlags {
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
  const out: HealthFlags = {
    format: formatFlag as Format,
    options: { configPath: ctx.global.config, models, probe: probeKind(v.probe), warnMs, critMs, timeoutMs: timeoutS * 1000 },
    changesOnly: v["changes-only"] === true,
  };
  if (typeof v.output === "string" && v.output !== "") out.output = v.output;
  if (typeof v.ping === "string") out.ping = notifyUrl(v.ping, "--ping");
  if (typeof v.push === "string") out.push = notifyUrl(v.push, "--push");
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
  usage: "health [--model REF]... [--probe[=tools]] [--format text|json|nagios|prometheus] [--warn MS] [--crit MS]\n" +
    "       [--timeout S] [--output FILE] [--ping URL] [--push URL] [--changes-only]",
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
    ping: {
      type: "string",
      arg: "URL",
      help: "After the check, POST the status line to URL (healthchecks.io): URL on OK\n" +
        "or WARNING, URL/fail on CRITICAL or UNKNOWN. Up to 3 tries in 10 s; a failed\n" +
        "ping is a warning only",
    },
    push: {
      type: "string",
      arg: "URL",
      help: "After the check, GET URL?status=up|down&msg=LINE&ping=MS (Uptime Kuma's\n" +
        "push monitor; up on OK or WARNING). Up to 3 tries in 10 s; a failed push is\n" +
        "a warning only",
    },
    "changes-only": {
      type: "boolean",
      help: "Print nothing (text and nagios) when the state is the last run's; the exit\n" +
        "code is unchanged. State in $XDG_STATE_HOME/oclaw/health/",
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
    const silent = flags.changesOnly && await unchanged(ctx, flags, report);
    const code = silent ? STATE_EXIT[report.state] : await emit(ctx, report, flags.format, flags.output);
    await notifyMonitors(ctx, flags, report);
    return code;
  },
};

/**
 * `--changes-only`: remembers this run's state and says whether the text or Nagios line may stay unprinted
 * because the last run with the same config and arguments had the same state.
 */
async function unchanged(ctx: CommandContext, flags: HealthFlags, report: HealthReport): Promise<boolean> {
  const { options } = flags;
  const file = lastStateFile(ctx.io, {
    configPath: options.configPath,
    models: options.models,
    probe: options.probe,
    warnMs: options.warnMs,
    critMs: options.critMs,
  });
  const last = await readLastState(file);
  try {
    await writeLastState(file, report.state, report.summary, report.timestamp);
  } catch (error) {
    await ctx.io.stderr.write(`oclaw: warning: --changes-only cannot keep the state: ${(error as Error).message}\n`);
  }
  ctx.log.debug(`--changes-only: last state ${last ?? "none"}, now ${report.state} (${file})`);
  return last === report.state && (flags.format === "text" || flags.format === "nagios");
}

/** `--ping` and `--push`, at once; a failure is a warning on stderr, never a change of the exit code. */
async function notifyMonitors(ctx: CommandContext, flags: HealthFlags, report: HealthReport): Promise<void> {
  if (flags.ping === undefined && flags.push === undefined) return;
  const http = httpContext(ctx.io, ctx.log);
  const sent = await Promise.all([
    flags.ping === undefined ? undefined : notify(http, "ping", pingRequest(flags.ping, report), ctx.io.interrupt),
    flags.push === undefined ? undefined : notify(http, "push", { url: pushUrl(flags.push, report) }, ctx.io.interrupt),
  ]);
  for (const problem of sent) if (problem !== undefined) await ctx.io.stderr.write(`oclaw: warning: ${problem}\n`);
}

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
    // Output that could not be written (`> /dev/full`) means monitoring got no answer: UNKNOWN, whatever the
    // check found (the reason goes to stderr on exit).
    if (await ctx.io.stdout.drain() !== undefined) return STATE_EXIT.unknown;
  }
  if (report.hint !== undefined && !ctx.global.quiet) await ctx.io.stderr.write(`hint: ${report.hint}\n`);
  return STATE_EXIT[report.state];
}
