/**
 * Every top-level command, in the order `oclaw --help` lists them. A command's module is loaded only when
 * the command is run: `--version`, `--help` and each command evaluate none of the others' code (start-up
 * matters for a health check run every minute).
 */
import type { Command } from "../cli/command.ts";

/** A top-level command before its module is loaded. */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

/** The command table. */
export const COMMANDS: CommandEntry[] = [
  {
    name: "chat",
    summary: "Send a prompt and stream the reply (text, thinking, tool calls)",
    load: async () => (await import("./chat.ts")).chatCommand,
  },
  {
    name: "models",
    summary: "List, inspect, discover and pull models",
    load: async () => (await import("./models.ts")).modelsCommand,
  },
  {
    name: "config",
    summary: "Read and edit the OpenClaw config file (get, set, unset, file, validate)",
    load: async () => (await import("./config.ts")).configCommand,
  },
  {
    name: "doctor",
    summary: "Check the setup end to end and say how to fix what is wrong",
    load: async () => (await import("./doctor.ts")).doctorCommand,
  },
  {
    name: "health",
    summary: "Fast check for cron and monitoring (Nagios exit codes; text, json, nagios, prometheus)",
    load: async () => (await import("./health.ts")).healthCommand,
  },
];

/** The summary of a top-level command, for its own module's `summary` (said once, here). */
export function summaryOf(name: string): string {
  return COMMANDS.find((c) => c.name === name)?.summary ?? "";
}
