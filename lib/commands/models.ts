/**
 * `oclaw models`: list, show, discover and pull models (the subcommands live in lib/commands/models/).
 */
import type { TopLevelCommand } from "../cli/command.ts";
import { discoverCommand } from "./models/discover.ts";
import { listCommand } from "./models/list.ts";
import { pullCommand } from "./models/pull.ts";
import { showCommand } from "./models/show.ts";

/** The `models` command. */
export const modelsCommand: TopLevelCommand = {
  name: "models",
  usage: "models <list|show|discover|pull> [options]",
  subcommands: [listCommand, showCommand, discoverCommand, pullCommand],
};
