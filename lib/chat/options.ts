/**
 * `oclaw chat`'s flags, read and checked: `--think`, `--format`, `--tools`, the timeouts and the switches.
 * Files named by flags are read here, so a bad file is a usage error before any request.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { lazySchema, z } from "../zod.ts";
import type { Think, ToolDefinition } from "../client/request.ts";
import { usageError } from "../errors.ts";
import { fsReason } from "../fs-errors.ts";
import type { Io } from "../io.ts";
import { parseRunOptions } from "./run-options.ts";
import { checkSessionName } from "./sessions.ts";
import { definitionOf, type ToolEntry, toolEntrySchema } from "../tools/command.ts";
import { mcpFlagSpec, type McpServerSpec, readMcpConfig } from "../tools/mcp-config.ts";
import { DEFAULT_MAX_STEPS } from "./tool-loop.ts";

/** Time to the first byte of a reply: cold loads on CPU take minutes (Ollama's own load limit is 5 min). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10 * 60_000;

/** Longest gap between two chunks of a streaming reply. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;

/** The environment variable that sets the idle timeout (seconds) when `--idle-timeout` is not given. */
export const IDLE_TIMEOUT_ENV = "OCLAW_IDLE_TIMEOUT";

/** Everything `oclaw chat` was asked for, besides the prompt. */
export interface ChatOptions {
  /** `-m` refs, in order (empty: the configured primary and fallbacks). */
  models: string[];
  system?: string;
  /** From `--think`; undefined: the model's `params.think`, else the server's default. */
  think?: Think;
  format?: "json" | Record<string, unknown>;
  /** The `--tools` definitions as sent (oclaw's own keys removed). */
  tools?: ToolDefinition[];
  /** The `--tools` entries as written (with `command` for tools that run). */
  toolEntries?: ToolEntry[];
  /** The `--tools` file as given. */
  toolsFile?: string;
  /** `--mcp` and `--mcp-config` servers, in the order given. */
  mcpServers: McpServerSpec[];
  /** `-y/--yes`: tools run without asking. */
  yes: boolean;
  /** `--max-steps`: requests a run makes at most. */
  maxSteps: number;
  noStream: boolean;
  /** `--no-truncate`: ask Ollama (0.12.6+) to refuse an over-long prompt instead of cutting it. */
  noTruncate?: boolean;
  noFallback: boolean;
  showThinking: boolean;
  stats: boolean;
  /** `--timeout`: the whole run. */
  timeoutMs?: number;
  /** `--idle-timeout` / OCLAW_IDLE_TIMEOUT; undefined: no idle limit (0 given). */
  idleMs?: number;
  /** `--no-stdin`: stdin is never read. */
  noStdin: boolean;
  /** `--messages FILE|-`: prior messages to send before the prompt. */
  messagesFile?: string;
  /** `-o KEY=VALUE`, read and checked: laid over each model's params for this run. */
  params: Record<string, unknown>;
  /** `--session NAME` (checked). */
  session?: string;
  /** `-c/--continue`: the last session used, else the last logged exchange. */
  continue: boolean;
  /** `--no-log`. */
  noLog: boolean;
  /** `-a/--attach PATH|-`, in order. */
  attach: string[];
}

/** The raw flag values as lib/cli parses them. */
export type FlagValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

const THINK_VALUES: Record<string, Think> = {
  on: true,
  true: true,
  off: false,
  false: false,
  low: "low",
  medium: "medium",
  high: "high",
  max: "max",
};

/**
 * Reads `--think[=LEVEL]`: bare, empty or `on` → true, `off` → false, or an effort level.
 * @throws OclawError E_USAGE for any other level
 */
export function parseThink(value: string | undefined): Think | undefined {
  if (value === undefined) return undefined;
  const think = value === "" ? true : THINK_VALUES[value.toLowerCase()];
  if (think === undefined) {
    throw usageError(
      `Unknown --think level '${value}'`,
      "Use --think, or --think=LEVEL with on, off, low, medium, high or max",
    );
  }
  return think;
}

/**
 * A positive number of seconds as milliseconds; 0 means "no limit" where `allowZero`.
 * @throws OclawError E_USAGE for anything else
 */
export function parseSeconds(value: string, flag: string, allowZero = false): number | undefined {
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds < 0 || (seconds === 0 && !allowZero)) {
    throw usageError(`Invalid ${flag} '${value}': expected a number of seconds${allowZero ? " (0: none)" : ""}`);
  }
  return seconds === 0 ? undefined : seconds * 1000;
}

const toolsSchema = lazySchema(() => z.array(toolEntrySchema()));

/**
 * Reads a text file named by a flag.
 * @throws OclawError E_USAGE naming the flag and the file
 */
async function readTextFile(io: Io, file: string, flag: string): Promise<string> {
  try {
    return await readFile(path.resolve(io.cwd, file), "utf8");
  } catch (error) {
    throw usageError(`Cannot read ${flag} file ${file}: ${fsReason(error)}`);
  }
}

async function readJsonFile(io: Io, file: string, flag: string): Promise<unknown> {
  const full = path.resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(full, "utf8");
  } catch (error) {
    throw usageError(
      `Cannot read ${flag} file ${file}: ${fsReason(error)}`,
      flag === "--format" ? "--format takes json, or a file holding a JSON schema" : undefined,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`The ${flag} file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Reads a `--tools` file: a JSON array of `{type:"function",function:{name,description,parameters}}`,
 * each optionally with `command` (argv) and `timeoutSeconds`.
 * @throws OclawError E_USAGE naming the file and the first wrong entry
 */
export async function readTools(io: Io, file: string): Promise<ToolEntry[]> {
  const parsed = toolsSchema().safeParse(await readJsonFile(io, file, "--tools"));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`).join("") : "";
    throw usageError(
      `Invalid --tools file ${file}: ${where ? `${where.replace(/^\./, "")}: ` : ""}${issue?.message ?? "invalid"}`,
      'Expected a JSON array of {"type":"function","function":{"name","description","parameters"},"command":[…]}',
    );
  }
  return parsed.data;
}

