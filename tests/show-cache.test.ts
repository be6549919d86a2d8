/**
 * The show cache keeps only what oclaw reads of an `/api/show` answer and writes through the one atomic
 * writer: a server's 100 MB model_info must not become a cache file every later run reloads.
 */
import assert from "node:assert/strict";
import { readdir, readFile, rename, stat, symlink } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { openShowCache, trimShow } from "../lib/catalog/cache.ts";
import { capturedStream } from "./support/memory-io.ts";
import { createLogger } from "../lib/log.ts";
import { withTempDir } from "./support/temp-dir.ts";

const log = createLogger(capturedStream(), false);

/** An answer as a verbose `/api/show` gives it: a tokenizer vocabulary of `mb` megabytes. */
function hugeShow(mb: number) {
  const token = "x".repeat(1000);
  return {
    capabilities: ["completion", "tools"],
    details: { family: "qwen3", parameter_size: "8.2B", quantization_level: "Q4_K_M", huge: "y".repeat(1 << 20) },
    parameters: "temperature 0.6",
    license: "z".repeat(1 << 20),
    model_info: {
      "general.architecture": "qwen3",
      "qwen3.context_length": 40960,
      "general.description": "d".repeat(mb << 19),
      "tokenizer.ggml.tokens": Array.from({ length: mb * 500 }, () => token),
    },
  };
}

test("trimShow keeps the fields oclaw reads and nothing else", () => {
  assert.deepEqual(trimShow(hugeShow(1)), {
    capabilities: ["completion", "tools"],
    details: { family: "qwen3", parameter_size: "8.2B", quantization_level: "Q4_K_M" },
    parameters: "temperature 0.6",
    model_info: { "general.architecture": "qwen3", "qwen3.context_length": 40960 },
  });
});

test("a 100 MB answer becomes a cache file of a few hundred bytes, written atomically through a link", async () => {
  await withTempDir("cache", async (dir) => {
    const cacheDir = path.join(dir, "cache");
    const cache = await openShowCache(cacheDir, "http://127.0.0.1:11434", log);
    cache.set("qwen3:8b", "sha256:abc", hugeShow(100));
    await cache.save();
    const [name] = await readdir(cacheDir);
    const file = path.join(cacheDir, name!);
    assert.ok((await stat(file)).size < 1024, `cache file is ${(await stat(file)).size} bytes`);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const again = await openShowCache(cacheDir, "http://127.0.0.1:11434", log);
    assert.equal(again.get("qwen3:8b", "sha256:abc")?.model_info?.["qwen3.context_length"], 40960);
    // A cache file that is a link to another file is written through, never replaced.
    const real = path.join(dir, "real.json");
    await rename(file, real);
    await symlink(real, file);
    again.set("llama3.2:3b", "sha256:def", { capabilities: ["completion"] });
    await again.save();
    assert.match(await readFile(real, "utf8"), /llama3\.2:3b/);
    assert.deepEqual((await readdir(cacheDir)).length, 1);
  });
});
