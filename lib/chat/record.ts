/**
 * What one `oclaw chat` run leaves behind: the exchange appended to its session (only when the run ended
 * well: an aborted or failed reply is not stored) and a line in the run log (always, with the exit code).
 * It watches the run's events for the reply, the tool calls, usage and the fallbacks.
 */
import type { RunEvent, Timings, Usage } from "../client/events.ts";
import { type OclawError } from "../errors.ts";
import type { Io } from "../io.ts";
import { sha256Hex } from "../state/sha256.ts";
import { fromBase64 } from "./image-type.ts";
import { type Image, type ImageRef, type Message, type ToolCall, wireMessage } from "./messages.ts";
import { appendRunLog, LOG_REPLY_CHARS, type LogEntry, logRedaction } from "./run-log.ts";
import { appendToSession, rememberSession } from "./sessions.ts";

/** Where a run's record goes. */
export interface RecordSetup {
  io: Io;
  /** The session the run continues, when it has one. */
  session?: string | undefined;
  /** False: no log line (`--no-log`, `OCLAW_LOG=off`). */
  log: boolean;
  /** `-q`: a log that cannot be written is not mentioned. */
  quiet?: boolean;
}

/** The conversation as the run sent it. */
export interface RecordedConversation {
  /** Every message sent; the tool loop may append the replies and tool results to this same list. */
  messages: Message[];
  /** The messages that are new to the session (system prompt, `--messages`, the user's turn). */
  fresh: Message[];
  /** How a message shows in the log, where it differs (a user turn with attached files: names, not text). */
  logView?: Map<Message, Message>;
}

/** Collects a run's events, then writes the session and the log. */
export class RunRecord {
  readonly #setup: RecordSetup;
  readonly #time: string;
  readonly #start: number;
  #conversation: RecordedConversation | undefined;
  #sent = 0;
  #candidates: string[] = [];
  #model: string | undefined;
  /** The reply: whole for a session, else only the head the log keeps (see {@link RunRecord.event}). */
  #reply = "";
  #replyLength = 0;
  /** The longest secret's length: what is kept of the reply past the log's cut, to redact across it. */
  #slack = 0;
  #toolCalls: ToolCall[] = [];
  #usage: Usage | undefined;
  #timings: Timings | undefined;
  #fallbacks: Array<{ from: string; to: string; code: string }> = [];
  #secrets: string[] = [];
  #finished = false;

  constructor(setup: RecordSetup) {
    this.#setup = setup;
    this.#time = new Date(setup.io.wallClock()).toISOString();
    this.#start = setup.io.now();
  }

  /** The conversation about to be sent. */
  conversation(conversation: RecordedConversation): void {
    this.#conversation = conversation;
    this.#sent = conversation.messages.length;
  }

  /** Values never to be written (the config's keys). */
  secrets(values: Iterable<string>): void {
    this.#secrets.push(...values);
    // The longest form redacted: a secret URL-encoded may be longer than itself.
    this.#slack = Math.max(0, ...this.#secrets.map((s) => encodeURIComponent(s).length));
  }

