/** Runs the binary's `oclaw health` against a server, with a config written for the test. */
import { spawnOclaw, type CliResult, type SpawnOptions } from "./cli.ts";
import { writeConfig } from "./scenarios.ts";
import { withTempDir } from "./temp-dir.ts";

/** What the config holds besides `models.providers.ollama.baseUrl`. */
export interface HealthConfig {
  /** `agents.defaults.model` (default: primary qwen3:8b, fallback llama3.2:3b). */
  model?: unknown;
  /** `models.providers.ollama.models`. */
  models?: unknown[];
}

/**
 * Runs `oclaw health --config <file> ...args` as a process (the compiled binary under `npm test`) with
 * HOME in a fresh directory; `env` is added to the process's environment (`{dir}` in a value is the
 * directory).
 */
export async function healthBin(
  url: string,
  args: string[],
  config: HealthConfig = {},
  env: Record<string, string> = {},
): Promise<CliResult> {
  return await withTempDir("health", async (dir) => {
    const file = await writeConfig(dir, {
      models: { providers: { ollama: { baseUrl: url, ...(config.models ? { models: config.models } : {}) } } },
      agents: { defaults: { model: config.model ?? { primary: "ollama/qwen3:8b", fallbacks: ["ollama/llama3.2:3b"] } } },
    });
    const options: SpawnOptions = { env: { HOME: dir, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll("{dir}", dir)])) } };
    return await spawnOclaw(["health", "--config", file, ...args], options);
  });
}
