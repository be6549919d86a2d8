/**
 * A world for tool-loop tests: a fake Ollama, a scratch directory with tool scripts, and oclaw run as a
 * process (the compiled binary under OCLAW_BIN) with the ollama provider pointed at the fake.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { type CliResult, ROOT, spawnOclaw, type SpawnOptions } from "./cli.ts";
import type { FakeOllama, FakeOllamaOptions } from "./fake-ollama.ts";
import type { Json } from "./json-lines.ts";
import { withTempDir } from "./temp-dir.ts";
import { withFakeOllama } from "./with-fake-ollama.ts";

/** What a tool test works with. */
export interface ToolWorld {
  server: FakeOllama;
  dir: string;
  run(args: string[], options?: SpawnOptions): Promise<CliResult>;
  /** Writes a file in the scratch directory; returns its path. */
  file(name: string, text: string): Promise<string>;
  /** The bodies of the chat requests the server received, in order. */
  chatBodies(): Json[];
}

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

/** Runs `body` in a fresh {@link ToolWorld}. */
export async function toolWorld(options: Partial<FakeOllamaOptions>, body: (w: ToolWorld) => Promise<void>): Promise<void> {
  await withFakeOllama(options, (server) =>
    withTempDir("tools", async (dir) => {
      const env = { OLLAMA_HOST: server.url, OLLAMA_API_KEY: "ollama-local-key", HOME: dir, XDG_CACHE_HOME: path.join(dir, "cache") };
      await body({
        server,
        dir,
        run: (args, more = {}) => spawnOclaw(args, { ...more, env: { ...env, ...more.env } }),
        async file(name, text) {
          const file = path.join(dir, name);
          await writeFile(file, text);
          return file;
        },
        chatBodies: () =>
          server.requests.filter((r) => r.path === "/api/chat" || r.path === "/v1/chat/completions").map((r) => r.body as Json),
      });
    }));
}