/**
 * Reads `--format`: `json`, or a file holding a JSON schema object.
 * @throws OclawError E_USAGE for an unreadable file or a schema that is not an object
 */
export async function readFormat(io: Io, value: string): Promise<"json" | Record<string, unknown>> {
  if (value === "json") return "json";
  const schema = await readJsonFile(io, value, "--format");
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    throw usageError(`The --format file ${value} must hold a JSON schema object`, "Or use --format json");
  }
  return schema as Record<string, unknown>;
}

const str = (v: FlagValues[string]) => (typeof v === "string" ? v : undefined);
const strings = (v: FlagValues[string]) => (Array.isArray(v) ? v.filter((m): m is string => typeof m === "string") : []);

/**
 * Reads and checks chat's flags (and OCLAW_IDLE_TIMEOUT).
 * @throws OclawError E_USAGE for a bad value or file
 */
export async function chatOptions(values: FlagValues, io: Io): Promise<ChatOptions> {
  const models = strings(values.model);
  const options: ChatOptions = {
    models,
    noStream: values["no-stream"] === true,
    noTruncate: values["no-truncate"] === true,
    noFallback: values["no-fallback"] === true,
    showThinking: values["show-thinking"] === true,
    stats: values.stats === true,
    noStdin: values["no-stdin"] === true,
    params: parseRunOptions(strings(values.option)),
    continue: values.continue === true,
    noLog: values["no-log"] === true,
    attach: strings(values.attach),
    yes: values.yes === true,
    maxSteps: DEFAULT_MAX_STEPS,
    mcpServers: [],
  };
  const stdinAttached = options.attach.filter((a) => a === "-").length;
  if (stdinAttached > 1) throw usageError("-a - is given twice: stdin can be read once");
  if (stdinAttached === 1 && options.noStdin) {
    throw usageError("-a - reads stdin, and --no-stdin says not to", "Attach a file, or drop --no-stdin");
  }
  if (stdinAttached === 1 && values.messages === "-") {
    throw usageError("-a - and --messages - both read stdin", "Give one of them a file");
  }
  const session = str(values.session);
  if (session !== undefined) {
    if (options.continue) throw usageError("--session and -c/--continue both say which conversation to continue", "Give one of them");
    options.session = checkSessionName(session);
  }
  // Collected (multiple), so that a second -s is an error rather than silently replacing the first.
  const systems = strings(values.system);
  if (systems.length > 1) {
    throw usageError(
      `-s/--system given ${systems.length} times: a run has one system prompt`,
      "Put it all in one -s 'TEXT' (or in a file: --system-file FILE)",
    );
  }
  const system = systems[0];
  const systemFile = str(values["system-file"]);
  if (system !== undefined && systemFile !== undefined) {
    throw usageError("-s/--system and --system-file both give the system prompt", "Give one of them");
  }
  if (system !== undefined) options.system = system;
  if (systemFile !== undefined) options.system = await readTextFile(io, systemFile, "--system-file");
  const messagesFile = str(values.messages);
  if (messagesFile !== undefined) {
    if (messagesFile === "-" && options.noStdin) {
      throw usageError("--messages - reads stdin, and --no-stdin says not to", "Give --messages a file, or drop --no-stdin");
    }
    options.messagesFile = messagesFile;
  }
  const think = parseThink(str(values.think));
  if (think !== undefined) options.think = think;
  const format = str(values.format);
  if (format !== undefined) options.format = await readFormat(io, format);
  const tools = str(values.tools);
  if (tools !== undefined) {
    const entries = await readTools(io, tools);
    options.toolEntries = entries;
    options.toolsFile = tools;
    options.tools = entries.map(definitionOf);
  }
  const mcp = Array.isArray(values.mcp) ? values.mcp.filter((m): m is string => typeof m === "string") : [];
  options.mcpServers.push(...mcp.map(mcpFlagSpec));
  const mcpConfig = str(values["mcp-config"]);
  if (mcpConfig !== undefined) options.mcpServers.push(...await readMcpConfig(io.cwd, mcpConfig));
  const maxSteps = str(values["max-steps"]);
  if (maxSteps !== undefined) {
    const n = Number(maxSteps);
    if (!Number.isInteger(n) || n < 1 || maxSteps.trim() === "") {
      throw usageError(`Invalid --max-steps '${maxSteps}': expected a whole number of requests, 1 or more`);
    }
    options.maxSteps = n;
  }
  const timeout = str(values.timeout);
  if (timeout !== undefined) {
    const ms = parseSeconds(timeout, "--timeout");
    if (ms !== undefined) options.timeoutMs = ms;
  }
  const idle = str(values["idle-timeout"]) ?? io.env[IDLE_TIMEOUT_ENV];
  const idleMs = idle === undefined
    ? DEFAULT_IDLE_TIMEOUT_MS
    : parseSeconds(idle, values["idle-timeout"] === undefined ? IDLE_TIMEOUT_ENV : "--idle-timeout", true);
  if (idleMs !== undefined) options.idleMs = idleMs;
  return options;
}
