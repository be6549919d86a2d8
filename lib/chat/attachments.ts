/**
 * `-a/--attach PATH|-`: files sent with the prompt. A PNG, JPEG, WebP or GIF (told by its first bytes, not
 * its name) goes as an image; any other file must be UTF-8 text and goes into the prompt as a fenced block
 * headed by its name; anything else is an error naming the file. Each is limited to
 * {@link ATTACHMENT_MAX_BYTES}. The log sees names, types, sizes and SHA-256 sums, never the contents.
 */
import { open } from "node:fs/promises";
import path from "node:path";
import { usageError } from "../errors.ts";
import { fsReason } from "../fs-errors.ts";
import type { Io } from "../io.ts";
import { sha256Hex } from "../state/sha256.ts";
import { sniffImage, toBase64 } from "./image-type.ts";
import type { Image, UserMessage } from "./messages.ts";

/** The largest file `-a` takes (an image is sent as base64, a third larger). */
export const ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;

/** A file read for `-a`. */
export interface Attachment {
  /** As the user wrote it (`-` is `stdin`). */
  name: string;
  size: number;
  sha256: string;
  /** The text of a text file. */
  text?: string;
  /** The image of an image file. */
  image?: Image;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function tooLarge(name: string, size?: number): Error {
  return usageError(
    `Cannot attach ${name}: ${size === undefined ? "it is" : `it is ${mib(size)},`} over the ${mib(ATTACHMENT_MAX_BYTES)} limit`,
    "Attach a smaller file, or an excerpt",
  );
}

async function readFileBytes(io: Io, file: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path.resolve(io.cwd, file), "r");
  } catch (error) {
    throw usageError(`Cannot attach ${file}: ${fsReason(error)}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw usageError(`Cannot attach ${file}: it is not a regular file`);
    if (info.size > ATTACHMENT_MAX_BYTES) throw tooLarge(file, info.size);
    const bytes = new Uint8Array(await handle.readFile());
    if (bytes.length > ATTACHMENT_MAX_BYTES) throw tooLarge(file, bytes.length);
    return bytes;
  } catch (error) {
    if (error instanceof Error && error.name === "OclawError") throw error;
    throw usageError(`Cannot attach ${file}: ${fsReason(error)}`);
  } finally {
    await handle.close();
  }
}

/** The text of bytes that are UTF-8 text (no NUL bytes), else undefined. */
function asText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Reads the `-a` files in order (`-`: stdin, once).
 * @throws OclawError E_USAGE naming the file: unreadable, too large, binary but not an image
 */
export async function readAttachments(io: Io, files: string[], signal?: AbortSignal): Promise<Attachment[]> {
  const attachments: Attachment[] = [];
  for (const file of files) {
    let bytes: Uint8Array;
    const name = file === "-" ? "stdin" : file;
    if (file === "-") {
      const read = await io.stdin.readBytes(ATTACHMENT_MAX_BYTES, signal);
      if (read.over) throw tooLarge("stdin");
      bytes = read.bytes;
    } else {
      bytes = await readFileBytes(io, file);
    }
    const attachment: Attachment = { name, size: bytes.length, sha256: await sha256Hex(bytes) };
    const mime = sniffImage(bytes);
    if (mime !== undefined) {
      attachment.image = { mime, data: toBase64(bytes), name: path.basename(name) };
    } else {
      const text = asText(bytes);
      if (text === undefined) {
        throw usageError(
          `Cannot attach ${name}: it is a binary file, neither text nor a PNG, JPEG, WebP or GIF image`,
          "Attach text files and images only",
        );
      }
      attachment.text = text;
    }
    attachments.push(attachment);
  }
  return attachments;
}

/** A fenced block headed by the file's name; the fence is longer than any run of backticks inside. */
export function fencedBlock(name: string, text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${name}:\n${fence}\n${text}${text.endsWith("\n") || text === "" ? "" : "\n"}${fence}`;
}

/**
 * The user's turn: the prompt, then each text file as a fenced block, the images on the message; and the
 * same turn as the log shows it (each file by name, type, size and SHA-256).
 */
export function userTurn(prompt: string, attachments: Attachment[]): { turn: UserMessage; logged: UserMessage } {
  const parts = prompt === "" ? [] : [prompt];
  const logParts = [...parts];
  const images: Image[] = [];
  for (const a of attachments) {
    if (a.image !== undefined) {
      images.push(a.image);
      continue;
    }
    parts.push(fencedBlock(a.name, a.text ?? ""));
    logParts.push(`[attached ${a.name}: text, ${a.size} bytes, sha256 ${a.sha256}]`);
  }
  const turn: UserMessage = { role: "user", content: parts.join("\n\n") };
  const logged: UserMessage = { role: "user", content: logParts.join("\n\n") };
  if (images.length > 0) {
    turn.images = images;
    logged.images = images;
  }
  return { turn, logged };
}
