/**
 * oclaw's entry point: builds the process's Io, runs the command line, exits with its code.
 * The only place that exits.
 */
import process from "node:process";
import { run } from "./lib/cli/run.ts";
import { exitWith, processIo } from "./lib/runtime.ts";

const code = await run(process.argv.slice(2), processIo());
await exitWith(code);
