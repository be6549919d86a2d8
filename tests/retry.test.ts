import { test } from "node:test";
import assert from "node:assert/strict";
import { OclawError } from "../lib/errors.ts";
import { CHAT_DNS_RETRY, DOCTOR_DNS_RETRY, HEALTH_DNS_RETRY, NOTIFY_RETRY, retry, retryDelay, type RetryPolicy } from "../lib/retry.ts";

const transient = new OclawError("E_DNS", "lookup failed", { cause: Object.assign(new Error("x"), { code: "EAI_AGAIN" }) });
const notFound = new OclawError("E_DNS", "lookup failed", { cause: Object.assign(new Error("x"), { code: "ENOTFOUND" }) });

test("the DNS policies wait as chat, doctor and health always did; only EAI_AGAIN is retried", () => {
  const waits = (policy: RetryPolicy) => [0, 1, 2, 3].map((n) => retryDelay(policy, n, transient));
  assert.deepEqual(waits(CHAT_DNS_RETRY), [500, 1000, 2000, undefined]);
  assert.deepEqual(waits(DOCTOR_DNS_RETRY), [500, 1000, undefined, undefined]);
  assert.deepEqual(waits(HEALTH_DNS_RETRY), [250, undefined, undefined, undefined]);
  assert.equal(retryDelay(CHAT_DNS_RETRY, 0, notFound), undefined);
  assert.equal(retryDelay(CHAT_DNS_RETRY, 0, new Error("other")), undefined);
});

test("--ping/--push: what may pass is tried twice more (0.5 s, 1 s); a 4xx, a missing name or a timeout is not", () => {
  const http = (status: number) => new OclawError("E_HTTP", `HTTP ${status}`, { status });
  for (const error of [new OclawError("E_UNREACHABLE", "refused"), new OclawError("E_STREAM", "closed"), transient, http(408), http(429), http(500), http(503)]) {
    assert.deepEqual([0, 1, 2].map((n) => retryDelay(NOTIFY_RETRY, n, error)), [500, 1000, undefined], error.message);
  }
  for (const error of [http(400), http(404), notFound, new OclawError("E_TIMEOUT", "no answer within 10 s"), new Error("other")]) {
    assert.equal(retryDelay(NOTIFY_RETRY, 0, error), undefined, error.message);
  }
});

test("jitter spreads a wait within its fraction", () => {
  const policy: RetryPolicy = { ...CHAT_DNS_RETRY, jitter: 0.2 };
  assert.equal(retryDelay(policy, 1, transient, () => 0), 800);
  assert.equal(retryDelay(policy, 1, transient, () => 1), 1200);
  assert.equal(retryDelay(policy, 1, transient, () => 0.5), 1000);
});

test("retry runs the task until it succeeds, waiting the policy's waits", async () => {
  const slept: number[] = [];
  let tries = 0;
  const result = await retry((n) => {
    tries++;
    return n < 2 ? Promise.reject(transient) : Promise.resolve("ok");
  }, CHAT_DNS_RETRY, { sleep: (ms) => Promise.resolve(void slept.push(ms)) });
  assert.equal(result, "ok");
  assert.equal(tries, 3);
  assert.deepEqual(slept, [500, 1000]);
});

test("retry gives up past the limit or at once on a failure not worth retrying, throwing the last one", async () => {
  const slept: number[] = [];
  const sleep = (ms: number) => Promise.resolve(void slept.push(ms));
  await assert.rejects(retry(() => Promise.reject(transient), HEALTH_DNS_RETRY, { sleep }), (e) => e === transient);
  assert.deepEqual(slept, [250]);
  await assert.rejects(retry(() => Promise.reject(notFound), CHAT_DNS_RETRY, { sleep }), (e) => e === notFound);
  assert.deepEqual(slept, [250]);
});

test("an aborted signal ends the loop with the failure instead of waiting", async () => {
  const controller = new AbortController();
  controller.abort();
  let tries = 0;
  await assert.rejects(retry(() => {
    tries++;
    return Promise.reject(transient);
  }, CHAT_DNS_RETRY, { signal: controller.signal }), (e) => e === transient);
  assert.equal(tries, 1);
});
