/**
 * `oclaw doctor [--probe]`: every check of the setup, each ok / warn / fail with the fix.
 * Exit 0 when nothing failed, 1 otherwise.
 */
import type { TopLevelCommand } from "../cli/command.ts";
import { formatDoctorJson, formatDoctorText } from "../checks/doctor-format.ts";
import { runDoctor } from "../checks/doctor.ts";
import { EXIT, OclawError } from "../errors.ts";

/** The `doctor` command. */
export const doctorCommand: TopLevelCommand = {
  name: "doctor",
  usage: "doctor [--probe] [--json]",
  flags: {
    probe: { type: "boolean", help: "Also send a tiny chat to the primary model: time to first token and tokens/s" },
  },
  json: "One JSON document: {status, checks:[{name,status,message,fix}]}",
  notes: [
    "Checks: config found and valid; config file permissions while it holds a key; which providers are",
    "enabled and how; each server reachable (refused, firewalled, DNS, Host check, another program on the",
    "port); Ollama's version; tool-capable models and the ones skipped; primary and fallbacks installed and",
    "tool-capable; models loaded on the CPU; allocated context below the configured one.",
    "Exit status: 0 when no check failed (warnings allowed), 1 otherwise.",
  ].join("\n"),
  async run(ctx) {
    if (ctx.positionals.length > 0) {
      throw new OclawError("E_USAGE", `Unexpected argument '${ctx.positionals[0]}'`, {
        hint: "Run 'oclaw doctor --help' for usage",
      });
    }
    const checks = await runDoctor(ctx.io, ctx.log, {
      configPath: ctx.global.config,
      probe: ctx.values.probe === true,
      signal: ctx.io.interrupt,
    });
    if (ctx.io.interrupt.aborted) throw new OclawError("E_ABORTED", "Interrupted");
    const out = ctx.global.json ? formatDoctorJson(checks) : formatDoctorText(checks, ctx.global.color);
    await ctx.io.stdout.write(out);
    return checks.some((c) => c.status === "fail") ? EXIT.failure : EXIT.ok;
  },
};
