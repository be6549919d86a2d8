/**
 * SHA-256 in hex, two ways for two sizes. Keys and file names (a config's data, a base URL: bytes to
 * kilobytes, on every start) are hashed in JavaScript, synchronously, with @noble/hashes: Web Crypto's first
 * digest starts worker threads, ~3 ms of a start-up. Attachments and images (megabytes) go through Web
 * Crypto, natively, several times faster there. node:crypto is neither: in the compiled binary it loads
 * Node's streams.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** The SHA-256 of `text` (as UTF-8) as 64 lowercase hex digits, computed at once. For small inputs. */
export function sha256Key(text: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(text)));
}

/** The SHA-256 of `data` (text as UTF-8) as 64 lowercase hex digits, through Web Crypto. For large inputs. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
