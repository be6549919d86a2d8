/**
 * Every top-level command, in the order `oclaw --help` lists them.
 */
import type { Command } from "../cli/command.ts";
import { chatCommand } from "./chat.ts";
import { configCommand } from "./config.ts";
import { doctorCommand } from "./doctor.ts";
import { healthCommand } from "./health.ts";
import { modelsCommand } from "./models.ts";

/** The command table. */
export const COMMANDS: Command[] = [chatCommand, modelsCommand, configCommand, doctorCommand, healthCommand];
