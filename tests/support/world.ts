/**
 * The one world for end-to-end tests: a fake Ollama, a scratch HOME with XDG dirs under it and the run log
 * on (as for a user), and oclaw run as a process (the compiled binary under OCLAW_BIN, else the source).
 * How oclaw finds the fake is the setup's choice: a config file, or the environment alone.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { type CliResult, spawnOclaw, type SpawnOptions } from "./cli.ts";
import type { FakeOllama, FakeOllamaOptions } from "./fake-ollama.ts";
import type { Json } from "./json-lines.ts";
import { withTempDir } from "./temp-dir.ts";
import { withFakeOllama } from "./with-fake-ollama.ts";

/** What an end-to-end test works with. */
export interface World {
  server: FakeOllama;
  /** The scratch directory, also HOME. */
  dir: string;
  /** `$XDG_STATE_HOME/oclaw`: sessions, the run log. */
  stateDir: string;
  /** The environment every run gets (nothing else is inherited but PATH). */
  env: Record<string, string>;
  /** Runs oclaw as a process with the world's environment (`options.env` adds to it or, undefined, removes). */
  run(args: string[], options?: SpawnOptions): Promise<CliResult>;
  /** Writes a file in the scratch directory and returns its path. */
  file(name: string, content: string | Uint8Array): Promise<string>;
  /** Bodies of the chat requests received, native and /v1, in order. */
  chatBodies(): Json[];
}

/** The `/v1` provider's catalogue entries (OpenAI-compatible servers are not discovered). */
const V1_MODELS = [
  { id: "qwen3:8b" },
  { id: "qwen2.5vl:7b", input: ["text", "image"] },
];

/** The API key the `"env"` setup gives oclaw in `OLLAMA_API_KEY`. */
export const ENV_API_KEY = "ollama-local-key";

/** How oclaw is pointed at the fake. */
export interface WorldSetup {
  /**
   * `"config"` (default): a config file (`OPENCLAW_CONFIG_PATH`) with the `ollama` provider at the fake
   * (discovered) and a `v1` provider reaching it through `/v1` with {@link V1_MODELS}.
   * `"env"`: no config file; `OLLAMA_HOST` and `OLLAMA_API_KEY` ({@link ENV_API_KEY}) enable the ollama
   * provider, the least a user can set.
   */
  via?: "config" | "env";
  /** The config's `agents` section (`"config"` only). */
  agents?: Record<string, unknown>;
  /** More fields of the config's `ollama` provider (`"config"` only). */
  ollama?: Record<string, unknown>;
}

/** Runs `body` in a fresh {@link World}; the server and the directory are removed afterwards whatever happens. */
export async function withWorld(
  options: Partial<FakeOllamaOptions>,
  body: (w: World) => Promise<void>,
  setup: WorldSetup = {},
): Promise<void> {
  await withFakeOllama(options, (server) =>
    withTempDir("world", async (dir) => {
      const env: Record<string, string> = {
        HOME: dir,
        XDG_CACHE_HOME: path.join(dir, "cache"),
        XDG_STATE_HOME: path.join(dir, "state"),
        // The run log is on, as for a user (spawnOclaw turns it off by default).
        OCLAW_LOG: "on",
      };
      if (setup.via === "env") {
        env.OLLAMA_HOST = server.url;
        env.OLLAMA_API_KEY = ENV_API_KEY;
      } else {
        env.OPENCLAW_CONFIG_PATH = path.join(dir, "openclaw.json");
        await writeFile(
          env.OPENCLAW_CONFIG_PATH,
          JSON.stringify({
            models: {
              providers: {
                ollama: { baseUrl: server.url, ...setup.ollama },
                v1: { baseUrl: `${server.url}/v1`, api: "openai-completions", models: V1_MODELS },
              },
            },
            ...(setup.agents === undefined ? {} : { agents: setup.agents }),
          }),
        );
      }
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
            .map((r) => r.body as Json),
      });
    }));
}
