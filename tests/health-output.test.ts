/**
 * health's own output is part of its answer: when it cannot be written (`> /dev/full`) monitoring got
 * nothing, and the exit is UNKNOWN (3), whatever the check found.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { spawnOclaw } from "./support/cli.ts";
import { writeConfig } from "./support/scenarios.ts";
import { withTempDir } from "./support/temp-dir.ts";

test("health > /dev/full exits 3 (UNKNOWN) and says why on stderr", { skip: !fs.existsSync("/dev/full") && "no /dev/full here" }, async () => {
  await withTempDir("health-full", async (dir) => {
    const config = await writeConfig(dir, { models: { providers: { ollama: { baseUrl: "http://127.0.0.1:9" } } } });
    for (const format of ["text", "nagios", "prometheus", "json"]) {
      const full = fs.openSync("/dev/full", "w");
      try {
        const r = await spawnOclaw(["health", "--config", config, "--format", format], { env: { HOME: dir }, stdoutFd: full });
        assert.equal(r.code, 3, `${format}: ${r.stderr}`);
        assert.match(r.stderr, /^oclaw: Cannot write to stdout: no space left on device$/m);
      } finally {
        fs.closeSync(full);
      }
    }
    // The same check with its output written: CRITICAL (nothing listens on port 9).
    const r = await spawnOclaw(["health", "--config", config, "--format", "nagios"], { env: { HOME: dir } });
    assert.equal(r.code, 2, r.stderr);
  });
});
