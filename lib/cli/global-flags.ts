/**
 * The flags every command accepts, anywhere on the line (cli.md "Commands"): one table for the parser, the
 * help text and the shell completion.
 */
import type { Flags } from "./command.ts";

/** Flags accepted by every command. */
export const GLOBAL_FLAGS: Flags = {
  config: {
    type: "string",
    arg: "PATH",
    complete: "file",
    help: "Config file (default: $OPENCLAW_CONFIG_PATH, $OPENCLAW_STATE_DIR/openclaw.json,\n" +
      "~/.openclaw/openclaw.json)",
  },
  json: { type: "boolean", help: "Machine-readable output on stdout (also for every failure)" },
  quiet: { type: "boolean", short: "q", help: "Less talk on stderr" },
  verbose: { type: "boolean", short: "v", help: "Requests, timings and decisions on stderr (secrets redacted)" },
  "no-color": { type: "boolean", help: "No colour (also NO_COLOR, TERM=dumb, or output not a terminal)" },
  help: { type: "boolean", short: "h", help: "Help for a command" },
  version: { type: "boolean", short: "V", help: "Version, commit, runtime and platform" },
};
