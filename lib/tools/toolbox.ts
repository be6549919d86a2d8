/**
 * The one interface the tool loop sees: every kind of tool (command tools from `--tools`, MCP servers,
 * declared-only tools) offers its definitions through `list()` and runs a call through `call()`.
 * A tool that ran but failed is a result with `ok: false` (the model sees it and may recover); a thrown
 * error means the tool could not be run at all (E_TOOL) or the run was stopped (the signal's reason).
 */
import type { ToolDefinition } from "../client/request.ts";
import { OclawError } from "../errors.ts";

/** What a tool call gave back. */
export interface ToolResult {
  /** False for a tool that ran and failed (non-zero exit, timeout, an MCP error result). */
  ok: boolean;
  /** The text sent back to the model. */
  output: string;
}

/** Facts about one call besides its arguments. */
export interface CallContext {
  /** Ctrl-C, `--timeout`: kills a running tool. */
  signal: AbortSignal;
  /** The call's id (`OCLAW_TOOL_CALL_ID` for command tools). */
  id: string;
}

/** One source of tools: a `--tools` file, one MCP server. */
export interface ToolSource {
  /** Where the tools come from, for messages (`--tools tools.json`, `MCP server weather`). */
  readonly label: string;
  /** The tools offered to the model. */
  list(): ToolDefinition[];
  /** True when calls to this tool run (false: the call is printed and the run ends, as without the loop). */
  runs(name: string): boolean;
  /** Runs a call. @throws OclawError E_TOOL when the tool could not be started */
  call(name: string, args: Record<string, unknown>, context: CallContext): Promise<ToolResult>;
  /** Stops whatever the source started (MCP servers); safe to call twice. */
  close(): Promise<void>;
}

/** Every tool source of a run, merged: names are unique across sources. */
export interface ToolBox {
  /** The tool definitions sent with each request. */
  list(): ToolDefinition[];
  /** True when `name` is declared by some source. */
  has(name: string): boolean;
  /** True when a call to `name` runs. */
  runs(name: string): boolean;
  /** True when any declared tool runs (then consent is needed). */
  readonly runnable: boolean;
  /**
   * Runs a call; an unknown name is an error result for the model.
   * @throws OclawError E_TOOL when the tool could not be started, or the signal's reason when stopped
   */
  call(name: string, args: Record<string, unknown>, context: CallContext): Promise<ToolResult>;
  /** Stops every source. */
  close(): Promise<void>;
}

/**
 * Merges sources into one {@link ToolBox}.
 * @throws OclawError E_USAGE when two sources declare the same tool name, naming both
 */
export function toolBox(sources: ToolSource[]): ToolBox {
  const owner = new Map<string, ToolSource>();
  const definitions: ToolDefinition[] = [];
  for (const source of sources) {
    for (const definition of source.list()) {
      const name = definition.function.name;
      const other = owner.get(name);
      if (other !== undefined) {
        throw new OclawError(
          "E_USAGE",
          `Two tools are named ${name}: one from ${other.label}, one from ${source.label}`,
          { hint: "Rename one of them, or leave one source out" },
        );
      }
      owner.set(name, source);
      definitions.push(definition);
    }
  }
  return {
    list: () => definitions,
    has: (name) => owner.has(name),
    runs: (name) => owner.get(name)?.runs(name) ?? false,
    runnable: definitions.some((d) => owner.get(d.function.name)?.runs(d.function.name)),
    async call(name, args, context) {
      const source = owner.get(name);
      if (source === undefined) {
        return { ok: false, output: `There is no tool named ${name}; the tools are: ${[...owner.keys()].join(", ")}` };
      }
      return await source.call(name, args, context);
    },
    async close() {
      await Promise.all(sources.map((s) => s.close().catch(() => {})));
    },
  };
}

/** Longest tool output sent to the model (bytes of UTF-8); more is cut and marked. */
export const OUTPUT_CAP = 64 * 1024;

/** `text` cut to {@link OUTPUT_CAP} bytes, with a line saying so when cut. */
export function capOutput(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= OUTPUT_CAP) return text;
  return cutMark(new TextDecoder().decode(bytes.subarray(0, OUTPUT_CAP)).replace(/\uFFFD$/, ""), bytes.length);
}

/** The mark put after output cut at {@link OUTPUT_CAP} bytes. */
export function cutMark(kept: string, total: number | undefined): string {
  const size = total === undefined ? "more" : `${total} bytes`;
  return `${kept}\n[output cut: ${size}, only the first ${OUTPUT_CAP} bytes kept]`;
}
