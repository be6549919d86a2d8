/**
 * `oclaw models` (being built: see its issue).
 */
import type { Command } from "../cli/command.ts";

/** The `models` command. */
export const modelsCommand: Command = {
  name: "models",
  summary: "(not built yet)",
  usage: "models",
};
