/**
 * MCP servers over stdio, through the official TypeScript SDK (`@modelcontextprotocol/sdk`: transport →
 * JSON-RPC with ids, timeouts and cancellation → client). The SDK gives each server an allow-listed
 * environment (HOME, LOGNAME, PATH, SHELL, TERM, USER; never oclaw's keys) plus the config's `env`, and
 * stops it in stages (close stdin, SIGTERM, SIGKILL). A tool that ran and failed (`isError`, an MCP error
 * answer) is a result the model sees; a server that cannot start or answer `initialize` is E_TOOL.
 * The SDK is loaded only when a server is named: it is large, and most runs use none.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { ToolDefinition } from "../client/request.ts";
import { OclawError } from "../errors.ts";
import { VERSION } from "../version.ts";
import type { McpServerSpec } from "./mcp-config.ts";
import { capOutput, type ToolResult, type ToolSource } from "./toolbox.ts";

/** Longest wait for a server to start and answer `initialize` and `tools/list`. */
export const MCP_START_TIMEOUT_MS = 30_000;

/** Longest wait for one tool call's answer (the run's --timeout and Ctrl-C stop it sooner). */
export const MCP_CALL_TIMEOUT_MS = 10 * 60_000;

/** Characters of a server's stderr kept for error messages. */
const STDERR_TAIL = 2000;

type Content = Awaited<ReturnType<Client["callTool"]>>["content"];

/** The text of a tool result's content: text parts as they are, other parts described in one line. */
export function contentText(content: unknown, structured: unknown): string {
  const parts: string[] = [];
  for (const item of Array.isArray(content) ? content as Content : []) {
    if (typeof item !== "object" || item === null) continue;
    const c = item as Record<string, unknown>;
    if (c.type === "text" && typeof c.text === "string") parts.push(c.text);
    else if ((c.type === "image" || c.type === "audio") && typeof c.data === "string") {
      parts.push(`[${c.type} ${String(c.mimeType)}, ${Math.floor(c.data.length * 3 / 4)} bytes, not shown]`);
    } else if (c.type === "resource" && typeof c.resource === "object" && c.resource !== null) {
      const r = c.resource as Record<string, unknown>;
      parts.push(typeof r.text === "string" ? r.text : `[resource ${String(r.uri)}]`);
    } else if (c.type === "resource_link") parts.push(`[resource link ${String(c.uri)}]`);
  }
  if (parts.length === 0 && structured !== undefined) return JSON.stringify(structured);
  return parts.join("\n");
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  if (code === "ENOENT") return "no such program";
  if (code === "EACCES") return "permission denied";
  return message.replace(/^MCP error -?\d+: /, "");
}

/**
 * Starts one stdio MCP server, initializes it and lists its tools.
 * @throws OclawError E_TOOL when it cannot be started or does not answer (its stderr tail in the message);
 *   the signal's reason when stopped meanwhile
 */
export async function startMcpServer(spec: McpServerSpec, options: { cwd: string; signal: AbortSignal }): Promise<ToolSource> {
  const [{ Client }, { StdioClientTransport }] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/stdio.js"),
  ]);
  const transport = new StdioClientTransport({
    command: spec.command,
    args: spec.args,
    env: spec.env,
    cwd: options.cwd,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Uint8Array | string) => {
    stderr = (stderr + String(chunk)).slice(-STDERR_TAIL);
  });
  const client = new Client({ name: "oclaw", version: VERSION });
  const label = `MCP server ${spec.name} (${spec.origin})`;
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= client.close().catch(() => {}));
  const started = (error: unknown) => {
    const tail = stderr.trim().split("\n").slice(-5).join("\n");
    return new OclawError("E_TOOL", `${label} did not start: ${reasonOf(error)}${tail ? `; its stderr: ${tail}` : ""}`, {
      cause: error,
      hint: `Check that '${[spec.command, ...spec.args].join(" ")}' starts an MCP server on stdio`,
    });
  };
  const tools: ToolDefinition[] = [];
  try {
    const request = { signal: options.signal, timeout: MCP_START_TIMEOUT_MS };
    await client.connect(transport, request);
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor }, request);
      for (const tool of page.tools) {
        const fn: ToolDefinition["function"] = { name: tool.name, parameters: tool.inputSchema };
        if (tool.description !== undefined) fn.description = tool.description;
        tools.push({ type: "function", function: fn });
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  } catch (error) {
    await close();
    if (options.signal.aborted) throw options.signal.reason;
    throw started(error);
  }
  const names = new Set(tools.map((t) => t.function.name));
  return {
    label,
    list: () => tools,
    runs: (name) => names.has(name),
    async call(name, args, context): Promise<ToolResult> {
      try {
        const result = await client.callTool({ name, arguments: args }, undefined, {
          signal: context.signal,
          timeout: MCP_CALL_TIMEOUT_MS,
        });
        const output = capOutput(contentText(result.content, result.structuredContent));
        return { ok: result.isError !== true, output };
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        const code = (error as { code?: unknown }).code;
        // -32000: the connection closed (the server died); nothing more can be asked of it.
        if (code === -32000 || transport.pid === null) {
          throw new OclawError("E_TOOL", `${label} stopped while running ${name}: ${reasonOf(error)}`, { cause: error });
        }
        return { ok: false, output: `Tool ${name} failed: ${reasonOf(error)}` };
      }
    },
    close,
  };
}

/**
 * Starts every server (at the same time); when one fails, the others are stopped before the error is thrown.
 * @throws OclawError E_TOOL from {@link startMcpServer}
 */
export async function startMcpServers(specs: McpServerSpec[], options: { cwd: string; signal: AbortSignal }): Promise<ToolSource[]> {
  const results = await Promise.allSettled(specs.map((spec) => startMcpServer(spec, options)));
  const sources = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) {
    await Promise.all(sources.map((s) => s.close()));
    throw failed.reason;
  }
  return sources;
}
