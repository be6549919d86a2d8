/**
 * Names for things a start-up looks up (the config memo's keys, the show cache's file, health's last-state
 * file): a 128-bit non-cryptographic hash of a string, in hex, computed at once. Web Crypto's SHA-256 is
 * asynchronous and its first digest starts worker threads (~1 ms of every chat, health and models list);
 * nothing here needs a digest an adversary cannot collide: whoever can write the config or the cache
 * directory decides what they hold anyway. Four 32-bit multiply-xor lanes over the UTF-16 code units, each
 * finished with MurmurHash3's avalanche step.
 */

/** MurmurHash3's 32-bit finaliser: every input bit flips about half the output bits. */
function avalanche(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** 32 hex digits naming `text`; equal texts give equal names, and different ones in practice never do. */
export function keyHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  let c = 0x7f4a7c15;
  let d = 0x3c6ef372;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    c = Math.imul(c ^ unit, 0x27d4eb2f);
    d = Math.imul(d ^ unit, 0x165667b1);
  }
  // The length too, so that texts differing only by trailing units that cancel out still differ.
  return [a, b, c, d].map((h) => avalanche(h ^ text.length).toString(16).padStart(8, "0")).join("");
}
