/**
 * The conversation one `oclaw chat` run sends: the system prompt (`-s`, `--system-file`), the messages
 * before this turn (a session, `--messages FILE|-`) and the user's turn (prompt words, stdin, attachments).
 * The tool loop appends to the list this builds; the clients send it as it is.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { usageError } from "../errors.ts";
import { fsReason } from "../fs-errors.ts";
import type { Io } from "../io.ts";
import type { Logger } from "../log.ts";
import { readAttachments, userTurn } from "./attachments.ts";
import { type Message, MessageIssue, parseMessages, type UserMessage } from "./messages.ts";
import type { ChatOptions } from "./options.ts";
import { readPrompt } from "./prompt.ts";
import type { RecordedConversation } from "./record.ts";
import { readRunLog } from "./run-log.ts";
import { lastSession, loadSession } from "./sessions.ts";

const MESSAGES_HINT = 'Expected a JSON array like [{"role":"user","content":"..."},' +
  '{"role":"assistant","content":"","tool_calls":[...]},{"role":"tool","tool_name":"...","content":"..."}]';

/**
 * Reads `--messages FILE` (`-`: the text already read from stdin): prior messages in Ollama or OpenAI shape.
 * @throws OclawError E_USAGE naming the file, the message and the field that is wrong
 */
export async function readMessagesFile(io: Io, file: string, stdinText?: string): Promise<Message[]> {
  const name = file === "-" ? "--messages from stdin" : `--messages file ${file}`;
  let text = stdinText;
  if (text === undefined) {
    try {
      text = await readFile(path.resolve(io.cwd, file), "utf8");
    } catch (error) {
      throw usageError(`Cannot read --messages file ${file}: ${fsReason(error)}`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(`The ${name} is not valid JSON: ${(error as Error).message}`, MESSAGES_HINT);
  }
  try {
    return parseMessages(value);
  } catch (error) {
    if (!(error instanceof MessageIssue)) throw error;
    // `[2].tool_calls[0].function.name`: the path jq would take to the wrong field.
    const where = error.where === "" ? "" : `${error.where}: `;
    throw usageError(`Invalid ${name}: ${where}${error.message}`, MESSAGES_HINT);
  }
}

/** True when the conversation so far asks for a reply by itself (it ends with a user or tool message). */
export function endsWithQuestion(prior: Message[]): boolean {
  const last = prior.at(-1);
  return last?.role === "user" || last?.role === "tool";
}

/**
 * The messages to send: `system` (when given) replaces the conversation's leading system message or goes
 * first, then the prior messages, then the user's turn (when there is one).
 */
export function conversation(system: string | undefined, prior: Message[], turn: UserMessage | undefined): Message[] {
  const messages = [...prior];
  if (system !== undefined && system !== "") {
    if (messages[0]?.role === "system") messages[0] = { role: "system", content: system };
    else messages.unshift({ role: "system", content: system });
  }
  if (turn !== undefined) messages.push(turn);
  return messages;
}

/** A run's conversation, and the session it belongs to. */
export interface ChatConversation extends RecordedConversation {
  session?: string;
}

/**
 * The last logged exchange as messages (what was sent, then the reply), for `-c` when no session was used.
 * Images and attached files were logged by name only, so they are left out.
 * @throws OclawError E_USAGE when the log holds no answered run
 */
async function lastLoggedExchange(io: Io): Promise<Message[]> {
  const entry = (await readRunLog(io)).findLast((e) => e.model !== undefined);
  if (entry === undefined) {
    throw usageError("Nothing to continue: no session was used and the log holds no answered run", "Start one with --session NAME");
  }
  if (entry.replyTruncated === true) {
    // The log keeps only the head of a long reply: the model would be shown a reply it did not give.
    throw usageError(
      `The last logged run cannot be continued: the log keeps only the first ${entry.reply.length} characters of its reply` +
        (entry.replyLength === undefined ? "" : ` of ${entry.replyLength}`),
      "Keep long conversations with --session NAME",
    );
  }
  const wire = entry.messages.map((m) => {
    if (typeof m !== "object" || m === null) return m;
    const { images: _images, ...rest } = m as Record<string, unknown>;
    return rest;
  });
  wire.push({ role: "assistant", content: entry.reply, ...(entry.toolCalls?.length ? { tool_calls: entry.toolCalls.map((c) => ({ id: c.id, function: { name: c.name, arguments: c.arguments } })) } : {}) });
  try {
    return parseMessages(wire);
  } catch (error) {
    if (error instanceof MessageIssue) throw usageError(`The last logged run cannot be continued: ${error.where}: ${error.message}`);
    throw error;
  }
}

/**
 * Builds the messages to send: a session's messages (`--session`, or the last one used with `-c`; else with
 * `-c` the last logged exchange), `--messages`, the system prompt, then the user's turn (the words, stdin).
 * @throws OclawError E_USAGE for a bad file, a damaged session, or no prompt where one is needed
 */
export async function chatConversation(
  io: Io,
  words: string[],
  options: ChatOptions,
  signal: AbortSignal,
  log?: Logger,
): Promise<ChatConversation> {
  const session = options.session ?? (options.continue ? await lastSession(io) : undefined);
  const fromSession = session === undefined ? [] : await loadSession(io, session);
  const fromLog = session === undefined && options.continue ? await lastLoggedExchange(io) : [];
  let given: Message[] = [];
  // Reading stdin is a wait like any other: Ctrl-C, a signal or --timeout (the run's signal) ends it.
  if (!io.stdin.isTTY && (options.messagesFile === "-" || !options.noStdin)) log?.debug("reading stdin");
  if (options.messagesFile !== undefined) {
    const stdinText = options.messagesFile === "-" ? await io.stdin.readAll(signal) : undefined;
    given = await readMessagesFile(io, options.messagesFile, stdinText);
  }
  const prior = [...fromSession, ...fromLog, ...given];
  const attachments = await readAttachments(io, options.attach, signal);
  const prompt = await readPrompt(words, io.stdin, {
    signal,
    readStdin: !options.noStdin && options.messagesFile !== "-" && !options.attach.includes("-"),
    // A conversation ending with a tool result (or a question) asks for a reply by itself; files are a prompt.
    required: !endsWithQuestion(prior) && attachments.length === 0,
  });
  const user = prompt === "" && attachments.length === 0 ? undefined : userTurn(prompt, attachments);
  const turn: UserMessage | undefined = user?.turn;
  const messages = conversation(options.system, prior, turn);
  const fresh: Message[] = [];
  const system = options.system;
  if (system !== undefined && system !== "" && !(fromSession[0]?.role === "system" && fromSession[0].content === system)) {
    fresh.push({ role: "system", content: system });
  }
  fresh.push(...given);
  if (turn !== undefined) fresh.push(turn);
  const built: ChatConversation = { messages, fresh };
  if (user !== undefined && attachments.some((a) => a.text !== undefined)) built.logView = new Map([[user.turn, user.logged]]);
  if (session !== undefined) built.session = session;
  return built;
}
