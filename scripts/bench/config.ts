/**
 * The oclaw set-up each measurement runs with: a throw-away HOME, state dir and cache dir, and a config file
 * naming the local test server, so no run reads the user's own config or cache.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import path from "node:path";

/** A config file plus the environment that makes oclaw use it and nothing else. */
export interface OclawSetup {
  /** `--config PATH` is not used: OPENCLAW_CONFIG_PATH keeps argv identical to what a user types. */
  env: Record<string, string>;
  configPath: string;
  cacheDir: string;
}

/** Makes a fresh scratch directory under the run's temp dir (removed when the run ends). */
export function scratchDir(parent: string): Promise<string> {
  return mkdtemp(path.join(parent, "setup-"));
}

/**
 * Writes a config whose `ollama` provider points at `baseUrl` with an explicit model list (no discovery
 * before a chat), and a `bench` provider speaking `openai-completions` at `<baseUrl>/v1`.
 * With `discover`, the `ollama` provider has no model list, so `models list` discovers.
 */
export async function oclawSetup(dir: string, baseUrl: string, model: string, discover = false): Promise<OclawSetup> {
  const home = path.join(dir, "home");
  const state = path.join(dir, "state");
  const cacheDir = path.join(dir, "cache");
  await Promise.all([home, state, cacheDir].map((d) => mkdir(d, { recursive: true })));
  const configPath = path.join(state, "openclaw.json");
  const config = {
    models: {
      providers: {
        // Every model entry has its name, as OpenClaw requires: the config is one OpenClaw itself would load.
        ollama: discover ? { baseUrl } : { baseUrl, api: "ollama", models: [{ id: model, name: model }] },
        ...(discover ? {} : {
          bench: { baseUrl: `${baseUrl}/v1`, apiKey: "ollama", api: "openai-completions", models: [{ id: model, name: model }] },
        }),
      },
    },
    agents: { defaults: { model: { primary: `ollama/${model}` } } },
  };
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return {
    env: {
      HOME: home,
      OPENCLAW_STATE_DIR: state,
      OPENCLAW_CONFIG_PATH: configPath,
      XDG_CACHE_HOME: cacheDir,
      NO_COLOR: "1",
    },
    configPath,
    cacheDir,
  };
}
