/**
 * A world for end-to-end chat tests: a fake Ollama, a scratch HOME with XDG dirs under it, and a config that
 * reaches the same server natively (`ollama/…`, discovered) and through `/v1` (`v1/…`, configured with the
 * catalogue entries given).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { type CliResult, spawnOclaw, type SpawnOptions } from "./cli.ts";
import type { FakeOllama, FakeOllamaOptions } from "./fake-ollama.ts";
import { withTempDir } from "./temp-dir.ts";
import { withFakeOllama } from "./with-fake-ollama.ts";

/** What a chat test works with. */
export interface ChatWorld {
  server: FakeOllama;
  dir: string;
  /** `$XDG_STATE_HOME/oclaw`. */
  stateDir: string;
  env: Record<string, string>;
  /** Runs oclaw as a process (the binary under OCLAW_BIN) with the world's environment. */
  run(args: string[], options?: SpawnOptions): Promise<CliResult>;
  /** Writes a file in the scratch directory and returns its path. */
  file(name: string, content: string | Uint8Array): Promise<string>;
  /** Bodies of the chat requests received, native and /v1, in order. */
  chatBodies(): Array<Record<string, unknown>>;
}

/** The `/v1` provider's catalogue entries (OpenAI-compatible servers are not discovered). */
export const V1_MODELS = [
  { id: "qwen3:8b" },
  { id: "qwen2.5vl:7b", input: ["text", "image"] },
];

/** What a test adds to the world's config: the agents section, more fields of the ollama provider. */
export interface WorldConfig {
  agents?: Record<string, unknown>;
  ollama?: Record<string, unknown>;
}

/** Runs `body` in a fresh world; everything is removed afterwards. */
export async function withChatWorld(
  options: Partial<FakeOllamaOptions>,
  body: (w: ChatWorld) => Promise<void>,
  extra: WorldConfig = {},
): Promise<void> {
  await withFakeOllama(options, (server) =>
    withTempDir("chat", async (dir) => {
      const config = path.join(dir, "openclaw.json");
      await writeFile(
        config,
        JSON.stringify({
          models: {
            providers: {
              ollama: { baseUrl: server.url, ...extra.ollama },
              v1: { baseUrl: `${server.url}/v1`, api: "openai-completions", models: V1_MODELS },
            },
          },
          ...(extra.agents === undefined ? {} : { agents: extra.agents }),
        }),
      );
      const env = {
        OPENCLAW_CONFIG_PATH: config,
        HOME: dir,
        XDG_CACHE_HOME: path.join(dir, "cache"),
        XDG_STATE_HOME: path.join(dir, "state"),
        // The run log is on, as for a user (spawnOclaw turns it off by default).
        OCLAW_LOG: "on",
      };
      await body({
        server,
        dir,
        stateDir: path.join(dir, "state", "oclaw"),
        env,
        run: (args, more = {}) => spawnOclaw(args, { ...more, env: { ...env, ...more.env } }),
        async file(name, content) {
          const file = path.join(dir, name);
          await writeFile(file, content);
          return file;
        },
        chatBodies: () =>
          server.requests
            .filter((r) => r.path === "/api/chat" || r.path === "/v1/chat/completions")
            .map((r) => r.body as Record<string, unknown>),
      });
    }));
}
