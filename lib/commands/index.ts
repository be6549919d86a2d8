/**
 * Every top-level command, in the order `oclaw --help` lists them, with its one-line summary (said here only:
 * a command's module does not repeat it, and does not import this table). A command's module is loaded only
 * when the command is run: `--version`, `--help` and each command evaluate none of the others' code
 * (start-up matters for a health check run every minute).
 */
import type { Command, TopLevelCommand } from "../cli/command.ts";

/** A top-level command before its module is loaded. */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

function entry(name: string, summary: string, load: () => Promise<TopLevelCommand>): CommandEntry {
  return { name, summary, load: async () => ({ ...(await load()), summary }) };
}

/** The command table. */
export const COMMANDS: CommandEntry[] = [
  entry(
    "chat",
    "Send a prompt and stream the reply (text, thinking, tool calls)",
    async () => (await import("./chat.ts")).chatCommand,
  ),
  entry("models", "List, inspect, discover and pull models", async () => (await import("./models.ts")).modelsCommand),
  entry(
    "config",
    "Read and edit the OpenClaw config file (get, set, unset, file, validate)",
    async () => (await import("./config.ts")).configCommand,
  ),
  entry(
    "logs",
    "Show the last runs of chat from the run log (readable, or one JSON object a line)",
    async () => (await import("./logs.ts")).logsCommand,
  ),
  entry(
    "doctor",
    "Check the setup end to end and say how to fix what is wrong",
    async () => (await import("./doctor.ts")).doctorCommand,
  ),
  entry(
    "ps",
    "Show the models loaded on every Ollama provider (size, GPU share, context, until)",
    async () => (await import("./ps.ts")).psCommand,
  ),
  entry(
    "warm",
    "Load models into memory now (the primary by default) and wait for the load",
    async () => (await import("./warm.ts")).warmCommand,
  ),
  entry("stop", "Unload models from memory (keep_alive 0)", async () => (await import("./warm.ts")).stopCommand),
  entry(
    "health",
    "Fast check for cron and monitoring (Nagios exit codes; text, json, nagios, prometheus)",
    async () => (await import("./health.ts")).healthCommand,
  ),
];
