/**
 * Which MCP servers to start: `--mcp "COMMAND ARGS…"` (repeatable) and `--mcp-config FILE` in the common
 * `{"mcpServers": {"name": {"command", "args", "env"}}}` format (Claude Desktop, Cursor, VS Code's
 * `servers` aside). Only stdio servers are started; an entry with a `url` is a usage error.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { usageError } from "../errors.ts";
import { fsReason } from "../fs-errors.ts";
import { lazySchema, z } from "../zod.ts";

/** One stdio MCP server to start. */
export interface McpServerSpec {
  /** The config's name, or the program's for `--mcp`. */
  name: string;
  command: string;
  args: string[];
  /** Variables set for the server besides the allow-listed ones (HOME, PATH, …). */
  env: Record<string, string>;
  /** Where the server was named, for messages (`--mcp-config servers.json`, `--mcp`). */
  origin: string;
}

/**
 * Splits a `--mcp` value into words the way a shell would for plain words and quotes: spaces separate,
 * '…' keeps everything, "…" keeps everything but `\"` and `\\`, a backslash outside quotes escapes.
 * @throws OclawError E_USAGE for an unclosed quote or an empty command
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  // A word has started (quotes may make an empty one: '').
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) word += line[++i]!;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i]!;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined) throw usageError(`Unclosed ${quote} in --mcp '${line}'`);
  if (inWord) words.push(word);
  if (words.length === 0) throw usageError("--mcp needs a command: --mcp \"COMMAND ARGS…\"");
  return words;
}

/** The server of one `--mcp` value. */
export function mcpFlagSpec(value: string): McpServerSpec {
  const [command, ...args] = splitWords(value) as [string, ...string[]];
  return { name: path.basename(command), command, args, env: {}, origin: `--mcp '${value}'` };
}

const configSchema = lazySchema(() => {
  const server = z.looseObject({
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    url: z.string().optional(),
    disabled: z.boolean().optional(),
  });
  return z.looseObject({ mcpServers: z.record(z.string(), server) });
});

/**
 * Reads `--mcp-config FILE`; disabled entries are skipped.
 * @throws OclawError E_USAGE for an unreadable file, bad JSON, a wrong entry or an entry without `command`
 */
export async function readMcpConfig(cwd: string, file: string): Promise<McpServerSpec[]> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), "utf8");
  } catch (error) {
    throw usageError(`Cannot read --mcp-config file ${file}: ${fsReason(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw usageError(`The --mcp-config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = configSchema().safeParse(raw);
  const expected = 'Expected {"mcpServers": {"NAME": {"command": "…", "args": […], "env": {…}}}}';
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join(".") ?? "";
    throw usageError(`Invalid --mcp-config file ${file}: ${where ? `${where}: ` : ""}${issue?.message ?? "invalid"}`, expected);
  }
  const specs: McpServerSpec[] = [];
  for (const [name, server] of Object.entries(parsed.data.mcpServers)) {
    if (server.disabled === true) continue;
    if (server.command === undefined) {
      throw usageError(
        `MCP server ${name} in ${file} has no "command"${server.url === undefined ? "" : " (servers reached by url are not supported)"}`,
        expected,
      );
    }
    specs.push({
      name,
      command: server.command,
      args: server.args ?? [],
      env: server.env ?? {},
      origin: `--mcp-config ${file}`,
    });
  }
  return specs;
}
