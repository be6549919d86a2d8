/**
 * Named conversations (`oclaw chat --session NAME`, `-c`): one JSON line per message in Ollama's shape at
 * `$XDG_STATE_HOME/oclaw/sessions/NAME.jsonl` (0600, directory 0700), appended once per exchange. Images are
 * kept by reference: the line holds `{sha256, mime, size, name}` and the bytes live once in
 * `sessions/images/<sha256>`. The name of the last session used is kept for `-c`.
 */
import path from "node:path";
import { readFile, stat } from "node:fs/promises";
import { writeFileAtomic } from "../atomic-write.ts";
import { fromBase64, toBase64 } from "./image-type.ts";
import {
  type Image,
  type ImageRef,
  linkToolNames,
  type Message,
  MessageIssue,
  messageFrom,
  wireMessageSchema,
  wireMessage,
} from "./messages.ts";
import { OclawError, usageError } from "../errors.ts";
import { fsReason, isNotFound } from "../fs-errors.ts";
import { appendLines, BadLine, ensureStateDir, readJsonLines, STATE_FILE_MODE } from "../state/append.ts";
import { type DirsIo, stateDir } from "../state/dirs.ts";
import { sha256Hex } from "../state/sha256.ts";

/** A session name: letters, digits, `.`, `_`, `-`, not starting with a dot or dash, at most 100 characters. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

/**
 * Checks a session name (it becomes a file name: no path separators, no `..`).
 * @throws OclawError E_USAGE naming the name and the rule
 */
export function checkSessionName(name: string): string {
  if (!NAME.test(name)) {
    throw usageError(
      `Invalid session name '${name}'`,
      "Use letters, digits, '.', '_' and '-' (up to 100, not starting with '.' or '-'), e.g. --session work-notes",
    );
  }
  return name;
}

/** The sessions directory. */
export function sessionsDir(io: DirsIo): string {
  return path.join(stateDir(io), "sessions");
}

/** A session's file. */
export function sessionFile(io: DirsIo, name: string): string {
  return path.join(sessionsDir(io), `${checkSessionName(name)}.jsonl`);
}

function imagePath(io: DirsIo, sha256: string): string {
  return path.join(sessionsDir(io), "images", sha256);
}

/**
 * A session's messages, in order; a missing session has none. The last system message (a later `-s`
 * replaces an earlier one) goes first.
 * @throws OclawError E_USAGE naming `file:line` for a line that is not a message, or an image that is gone
 */
export async function loadSession(io: DirsIo, name: string): Promise<Message[]> {
  const file = sessionFile(io, name);
  let values: unknown[];
  try {
    values = await readJsonLines(file);
  } catch (error) {
    if (error instanceof BadLine) throw usageError(`Session ${name} is damaged: ${error.message}`, `Repair or remove ${file}`);
    throw error;
  }
  const images = new Map<string, Image>();
  const messages: Message[] = [];
  for (const [i, value] of values.entries()) {
    const where = `${file}:${i + 1}`;
    const parsed = wireMessageSchema().safeParse(value);
    if (!parsed.success) {
      throw usageError(`Session ${name} is damaged: ${where}: ${parsed.error.issues[0]?.message ?? "not a message"}`, `Repair or remove ${file}`);
    }
    for (const image of parsed.data.images ?? []) {
      if (typeof image === "string" || images.has(image.sha256)) continue;
      images.set(image.sha256, await readImage(io, image, name));
    }
    try {
      messages.push(messageFrom(parsed.data, where, (ref) => images.get(ref.sha256)!));
    } catch (error) {
      if (error instanceof MessageIssue) throw usageError(`Session ${name} is damaged: ${error.where}: ${error.message}`);
      throw error;
    }
  }
  const system = messages.findLast((m) => m.role === "system");
  const rest = messages.filter((m) => m.role !== "system");
  return linkToolNames(system === undefined ? rest : [system, ...rest]);
}

async function readImage(io: DirsIo, ref: ImageRef, session: string): Promise<Image> {
  const file = imagePath(io, ref.sha256);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (cause) {
    throw new OclawError("E_USAGE", `Session ${session} names an image that cannot be read: ${file}: ${fsReason(cause)}`, {
      cause,
    });
  }
  const image: Image = { mime: ref.mime, data: toBase64(bytes) };
  if (ref.name !== undefined) image.name = ref.name;
  return image;
}

/**
 * Appends one exchange (the messages this run added) to a session, as one write; images are stored first,
 * once each, so a line never names an image that is not there.
 * @throws OclawError E_WRITE when the session cannot be written (it is then as it was)
 */
export async function appendToSession(io: DirsIo, name: string, messages: Message[]): Promise<void> {
  const file = sessionFile(io, name);
  const refs = new Map<Image, ImageRef>();
  for (const message of messages) {
    if (message.role !== "user") continue;
    for (const image of message.images ?? []) {
      const bytes = fromBase64(image.data);
      const sha256 = await sha256Hex(bytes);
      refs.set(image, { sha256, mime: image.mime, size: bytes.length, ...(image.name === undefined ? {} : { name: image.name }) });
      const blob = imagePath(io, sha256);
      if (await exists(blob)) continue;
      await ensureStateDir(path.dirname(blob));
      await writeFileAtomic(blob, bytes, { mode: STATE_FILE_MODE });
    }
  }
  await appendLines(file, messages.map((m) => JSON.stringify(wireMessage(m, (image) => refs.get(image)!))));
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch (error) {
    if (isNotFound(error)) return false;
    throw new OclawError("E_WRITE", `Cannot look at ${file}: ${fsReason(error)}`, { cause: error });
  }
}

function lastSessionFile(io: DirsIo): string {
  return path.join(stateDir(io), "last-session");
}

/** Remembers the session a run used, for `-c`. */
export async function rememberSession(io: DirsIo, name: string): Promise<void> {
  await ensureStateDir(stateDir(io));
  await writeFileAtomic(lastSessionFile(io), `${name}\n`, { mode: STATE_FILE_MODE });
}

/** The session the last run with `--session` used, when it is still a valid name. */
export async function lastSession(io: DirsIo): Promise<string | undefined> {
  try {
    const name = (await readFile(lastSessionFile(io), "utf8")).trim();
    return NAME.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}
