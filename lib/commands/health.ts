/**
 * `oclaw health` (being built: see its issue).
 */
import type { Command } from "../cli/command.ts";

/** The `health` command. */
export const healthCommand: Command = {
  name: "health",
  summary: "(not built yet)",
  usage: "health",
};
