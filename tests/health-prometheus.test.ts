/**
 * The Prometheus output of `oclaw health` checked by the real tools, through the binary: every series
 * parsed by parse-prometheus-text-format, linted by `promtool check metrics`, and scraped through a real
 * node_exporter textfile collector on a loopback port (`node_textfile_scrape_error` must be 0). The tools
 * come from Debian's `prometheus` and `prometheus-node-exporter` packages (.ci/run installs them): in CI a
 * missing tool fails the test; elsewhere the test says what to install and is skipped.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import parsePrometheus from "parse-prometheus-text-format";
import { fixtureModel } from "./support/fake-ollama.ts";
import { healthBin } from "./support/health.ts";
import { closedPort } from "./support/loopback.ts";
import { withTempDir } from "./support/temp-dir.ts";
import { withFakeOllama } from "./support/with-fake-ollama.ts";

interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ value: string; labels?: Record<string, string> }>;
}

/** The first of `names` on PATH (or in /usr/bin, /usr/sbin); in CI a missing tool is a failure. */
function tool(names: string[], pkg: string): string | undefined {
  for (const name of names) {
    for (const dir of [...(process.env.PATH ?? "").split(":"), "/usr/bin", "/usr/sbin"]) {
      if (dir === "") continue;
      const candidate = path.join(dir, name);
      if (spawnSync(candidate, ["--version"], { stdio: "ignore" }).status === 0) return candidate;
    }
  }
  if (process.env.CI === "true") assert.fail(`${names[0]} is missing: apt-get install -y ${pkg} (.ci/run installs it)`);
  return undefined;
}

/** A report with a loaded, partly offloaded primary whose context is short of the configured one. */
async function promFile(dir: string, url: string): Promise<string> {
  const file = path.join(dir, "oclaw.prom");
  const r = await healthBin(url, ["--format", "prometheus", "--output", file], {
    models: [{ id: "qwen3:8b", contextWindow: 32768 }, { id: "llama3.2:3b" }],
  });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  return file;
}

const size = fixtureModel("qwen3:8b").size;
const ps = [{ name: "qwen3:8b", size_vram: Math.round(size / 2), context_length: 8192, expires_at: new Date(Date.now() + 300_000).toISOString() }];

test("every series, parsed: candidates, loaded, GPU share, context by kind, expiry, Ollama's version", { timeout: 60_000 }, async () => {
  await withFakeOllama({ ps }, async ({ url }) => {
    await withTempDir("prom", async (dir) => {
      const text = await readFile(await promFile(dir, url), "utf8");
      const families = parsePrometheus(text) as Family[];
      const byName = new Map(families.map((f) => [f.name, f]));
      for (const f of families) {
        assert.equal(f.type, "GAUGE", f.name);
        assert.notEqual(f.help, "", f.name);
      }
      const values = (name: string) => byName.get(name)?.metrics.map((m) => [m.labels, Number(m.value)]);
      assert.deepEqual(values("oclaw_ollama_info"), [[{ provider: "ollama", version: "0.12.3" }, 1]]);
      assert.deepEqual(values("oclaw_candidate_active"), [[{ model: "ollama/qwen3:8b" }, 1], [{ model: "ollama/llama3.2:3b" }, 0]]);
      assert.deepEqual(values("oclaw_model_loaded"), [[{ model: "ollama/qwen3:8b" }, 1], [{ model: "ollama/llama3.2:3b" }, 0]]);
      assert.deepEqual(values("oclaw_model_gpu_ratio"), [[{ model: "ollama/qwen3:8b" }, 0.5]]);
      assert.deepEqual(values("oclaw_model_context_tokens"), [
        [{ model: "ollama/qwen3:8b", kind: "allocated" }, 8192],
        [{ model: "ollama/qwen3:8b", kind: "configured" }, 32768],
      ]);
      const [labels, expires] = (values("oclaw_model_expires_seconds") as Array<[unknown, number]>)[0]!;
      assert.deepEqual(labels, { model: "ollama/qwen3:8b" });
      assert.ok(expires > 200 && expires <= 300, String(expires));
      assert.deepEqual(values("oclaw_health_status"), [[undefined, 1]]);
    });
  });
});

test("promtool check metrics finds nothing to complain about", { timeout: 60_000 }, async (t) => {
  const promtool = tool(["promtool"], "prometheus");
  if (promtool === undefined) return t.skip("promtool not installed (apt-get install prometheus)");
  await withFakeOllama({ ps }, async ({ url }) => {
    await withTempDir("prom", async (dir) => {
      const text = await readFile(await promFile(dir, url), "utf8");
      const lint = spawnSync(promtool, ["check", "metrics"], { input: text, encoding: "utf8" });
      assert.equal(lint.status, 0, lint.stdout + lint.stderr);
      assert.equal(lint.stdout + lint.stderr, "");
    });
  });
});

test("node_exporter's textfile collector scrapes the file without error", { timeout: 60_000 }, async (t) => {
  const exporter = tool(["prometheus-node-exporter", "node_exporter"], "prometheus-node-exporter");
  if (exporter === undefined) return t.skip("node_exporter not installed (apt-get install prometheus-node-exporter)");
  await withFakeOllama({ ps }, async ({ url }) => {
    await withTempDir("prom", async (dir) => {
      const textfiles = path.join(dir, "textfile");
      await mkdir(textfiles);
      await promFile(textfiles, url);
      const port = await closedPort();
      const child = spawn(exporter, [
        `--web.listen-address=127.0.0.1:${port}`,
        "--collector.disable-defaults",
        "--collector.textfile",
        `--collector.textfile.directory=${textfiles}`,
      ], { stdio: ["ignore", "ignore", "pipe"] });
      let log = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (log += d));
      try {
        let body = "";
        for (let i = 0; i < 100 && body === ""; i++) {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/metrics`);
            body = await res.text();
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        assert.notEqual(body, "", `node_exporter did not answer: ${log}`);
        const families = parsePrometheus(body) as Family[];
        const value = (name: string) => families.find((f) => f.name === name)?.metrics[0]?.value;
        assert.equal(value("node_textfile_scrape_error"), "0", log);
        assert.equal(value("oclaw_health_status"), "1");
        assert.equal(value("oclaw_model_gpu_ratio"), "0.5");
        assert.ok(families.some((f) => f.name === "oclaw_candidate_active"));
      } finally {
        child.kill("SIGTERM");
      }
    });
  });
});
