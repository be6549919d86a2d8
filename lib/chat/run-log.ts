/**
 * The run log: every `oclaw chat` run appends one JSON line to `$XDG_STATE_HOME/oclaw/log.jsonl` (0600),
 * rotated to `log.jsonl.1` past {@link LOG_MAX_BYTES}. What was sent (images and attached files replaced by
 * name, type, size and SHA-256), what came back, how it went. Configured secrets are redacted from the line.
 * Off with `--no-log` or `OCLAW_LOG=off`. `oclaw logs` reads it.
 */
import path from "node:path";
import { redact } from "../log.ts";
import { Secrets } from "../redact.ts";
import { appendLines, readJsonLines } from "../state/append.ts";
import { type DirsIo, stateDir } from "../state/dirs.ts";
import { lazySchema, z } from "../zod.ts";

/** The log is rotated when it would grow past this size (one previous file is kept). */
export const LOG_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The most of a reply a log line keeps, in characters (UTF-16 code units): a longer reply is cut there and
 * the line says so (`replyTruncated`, `replyLength`), so a run never holds a whole long reply just to log
 * it (a 2M-token reply is 8.6 MB).
 */
export const LOG_REPLY_CHARS = 1024 * 1024;

/** The environment variable that turns the log off (`off`, `0`, `false`, `no`). */
export const LOG_ENV = "OCLAW_LOG";

/** An attachment as the log keeps it: never its bytes. */
export interface AttachmentNote {
  name: string;
  type: string;
  size: number;
  sha256: string;
}

/** One logged run. */
export interface LogEntry {
  /** When the run started (ISO 8601, UTC). */
  time: string;
  session?: string;
  /** The candidates tried, in order. */
  candidates: string[];
  /** The model that answered. */
  model?: string;
  /** The messages sent, in Ollama's shape; images and attached files as {@link AttachmentNote}s. */
  messages: unknown[];
  /** The reply, its first {@link LOG_REPLY_CHARS} characters when longer. */
  reply: string;
  /** Present when `reply` was cut: the whole reply's length in characters. */
  replyLength?: number;
  replyTruncated?: true;
  toolCalls?: Array<{ id: string; name: string; arguments: Record<string, unknown> }>;
  usage?: { inputTokens: number; outputTokens: number };
  timings?: Record<string, number>;
  fallbacks?: Array<{ from: string; to: string; code: string }>;
  exitCode: number;
  error?: { code: string; message: string };
  durationMs: number;
}

/** How a log line is read back: loosely (later versions may add fields); a line that does not fit is skipped. */
export const logEntrySchema = lazySchema(() =>
  z.looseObject({
    time: z.string(),
    session: z.string().optional(),
    candidates: z.array(z.string()),
    model: z.string().optional(),
    messages: z.array(z.unknown()),
    reply: z.string(),
    replyLength: z.number().optional(),
    replyTruncated: z.boolean().optional(),
    toolCalls: z.array(z.looseObject({ id: z.string(), name: z.string(), arguments: z.record(z.string(), z.unknown()) }))
      .optional(),
    usage: z.looseObject({ inputTokens: z.number(), outputTokens: z.number() }).optional(),
    exitCode: z.number(),
    error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
    durationMs: z.number().optional(),
  })
);

/** A log line as read. */
export type ReadEntry = z.infer<ReturnType<typeof logEntrySchema>>;

/** The log file. */
export function logFile(io: DirsIo): string {
  return path.join(stateDir(io), "log.jsonl");
}

/** False when `--no-log` was given or `OCLAW_LOG` turns the log off. */
export function logEnabled(env: Readonly<Record<string, string | undefined>>, noLog: boolean): boolean {
  if (noLog) return false;
  const value = env[LOG_ENV]?.trim().toLowerCase();
  return !(value === "off" || value === "0" || value === "false" || value === "no");
}

/**
 * How the log redacts: `Bearer` tokens and `key: value` pairs, and the configured secrets as the output
 * edge knows them (lib/redact.ts: their URL-encoded forms too, never Ollama's placeholder keys, which would
 * turn every `ollama/…` model ref into three stars and a slash).
 */
export function logRedaction(secrets: Iterable<string>): (text: string) => string {
  const known = new Secrets();
  known.add(secrets);
  return (text) => known.redact(redact(text));
}

/**
 * Appends one run's line, secrets redacted.
 * @throws OclawError E_WRITE when the log cannot be written
 */
export async function appendRunLog(io: DirsIo, entry: LogEntry, secrets: Iterable<string>): Promise<void> {
  await appendLines(logFile(io), [logRedaction(secrets)(JSON.stringify(entry))], { maxBytes: LOG_MAX_BYTES });
}

/**
 * Every logged run, oldest first (the rotated file, then the current one); lines that are not runs are skipped.
 * @throws OclawError E_USAGE when the log cannot be read
 */
export async function readRunLog(io: DirsIo): Promise<ReadEntry[]> {
  const file = logFile(io);
  const entries: ReadEntry[] = [];
  for (const name of [`${file}.1`, file]) {
    for (const value of await readJsonLines(name, true)) {
      // The line as written (key order kept for `logs --json`), once it is known to fit.
      if (logEntrySchema().safeParse(value).success) entries.push(value as ReadEntry);
    }
  }
  return entries;
}
