/**
 * `oclaw chat` (being built: see its issue).
 */
import type { Command } from "../cli/command.ts";

/** The `chat` command. */
export const chatCommand: Command = {
  name: "chat",
  summary: "(not built yet)",
  usage: "chat",
};
