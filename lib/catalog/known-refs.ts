/**
 * The model refs oclaw knows without asking a server: the configured selection and model entries, and the
 * models an earlier discovery cached for each enabled provider's base URL (lib/catalog/cache.ts). For
 * shell completion, which must answer at once and never touch the network.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { ResolvedConfig } from "../config/resolve.ts";

/** Refs (`provider/id`), configured ones first, without duplicates. */
export async function knownRefs(config: ResolvedConfig, cacheDir: string): Promise<string[]> {
  const refs = new Set<string>();
  if (config.selection.primary !== undefined) refs.add(config.selection.primary);
  for (const ref of config.selection.fallbacks) refs.add(ref);
  for (const provider of config.providers) for (const model of provider.models) refs.add(`${provider.id}/${model.id}`);
  let files: string[] = [];
  try {
    files = (await readdir(cacheDir)).filter((name) => name.startsWith("show-") && name.endsWith(".json"));
  } catch {
    // No cache yet: only the configured refs.
  }
  for (const file of files) {
    try {
      const data = JSON.parse(await readFile(path.join(cacheDir, file), "utf8")) as { baseUrl?: unknown; models?: unknown };
      const provider = config.providers.find((p) => p.discover && p.baseUrl === data.baseUrl);
      if (provider === undefined || typeof data.models !== "object" || data.models === null) continue;
      for (const name of Object.keys(data.models)) refs.add(`${provider.id}/${name}`);
    } catch {
      // A file another oclaw is writing, or not ours: skipped.
    }
  }
  return [...refs];
}
