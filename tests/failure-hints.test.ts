/**
 * The one-line hints of lib/http/failure-hints.ts: a refused remote host names the port that refused, not
 * always Ollama's default (issue 15 §7). (A remote host cannot be reached from a test: loopback only.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { errorHint } from "../lib/http/failure-hints.ts";

test("refused by a remote host: the hint names the port that was tried", () => {
  assert.match(errorHint("refused-remote", "8080")!, /OLLAMA_HOST=0\.0\.0\.0.*firewall to port 8080$/);
  assert.doesNotMatch(errorHint("refused-remote", "8080")!, /11434/);
  assert.match(errorHint("refused-remote")!, /port 11434$/);
});
