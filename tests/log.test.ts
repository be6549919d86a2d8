import { test } from "node:test";
import assert from "node:assert/strict";
import { capturedStream } from "./support/memory-io.ts";
import { createLogger, redact } from "../lib/log.ts";

test("redact hides bearer tokens and key=value secrets, and leaves maxTokens alone", () => {
  assert.equal(redact("Authorization: Bearer abc.def-123"), "Authorization: Bearer ***");
  assert.equal(redact(`{"apiKey":"ollama-local","maxTokens":81920}`), `{"apiKey":"***","maxTokens":81920}`);
  assert.equal(redact("password=hunter22 next"), "password=*** next");
});

test("the -v logger redacts secrets learned after it was made, and writes nothing when not verbose", () => {
  const stderr = capturedStream();
  const log = createLogger(stderr, true);
  log.debug("GET http://u:sekrit-value@gpu:11434/api/tags");
  log.addSecrets(["sekrit-value"]);
  log.debug("GET http://u:sekrit-value@gpu:11434/api/tags");
  const lines = stderr.text().split("\n");
  assert.equal(lines[0], "oclaw: GET http://u:sekrit-value@gpu:11434/api/tags");
  assert.equal(lines[1], "oclaw: GET http://u:***@gpu:11434/api/tags");

  const quiet = capturedStream();
  const off = createLogger(quiet, false, ["x"]);
  off.debug("anything");
  assert.equal(quiet.text(), "");
});

test("the -v logger leaves Ollama's placeholder key alone, as the output edge does: a model ref stays readable", () => {
  const stderr = capturedStream();
  const log = createLogger(stderr, true);
  log.addSecrets(["ollama", "sk-real-key-123"]);
  log.debug("trying ollama/qwen3:8b with sk-real-key-123");
  assert.equal(stderr.text(), "oclaw: trying ollama/qwen3:8b with ***\n");
});
