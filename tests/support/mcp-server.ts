/**
 * A small stdio MCP server for tests, on the SDK's server side. Tools: `add` ({a, b} → the sum as text),
 * `env_keys` (the names of its environment variables, to check what a server is given), `broken` (an
 * error result). Run: `<runtime> tests/support/mcp-server.ts [--fail-init] [--prefix P]`.
 * `--fail-init` exits before answering `initialize`; `--prefix P` puts P before every tool name;
 * `--pid-file F` writes the server's pid to F once it runs.
 */
import { writeFileSync } from "node:fs";
import process from "node:process";
import { Server } from "@modelcontextprotocol/sdk/server";

// The SDK's subpaths are typed through a "./*" export map that deno check does not resolve for ".js"
// specifiers; loaded dynamically, they run the same under bun, deno and node.
const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
const { CallToolRequestSchema, ListToolsRequestSchema } = await import("@modelcontextprotocol/sdk/types.js");

interface CallRequest {
  params: { name: string; arguments?: Record<string, unknown> };
}

const args = process.argv.slice(2);
if (args.includes("--fail-init")) {
  process.stderr.write("fake MCP server: refusing to start\n");
  process.exit(3);
}
const pidFile = args.indexOf("--pid-file");
if (pidFile >= 0) writeFileSync(args[pidFile + 1]!, String(process.pid));
const at = args.indexOf("--prefix");
const prefix = at >= 0 ? args[at + 1] ?? "" : "";

const server = new Server({ name: "oclaw-test-server", version: "1.0.0" }, { capabilities: { tools: {} } });

server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [
    {
      name: `${prefix}add`,
      description: "Adds two numbers",
      inputSchema: {
        type: "object" as const,
        properties: { a: { type: "number" }, b: { type: "number" } },
        required: ["a", "b"],
      },
    },
    { name: `${prefix}env_keys`, description: "Names of the server's environment variables", inputSchema: { type: "object" as const } },
    { name: `${prefix}broken`, description: "Always fails", inputSchema: { type: "object" as const } },
  ],
}));

server.setRequestHandler(CallToolRequestSchema, (request: CallRequest) => {
  const name = request.params.name.slice(prefix.length);
  const input = request.params.arguments ?? {};
  if (name === "add") {
    return { content: [{ type: "text" as const, text: String(Number(input.a) + Number(input.b)) }] };
  }
  if (name === "env_keys") {
    return { content: [{ type: "text" as const, text: Object.keys(process.env).sort().join(",") }] };
  }
  if (name === "broken") return { isError: true, content: [{ type: "text" as const, text: "broken on purpose" }] };
  throw new Error(`unknown tool ${request.params.name}`);
});

await server.connect(new StdioServerTransport());