  /** Watches one event of the run. */
  event(event: RunEvent): void {
    switch (event.type) {
      case "start":
        if (!this.#candidates.includes(event.model)) this.#candidates.push(event.model);
        break;
      case "text": {
        const { text } = event;
        this.#replyLength += text.length;
        // A session stores the whole reply; the log keeps its head (with room for a secret across the cut).
        const room = this.#setup.session === undefined ? LOG_REPLY_CHARS + this.#slack - this.#reply.length : Infinity;
        if (room > 0) this.#reply += room < text.length ? text.slice(0, room) : text;
        break;
      }
      case "tool_call":
        this.#toolCalls.push({ id: event.id, name: event.name, arguments: event.arguments });
        break;
      case "fallback":
        this.#fallbacks.push({ from: event.from, to: event.to, code: event.error.code });
        break;
      case "done":
        this.#model = event.model;
        this.#usage = event.usage;
        this.#timings = event.timings;
        break;
    }
  }

  /** The reply as a message, when nothing (the tool loop) appended it already. */
  #exchange(): Message[] {
    const conversation = this.#conversation!;
    const appended = conversation.messages.slice(this.#sent);
    if (appended.length > 0) return [...conversation.fresh, ...appended];
    const reply: Message = { role: "assistant", content: this.#reply };
    if (this.#toolCalls.length > 0) reply.toolCalls = this.#toolCalls;
    return [...conversation.fresh, reply];
  }

  /**
   * Writes the session (when the run ended well) and the log line. A log that cannot be written is a
   * warning on stderr; a session that cannot be written is the run's error.
   * @throws OclawError E_WRITE when the session cannot be written
   */
  async finish(exitCode: number, error?: OclawError): Promise<void> {
    const { io, session } = this.#setup;
    if (this.#conversation === undefined || this.#finished) return;
    this.#finished = true;
    let sessionError: unknown;
    if (session !== undefined && exitCode === 0 && this.#model !== undefined) {
      try {
        await appendToSession(io, session, this.#exchange());
        await rememberSession(io, session);
      } catch (e) {
        sessionError = e;
      }
    }
    if (this.#setup.log) {
      try {
        await appendRunLog(io, await this.#entry(exitCode, error ?? (sessionError as OclawError | undefined)), this.#secrets);
      } catch (e) {
        if (this.#setup.quiet !== true) {
          await io.stderr.write(`oclaw: warning: the run was not logged (OCLAW_LOG=off turns the log off): ${(e as Error).message}\n`);
        }
      }
    }
    if (sessionError !== undefined) throw sessionError;
  }

  /** Every message sent (with the tool loop: its calls and results too), without the final reply. */
  #logged(): Message[] {
    const { messages } = this.#conversation!;
    return messages.length > this.#sent && messages.at(-1)?.role === "assistant" ? messages.slice(0, -1) : messages;
  }

  /**
   * The reply as the log keeps it: a long one cut at {@link LOG_REPLY_CHARS}, redacted before the cut (a
   * secret the cut went through would otherwise be logged in part), never halving a surrogate pair.
   */
  #loggedReply(): Pick<LogEntry, "reply" | "replyLength" | "replyTruncated"> {
    if (this.#replyLength <= LOG_REPLY_CHARS) return { reply: this.#reply };
    const redacted = logRedaction(this.#secrets)(this.#reply.slice(0, LOG_REPLY_CHARS + this.#slack));
    let cut = Math.min(LOG_REPLY_CHARS, redacted.length);
    const last = redacted.charCodeAt(cut - 1);
    if (last >= 0xd800 && last <= 0xdbff) cut--;
    return { reply: redacted.slice(0, cut), replyLength: this.#replyLength, replyTruncated: true };
  }

  async #entry(exitCode: number, error: OclawError | undefined): Promise<LogEntry> {
    const { messages, logView } = this.#conversation!;
    const notes = new Map<Image, ImageRef>();
    for (const message of messages) {
      if (message.role !== "user") continue;
      for (const image of message.images ?? []) {
        const bytes = fromBase64(image.data);
        notes.set(image, { name: image.name ?? "(image)", mime: image.mime, size: bytes.length, sha256: await sha256Hex(bytes) });
      }
    }
    const entry: LogEntry = {
      time: this.#time,
      candidates: this.#candidates,
      messages: this.#logged().map((m) => wireMessage(logView?.get(m) ?? m, (image) => notes.get(image)!)),
      ...this.#loggedReply(),
      exitCode,
      durationMs: Math.round(this.#setup.io.now() - this.#start),
    };
    if (this.#setup.session !== undefined) entry.session = this.#setup.session;
    if (this.#model !== undefined) entry.model = this.#model;
    if (this.#toolCalls.length > 0) entry.toolCalls = this.#toolCalls;
    if (this.#usage !== undefined) entry.usage = this.#usage;
    if (this.#timings !== undefined) entry.timings = { ...this.#timings };
    if (this.#fallbacks.length > 0) entry.fallbacks = this.#fallbacks;
    if (error !== undefined) entry.error = { code: error.code, message: error.message };
    // Keys in a readable order for `jq`: time and session first.
    const { time, session, ...rest } = entry;
    return { time, ...(session === undefined ? {} : { session }), ...rest };
  }
}
