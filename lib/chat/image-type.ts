/**
 * Image formats told by their first bytes (never by a file's extension): the four Ollama's vision models
 * and OpenAI-compatible servers take — PNG, JPEG, WebP and GIF.
 */
import { Buffer } from "node:buffer";

/** The MIME types oclaw sends as images. */
export type ImageMime = "image/png" | "image/jpeg" | "image/webp" | "image/gif";

const ascii = (bytes: Uint8Array, from: number, text: string) =>
  [...text].every((char, i) => bytes[from + i] === char.charCodeAt(0));

/** The image type of `bytes` by their magic number, or undefined when they are not one of the four. */
export function sniffImage(bytes: Uint8Array): ImageMime | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(bytes, 1, "PNG\r\n\x1a\n")) return "image/png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.length >= 12 && ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WEBP")) return "image/webp";
  if (bytes.length >= 6 && (ascii(bytes, 0, "GIF87a") || ascii(bytes, 0, "GIF89a"))) return "image/gif";
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** True when `text` is well-formed standard base64 (padded to a multiple of 4 characters). */
export function isBase64(text: string): boolean {
  return text.length % 4 === 0 && BASE64.test(text);
}

/** Decodes base64 (the caller checked it with {@link isBase64}). */
export function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** Encodes bytes as standard base64. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** The image type of base64 text, read from its first bytes only. */
export function sniffBase64Image(base64: string): ImageMime | undefined {
  return sniffImage(fromBase64(base64.slice(0, 24)));
}
