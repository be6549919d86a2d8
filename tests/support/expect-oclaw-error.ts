/** The one check for "this fails with an OclawError", so tests can go on to assert its code and message. */
import assert from "node:assert/strict";
import { OclawError } from "../../lib/errors.ts";

/** Awaits `failing` (or calls it) and returns the OclawError it fails with; fails the test on success or any other error. */
export async function expectOclawError(failing: Promise<unknown> | (() => unknown)): Promise<OclawError> {
  try {
    await (typeof failing === "function" ? failing() : failing);
  } catch (error) {
    assert.ok(error instanceof OclawError, `expected an OclawError, got ${error}`);
    return error;
  }
  assert.fail("expected an OclawError, but it succeeded");
}
