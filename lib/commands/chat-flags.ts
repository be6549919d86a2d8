/**
 * `oclaw chat`'s flag table: the one definition of each chat flag (parser, `--help`, completion).
 * Adding a flag is one entry here; lib/chat/options.ts reads its value.
 */
import type { Flags } from "../cli/command.ts";
import { IDLE_TIMEOUT_ENV } from "../chat/options.ts";
import { DEFAULT_MAX_STEPS } from "../chat/tool-loop.ts";

/** The chat flags, in `--help` order. */
export const CHAT_FLAGS: Flags = {
  model: {
    type: "string",
    short: "m",
    multiple: true,
    arg: "REF",
    complete: "model",
    help: "Model to use, repeatable: the candidates in order (default: the configured\n" +
      "primary, then its fallbacks). REF = provider/id; without '/' the ollama provider",
  },
  system: { type: "string", short: "s", multiple: true, arg: "TEXT", help: "System message (once: a second -s is a usage error)" },
  "system-file": { type: "string", arg: "FILE", complete: "file", help: "System message read from FILE" },
  messages: {
    type: "string",
    arg: "FILE|-",
    complete: "file",
    help: "Messages to send before the prompt: a JSON array in Ollama's or OpenAI's shape\n" +
      "(role, content, images, tool_calls, tool_call_id/tool_name). A list that ends\n" +
      "with a tool result or a user message needs no prompt",
  },
  attach: {
    type: "string",
    short: "a",
    multiple: true,
    arg: "PATH|-",
    complete: "file",
    help: "Attach a file, repeatable (- = stdin): text goes into the prompt as a fenced block\n" +
      "under its name; a PNG, JPEG, WebP or GIF goes as an image to models that take\n" +
      "images (others are skipped: E_NO_IMAGES). Up to 20 MiB each",
  },
  session: {
    type: "string",
    arg: "NAME",
    help: "Continue (or start) the conversation NAME, kept in $XDG_STATE_HOME/oclaw/\n" +
      "sessions/NAME.jsonl; an interrupted or failed exchange is not kept",
  },
  continue: {
    type: "boolean",
    short: "c",
    help: "Continue the last session used (else the last logged exchange)",
  },
  "no-log": { type: "boolean", help: "Do not log this run (also OCLAW_LOG=off); see 'oclaw logs'" },
  "no-stdin": { type: "boolean", help: "Never read stdin (in loops, or under ssh that passes its own stdin on)" },
  think: {
    type: "string",
    arg: "LEVEL",
    bare: "on",
    complete: ["on", "off", "low", "medium", "high", "max"],
    help: "Thinking: on, off, low, medium, high, max (default: params.think, else on for\n" +
      "a reasoning model, so its thoughts stay out of the reply; other models get no\n" +
      "think field). A model that cannot think is asked again without it",
  },
  option: {
    type: "string",
    short: "o",
    multiple: true,
    arg: "KEY=VALUE",
    help: "An Ollama option for this run, repeatable, over the model's params: num_ctx,\n" +
      "temperature, top_p, top_k, seed, num_predict, stop, ... or keep_alive, think,\n" +
      "format, truncate, shift. VALUE is JSON5 (-o stop='[\"###\"]', -o keep_alive=10m)",
  },
  "show-thinking": {
    type: "boolean",
    help: "Print the thinking on stderr (hidden otherwise; always in --json events)",
  },
  format: { type: "string", arg: "json|FILE", complete: "file", help: "Reply in JSON, or in the JSON schema held in FILE" },
  tools: {
    type: "string",
    arg: "FILE",
    complete: "file",
    help: 'Tools the model may call: a JSON array of {"type":"function","function":{...}}.\n' +
      'An entry with "command": ["prog", "arg"...] runs: the arguments as JSON on stdin,\n' +
      'stdout is the result ("timeoutSeconds", default 60). A call of an entry without\n' +
      'a command is printed as one {"tool_call":{...}} line and ends the run',
  },
  mcp: {
    type: "string",
    multiple: true,
    arg: '"COMMAND ARGS..."',
    help: "Start a stdio MCP server and offer its tools (repeatable). Servers get\n" +
      "HOME, LOGNAME, PATH, SHELL, TERM and USER of the environment, not the rest",
  },
  "mcp-config": {
    type: "string",
    arg: "FILE",
    complete: "file",
    help: "MCP servers to start, in the common format:\n" +
      '{"mcpServers": {"NAME": {"command": "...", "args": [...], "env": {...}}}}',
  },
  yes: {
    type: "boolean",
    short: "y",
    help: "Run tools without asking; needed off a terminal (cron, scripts). On a terminal\n" +
      "each call is asked about first",
  },
  "max-steps": {
    type: "string",
    arg: "N",
    help: `Requests one run may make while the model calls tools (default ${DEFAULT_MAX_STEPS})`,
  },
  "no-stream": {
    type: "boolean",
    help: "Ask for the whole reply at once (also params.streaming: false); it must then\n" +
      "arrive within the first-chunk limit below",
  },
  "no-truncate": {
    type: "boolean",
    help: "Ask Ollama to refuse a prompt longer than the model's context (E_CONTEXT) instead\n" +
      "of cutting it (also params.truncate: false; Ollama 0.12.6+)",
  },
  timeout: { type: "string", arg: "SECONDS", help: "Limit for the whole run; exit 124 when it runs out" },
  "idle-timeout": {
    type: "string",
    arg: "SECONDS",
    help: "Longest silence between two chunks of a reply (default 300; 0: none;\n" +
      `also ${IDLE_TIMEOUT_ENV}). The first chunk may take up to 10 minutes (cold loads),\n` +
      "or the provider's timeoutSeconds when larger",
  },
  stats: { type: "boolean", help: "Durations, token counts and rates on stderr, like 'ollama run --verbose'" },
  "no-fallback": { type: "boolean", help: "Try only the first candidate" },
};

/** The paragraphs after chat's options. */
export const CHAT_NOTES = `The prompt is the words given, followed after a blank line by stdin when stdin is not a terminal.
Options sent to Ollama come from the model's params (num_ctx, temperature, keep_alive ...); num_ctx is
also taken from a contextTokens or contextWindow written in the config's model entry. A prompt longer than
a known context is warned about before sending, and one Ollama cut after the reply (W_TRUNCATED).
Exit codes: 0 ok (also when stdout is closed early), 1 failure, 2 usage, 3 config, 4 unreachable,
5 model not found, 124 --timeout, 130 interrupted.`;
