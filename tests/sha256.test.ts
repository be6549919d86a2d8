/** Both SHA-256 helpers give the standard digest, so files named by either before are still found. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { sha256Hex, sha256Key } from "../lib/state/sha256.ts";

test("sha256Key (JS, at once) and sha256Hex (Web Crypto) agree with the standard vectors and each other", async () => {
  const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  assert.equal(sha256Key("abc"), abc);
  assert.equal(await sha256Hex("abc"), abc);
  assert.equal(sha256Key(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const text = "http://127.0.0.1:11434 ✓ " + "x".repeat(1000);
  assert.equal(sha256Key(text), await sha256Hex(text));
});
