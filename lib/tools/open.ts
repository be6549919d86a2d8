/**
 * Opens the tools of a run: the `--tools` file's entries and the MCP servers, merged into one
 * {@link ToolBox}. Servers are started together; on any failure the ones started are stopped again.
 */
import type { ToolEntry } from "./command.ts";
import { commandTools } from "./command.ts";
import type { McpServerSpec } from "./mcp-config.ts";
import { startMcpServers } from "./mcp.ts";
import { type ToolBox, toolBox, type ToolSource } from "./toolbox.ts";

/** What a run's tools come from. */
export interface OpenToolsOptions {
  entries: ToolEntry[] | undefined;
  /** The `--tools` file as given. */
  file: string | undefined;
  servers: McpServerSpec[];
  /** The caller's environment; command tools get it without oclaw's secrets. */
  env: Readonly<Record<string, string | undefined>>;
  /** Values never handed to a tool's environment (API keys, tokens). */
  secrets: readonly string[];
  cwd: string;
  signal: AbortSignal;
}

/** The caller's environment without variables holding one of oclaw's secrets. */
export function toolEnv(env: Readonly<Record<string, string | undefined>>, secrets: readonly string[]): Record<string, string> {
  const hidden = new Set(secrets.filter((s) => s !== ""));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !hidden.has(v)) out[k] = v;
  return out;
}

/**
 * Opens every tool source of a run.
 * @throws OclawError E_TOOL when an MCP server does not start, E_USAGE when two tools share a name
 */
export async function openTools(options: OpenToolsOptions): Promise<ToolBox> {
  const sources: ToolSource[] = [];
  if (options.entries !== undefined) {
    sources.push(commandTools(options.entries, {
      env: toolEnv(options.env, options.secrets),
      cwd: options.cwd,
      file: options.file ?? "",
    }));
  }
  if (options.servers.length > 0) {
    sources.push(...await startMcpServers(options.servers, { cwd: options.cwd, signal: options.signal }));
  }
  try {
    return toolBox(sources);
  } catch (error) {
    await Promise.all(sources.map((s) => s.close()));
    throw error;
  }
}
