/**
 * `oclaw config` (being built: see its issue).
 */
import type { Command } from "../cli/command.ts";

/** The `config` command. */
export const configCommand: Command = {
  name: "config",
  summary: "(not built yet)",
  usage: "config",
};
