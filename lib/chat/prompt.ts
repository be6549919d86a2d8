/**
 * The conversation `oclaw chat` sends: an optional system message and one user message built from the
 * prompt words and, when stdin is not a terminal, the text piped in (cli.md `oclaw chat`).
 */
import type { Message } from "../client/request.ts";
import { usageError } from "../errors.ts";
import type { InStream } from "../io.ts";

/**
 * The user prompt: the words joined by spaces; piped stdin is appended after a blank line
 * (`instruction\n\n<stdin>`), or is the whole prompt when there are no words.
 * @throws OclawError E_USAGE when there is no prompt at all
 */
export async function readPrompt(words: string[], stdin: InStream): Promise<string> {
  const instruction = words.join(" ");
  const piped = stdin.isTTY ? "" : await stdin.readAll();
  const prompt = instruction !== "" && piped !== "" ? `${instruction}\n\n${piped}` : instruction || piped;
  if (prompt.trim() === "") {
    throw usageError(
      "No prompt: give it as arguments or on stdin",
      "oclaw chat 'Why is the sky blue?'   or   git diff | oclaw chat 'Review this change'",
    );
  }
  return prompt;
}

/** The messages of a one-turn chat. */
export function chatMessages(prompt: string, system?: string): Message[] {
  const messages: Message[] = [];
  if (system !== undefined && system !== "") messages.push({ role: "system", content: system });
  messages.push({ role: "user", content: prompt });
  return messages;
}
