/**
 * `oclaw chat`: one prompt to the first candidate model that answers, the reply streamed to stdout as it
 * arrives (cli.md `oclaw chat`). Config → candidates → fallback runner → client → renderer.
 */
import { defaultCacheDir } from "../catalog/catalog.ts";
import { chatAttempt } from "../chat/attempt.ts";
import { chatCandidates } from "../chat/candidates.ts";
import { runWithFallback } from "../chat/fallback.ts";
import { type ChatOptions, chatOptions } from "../chat/options.ts";
import { conversation, endsWithQuestion, readMessagesFile } from "../chat/conversation.ts";
import type { Message } from "../chat/messages.ts";
import { readPrompt } from "../chat/prompt.ts";
import { jsonRenderer, type Renderer, textRenderer } from "../chat/render.ts";
import { type RunSignal, runSignal } from "../chat/run-signal.ts";
import type { Warning } from "../chat/truncation.ts";
import type { CommandContext, TopLevelCommand } from "../cli/command.ts";
import { resolveConfig } from "../config/resolve.ts";
import { EXIT, toOclawError } from "../errors.ts";
import { httpContext } from "../http/context.ts";
import { CHAT_FLAGS, CHAT_NOTES } from "./chat-flags.ts";

function makeRenderer(ctx: CommandContext): Renderer {
  const { io, global, values } = ctx;
  const stats = values.stats === true;
  return global.json
    ? jsonRenderer({ stdout: io.stdout, stderr: io.stderr, stats, quiet: global.quiet })
    : textRenderer({
      stdout: io.stdout,
      stderr: io.stderr,
      showThinking: values["show-thinking"] === true,
      stats,
      quiet: global.quiet,
    });
}

/** The messages to send: system prompt, prior messages (`--messages`), then the user's turn. */
async function chatConversation(ctx: CommandContext, options: ChatOptions, signal: AbortSignal): Promise<Message[]> {
  const { io } = ctx;
  let prior: Message[] = [];
  // Reading stdin is a wait like any other: Ctrl-C, a signal or --timeout (the run's signal) ends it.
  if (!io.stdin.isTTY && (options.messagesFile === "-" || !options.noStdin)) ctx.log.debug("reading stdin");
  if (options.messagesFile !== undefined) {
    const stdinText = options.messagesFile === "-" ? await io.stdin.readAll(signal) : undefined;
    prior = await readMessagesFile(io, options.messagesFile, stdinText);
  }
  const prompt = await readPrompt(ctx.positionals, io.stdin, {
    signal,
    readStdin: !options.noStdin && options.messagesFile !== "-",
    // A conversation ending with a tool result (or a question) asks for a reply by itself.
    required: !endsWithQuestion(prior),
  });
  return conversation(options.system, prior, prompt === "" ? undefined : { role: "user", content: prompt });
}

async function runChat(ctx: CommandContext): Promise<number> {
  const { io, global } = ctx;
  // Made first, so that any failure below still ends `--json` output with the error event.
  const renderer = makeRenderer(ctx);
  let run: RunSignal | undefined;
  // Warnings are written as soon as they are known, in order with the events.
  let written = Promise.resolve();
  try {
    const options = await chatOptions(ctx.values, io);
    run = runSignal(io, options.timeoutMs);
    const messages = await chatConversation(ctx, options, run.signal);
    const config = await resolveConfig(io, { configPath: global.config, signal: run.signal });
    const log = ctx.log;
    log.addSecrets(config.secrets);
    const candidates = chatCandidates(options.models, config.selection, config.providers);
    const attempt = chatAttempt({
      config,
      http: httpContext(io, log),
      options,
      messages,
      cacheDir: defaultCacheDir(io),
      warn: (warning: Warning) => {
        written = written.then(() => renderer.event(warning));
      },
    });
    const events = runWithFallback(candidates, attempt, { signal: run.signal, log, noFallback: options.noFallback });
    for await (const event of events) {
      await written;
      if (event.type === "start") log.debug(`trying ${event.model} (provider ${event.provider}, api ${event.api})`);
      await renderer.event(event);
    }
    await written;
    return EXIT.ok;
  } catch (error) {
    await written;
    // Nobody reads stdout any more (`| head -1`): a quiet stop.
    if (run?.stdoutClosed) return EXIT.ok;
    await renderer.fail(toOclawError(error));
    throw error;
  } finally {
    run?.dispose();
  }
}

/** The `chat` command. */
export const chatCommand: TopLevelCommand = {
  name: "chat",
  usage: "chat [options] [PROMPT...]",
  flags: CHAT_FLAGS,
  notes: CHAT_NOTES,
  jsonErrors: "event",
  run: runChat,
};
