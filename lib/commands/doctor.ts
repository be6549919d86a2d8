/**
 * `oclaw doctor` (being built: see its issue).
 */
import type { Command } from "../cli/command.ts";

/** The `doctor` command. */
export const doctorCommand: Command = {
  name: "doctor",
  summary: "(not built yet)",
  usage: "doctor",
};
