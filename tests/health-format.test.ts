/**
 * The pieces behind doctor's and health's verdicts, where their edges matter: version thresholds, the
 * CPU/GPU split as `ollama ps` shows it, Nagios and Prometheus escaping, the atomic writer.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmod, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import parsePrometheus from "parse-prometheus-text-format";
import { writeFileAtomic } from "../lib/atomic-write.ts";
import { cpuPercent, processorLabel } from "../lib/checks/loaded-models.ts";
import { versionAtLeast, versionCheck } from "../lib/checks/version.ts";
import { OclawError } from "../lib/errors.ts";
import { formatHealthNagios } from "../lib/health/format.ts";
import { formatHealthPrometheus } from "../lib/health/prometheus.ts";
import type { CandidateFacts, HealthReport } from "../lib/health/report.ts";
import { tempDir } from "./support/temp-dir.ts";

test("version thresholds: capabilities from 0.6.4, streaming tool calls from 0.8.0", () => {
  assert.equal(versionCheck("ollama", "0.6.3", true).status, "fail");
  assert.equal(versionCheck("ollama", "0.6.3", false).status, "warn");
  assert.equal(versionCheck("ollama", "0.6.4", true).status, "warn");
  assert.equal(versionCheck("ollama", "0.7.9", true).status, "warn");
  assert.equal(versionCheck("ollama", "0.8.0", true).status, "ok");
  assert.equal(versionCheck("ollama", "v0.12.10-rc1", true).status, "ok");
  assert.equal(versionCheck("ollama", "0.10", true).status, "ok");
  // A dev build says nothing comparable: assumed recent, and said so.
  const dev = versionCheck("ollama", "dev-abc", true);
  assert.equal(dev.status, "ok");
  assert.match(dev.message, /not a release number/);
  assert.equal(versionAtLeast("0.12.3", "0.8.0"), true);
  assert.equal(versionAtLeast("0.9.10", "0.10.0"), false);
});

test("CPU share as `ollama ps` computes it", () => {
  assert.equal(cpuPercent({ size: 100, size_vram: 0 }), 100);
  assert.equal(cpuPercent({ size: 100 }), 100);
  assert.equal(cpuPercent({ size: 100, size_vram: 100 }), 0);
  assert.equal(cpuPercent({ size: 1000, size_vram: 520 }), 48);
  assert.equal(cpuPercent({ size_vram: 5 }), undefined);
  assert.equal(processorLabel(100), "100% CPU");
  assert.equal(processorLabel(0), "100% GPU");
  assert.equal(processorLabel(48), "48%/52% CPU/GPU");
});

function candidate(model: string, overrides: Partial<CandidateFacts> = {}): CandidateFacts {
  return {
    model,
    role: "primary",
    installed: true,
    tools: true,
    loaded: false,
    gpuRatio: null,
    expiresInSeconds: null,
    context: { allocated: null, configured: null },
    active: true,
    verdict: "ready",
    ...overrides,
  };
}

function report(overrides: Partial<HealthReport>): HealthReport {
  return {
    state: "ok",
    summary: "ollama 0.12.3 at http://127.0.0.1:11434, ollama/qwen3:8b ready (23 ms)",
    checks: [],
    servers: [{ provider: "ollama", api: "ollama", url: "http://127.0.0.1:11434", up: true, version: "0.12.3", modelCount: 5 }],
    candidates: [candidate("ollama/qwen3:8b")],
    latency: { ms: 23.4, kind: "api", ref: "ollama/qwen3:8b" },
    warnMs: 500,
    critMs: 2000,
    timestamp: 1732492800.5,
    ...overrides,
  };
}

test("nagios line: state word, text, perfdata as cli.md pins it; a '|' in the text cannot start perfdata", () => {
  assert.equal(
    formatHealthNagios(report({})),
    "OCLAW OK - ollama 0.12.3 at http://127.0.0.1:11434, ollama/qwen3:8b ready (23 ms) | 'latency'=23ms;500;2000;0 'models'=5;;;0\n",
  );
  const { latency: _, ...unmeasured } = report({ state: "critical", summary: "a | b" });
  const piped = formatHealthNagios(unmeasured);
  assert.equal(piped, "OCLAW CRITICAL - a / b | 'models'=5;;;0\n");
  // The active candidate's GPU share and context, once loaded.
  const loaded = candidate("ollama/qwen3:8b", { loaded: true, gpuRatio: 0.52, context: { allocated: 4096, configured: 32768 } });
  assert.equal(
    formatHealthNagios(report({ state: "warning", summary: "s", candidates: [loaded] })),
    "OCLAW WARNING - s | 'latency'=23ms;500;2000;0 'models'=5;;;0 'gpu_ratio'=0.52;;;0;1 'context'=4096;;;0 'context_configured'=32768;;;0\n",
  );
});

test("prometheus: any model name survives label escaping and the parser reads it back", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
        fc.string({ unit: fc.constantFrom("a", ":", "/", '"', "\\", "\n", "{", "}", "=", ","), minLength: 1, maxLength: 20 }),
      ),
      (name) => {
      const text = formatHealthPrometheus(report({ candidates: [candidate(`ollama/${name}`, { loaded: true, gpuRatio: 1 })] }));
      const families = parsePrometheus(text) as Array<{ name: string; metrics: Array<{ labels?: Record<string, string> }> }>;
      for (const family of ["oclaw_model_available", "oclaw_candidate_active", "oclaw_model_loaded", "oclaw_model_gpu_ratio"]) {
        const found = families.find((f) => f.name === family);
        assert.equal(found?.metrics[0]?.labels?.model, `ollama/${name}`, family);
      }
      },
    ),
    { numRuns: 200 },
  );
});

test("writeFileAtomic keeps an existing file's mode, leaves no temp file on failure", async () => {
  const dir = await tempDir("scenario");
  try {
    const file = path.join(dir, "oclaw.prom");
    await writeFile(file, "old\n");
    await chmod(file, 0o640);
    await writeFileAtomic(file, "new\n");
    assert.equal(await readFile(file, "utf8"), "new\n");
    assert.equal((await stat(file)).mode & 0o777, 0o640);
    await writeFileAtomic(path.join(dir, "fresh.prom"), "x\n", { mode: 0o600 });
    assert.equal((await stat(path.join(dir, "fresh.prom"))).mode & 0o777, 0o600);
    // The target is a directory: the rename fails, the temp file is cleaned up.
    await assert.rejects(writeFileAtomic(dir, "x"), (e: unknown) => e instanceof OclawError && e.code === "E_WRITE");
    assert.deepEqual((await readdir(dir)).sort(), ["fresh.prom", "oclaw.prom"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
