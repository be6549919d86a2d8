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
import { type Message, MessageIssue, parseMessages, type UserMessage } from "./messages.ts";

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
