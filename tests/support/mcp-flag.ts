/** How tests start a TypeScript helper process (the test MCP server) under the runtime running the tests. */
import path from "node:path";
import process from "node:process";
import { ROOT } from "./cli.ts";

/** The command that runs a TypeScript file with the runtime running the tests (for MCP servers). */
export function scriptCommand(file: string): string[] {
  const versions = process.versions as Record<string, string | undefined>;
  const full = path.join(ROOT, file);
  return versions.deno ? [process.execPath, "run", "-A", "--no-check", full] : [process.execPath, full];
}

/** The test MCP server as one `--mcp` value. */
export function mcpFlag(...args: string[]): string {
  return [...scriptCommand("tests/support/mcp-server.ts"), ...args].map((w) => `'${w}'`).join(" ");
}
