/**
 * The user's turn of `oclaw chat`: the prompt words and, when stdin is not a terminal (and not taken by
 * `--messages -`, `-a -` or turned off with `--no-stdin`), the text piped in (cli.md `oclaw chat`).
 */
import { usageError } from "../errors.ts";
import type { InStream } from "../io.ts";
import type { Message } from "./messages.ts";

/** How {@link readPrompt} treats stdin and an empty prompt. */
export interface PromptOptions {
  /** False: stdin is not read (`--no-stdin`, or another flag took it). Default true. */
  readStdin?: boolean;
  /** False: an empty prompt is fine (the conversation so far ends with a user or tool message). Default true. */
  required?: boolean;
  /** Ends the read of stdin (Ctrl-C, a signal, --timeout). */
  signal?: AbortSignal;
}

/**
 * The user prompt: the words joined by spaces; piped stdin is appended after a blank line
 * (`instruction\n\n<stdin>`), or is the whole prompt when there are no words.
 * @throws OclawError E_USAGE when there is no prompt at all and one is required; the signal's reason when it
 *   ends the read of stdin
 */
export async function readPrompt(words: string[], stdin: InStream, options: PromptOptions = {}): Promise<string> {
  const instruction = words.join(" ");
  const read = stdin.isTTY || options.readStdin === false ? "" : await stdin.readAll(options.signal);
  // `echo "" | oclaw chat hi`: stdin with nothing but blank lines adds nothing to the prompt.
  const piped = read.trim() === "" ? "" : read;
  const prompt = instruction !== "" && piped !== "" ? `${instruction}\n\n${piped}` : instruction || piped;
  if (prompt.trim() === "") {
    if (options.required === false) return "";
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
