/**
 * `oclaw chat`: one prompt to the first candidate model that answers, the reply streamed to stdout as it
 * arrives (cli.md `oclaw chat`). Config → candidates → fallback runner → client → renderer.
 */
import { defaultCacheDir } from "../catalog/catalog.ts";
import { chatAttempt } from "../chat/attempt.ts";
import { chatCandidates } from "../chat/candidates.ts";
import { type DeadHostMemory, deadHostMemory } from "../chat/dead-hosts.ts";
import { runWithFallback } from "../chat/fallback.ts";
import { chatOptions } from "../chat/options.ts";
import { chatConversation } from "../chat/conversation.ts";
import { RunRecord } from "../chat/record.ts";
import { logEnabled } from "../chat/run-log.ts";
import { runToolLoop } from "../chat/tool-loop.ts";
import { jsonRenderer, type Renderer, textRenderer } from "../chat/render.ts";
import { type RunSignal, runSignal } from "../chat/run-signal.ts";
import type { Warning } from "../chat/truncation.ts";
import type { CommandContext, TopLevelCommand } from "../cli/command.ts";
import { resolveConfig } from "../config/resolve.ts";
import { EXIT, exitCodeFor, toOclawError } from "../errors.ts";
import { httpContext } from "../http/context.ts";
import { withSpinner } from "../chat/spinner.ts";
import { CHAT_FLAGS, CHAT_NOTES } from "./chat-flags.ts";
import { type Approve, consent } from "../tools/consent.ts";
import { openTools } from "../tools/open.ts";
import type { ToolBox } from "../tools/toolbox.ts";

function makeRenderer(ctx: CommandContext, runs: (name: string) => boolean): Renderer {
  const { io, global, values } = ctx;
  const stats = values.stats === true;
  const showThinking = values["show-thinking"] === true;
  const renderer = global.json
    ? jsonRenderer({ stdout: io.stdout, stderr: io.stderr, stats, quiet: global.quiet })
    : textRenderer({ stdout: io.stdout, stderr: io.stderr, showThinking, stats, quiet: global.quiet, runs });
  // The wait for the first token, on a terminal only (lib/chat/spinner.ts).
  const spin = io.stderr.isTTY && io.env.TERM !== "dumb" && !global.quiet;
  return spin ? withSpinner(renderer, { stderr: io.stderr, now: () => io.now(), showThinking }) : renderer;
}

async function runChat(ctx: CommandContext): Promise<number> {
  const { io, global } = ctx;
  let tools: ToolBox | undefined;
  // Made first, so that any failure below still ends `--json` output with the error event.
  const renderer = makeRenderer(ctx, (name) => tools?.runs(name) ?? false);
  let run: RunSignal | undefined;
  let record: RunRecord | undefined;
  let hosts: DeadHostMemory | undefined;
  // Warnings are written as soon as they are known, in order with the events.
  let written = Promise.resolve();
  try {
    const options = await chatOptions(ctx.values, io);
    run = runSignal(io, options.timeoutMs);
    // Before any request (and any server started): tools never run unattended without --yes.
    const runnable = options.toolEntries?.some((e) => e.command !== undefined) === true || options.mcpServers.length > 0;
    const approve: Approve = runnable ? consent(io, options.yes) : () => Promise.resolve(false);
    const chat = await chatConversation(io, ctx.positionals, options, run.signal, ctx.log);
    const messages = chat.messages;
    record = new RunRecord({ io, session: chat.session, log: logEnabled(io.env, options.noLog), quiet: global.quiet });
    record.conversation(chat);
    const config = await resolveConfig(io, { configPath: global.config, signal: run.signal, quiet: global.quiet });
    const log = ctx.log;
    log.addSecrets(config.secrets);
    record.secrets(config.secrets);
    for (const note of config.notes) log.debug(note);
    const candidates = chatCandidates(options.models, config.selection, config.providers);
    // Hosts that could not be reached in the last minute are tried last (not at all with --no-fallback).
    const memory = await deadHostMemory(io, log, config.providers);
    hosts = memory;
    const signal = run.signal;
    tools = await openTools({
      entries: options.toolEntries,
      file: options.toolsFile,
      servers: options.mcpServers,
      env: io.env,
      secrets: config.secrets,
      cwd: io.cwd,
      signal,
    });
    const definitions = tools.list();
    const http = httpContext(io, log);
    const warn = (warning: Warning) => {
      written = written.then(() => renderer.event(warning));
    };
    const events = runToolLoop({
      messages,
      tools,
      approve,
      maxSteps: options.maxSteps,
      signal,
      // Only a session reads the reply back; the log keeps its head (lib/chat/record.ts).
      keepReply: chat.session !== undefined,
      candidates: options.noFallback ? candidates : memory.order(candidates),
      step: (messages, chain) => {
        const attempt = memory.watch(chatAttempt({
          config,
          http,
          options,
          messages: [...messages],
          tools: definitions,
          cacheDir: defaultCacheDir(io),
          warn,
        }));
        return runWithFallback(chain, attempt, { signal, log, noFallback: options.noFallback });
      },
    });
    for await (const event of events) {
      await written;
      if (event.type === "start") log.debug(`trying ${event.model} (provider ${event.provider}, api ${event.api})`);
      record.event(event);
      await renderer.event(event);
    }
    await written;
    await record.finish(EXIT.ok);
    return EXIT.ok;
  } catch (error) {
    await written;
    // Nobody reads stdout any more (`| head -1`): a quiet stop.
    if (run?.stdoutClosed) {
      await record?.finish(EXIT.ok).catch(() => {});
      return EXIT.ok;
    }
    const failure = toOclawError(error);
    await record?.finish(exitCodeFor(failure), failure).catch(() => {});
    await renderer.fail(failure);
    throw error;
  } finally {
    // MCP servers stop at the end of every run: done, failed or interrupted.
    await tools?.close();
    run?.dispose();
    await hosts?.save();
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
