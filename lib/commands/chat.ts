/**
 * `oclaw chat`: one prompt to the first candidate model that answers, the reply streamed to stdout as it
 * arrives (cli.md `oclaw chat`). Config → candidates → fallback runner → client → renderer.
 */
import { summaryOf } from "./index.ts";
import { defaultCacheDir } from "../catalog/catalog.ts";
import { chatAttempt } from "../chat/attempt.ts";
import { chatCandidates } from "../chat/candidates.ts";
import { runWithFallback } from "../chat/fallback.ts";
import { chatOptions, IDLE_TIMEOUT_ENV } from "../chat/options.ts";
import { chatMessages, readPrompt } from "../chat/prompt.ts";
import { jsonRenderer, type Renderer, textRenderer } from "../chat/render.ts";
import { type RunSignal, runSignal } from "../chat/run-signal.ts";
import type { Warning } from "../chat/truncation.ts";
import type { Command, CommandContext } from "../cli/command.ts";
import { resolveConfig } from "../config/resolve.ts";
import { EXIT, toOclawError } from "../errors.ts";
import { httpContext } from "../http.ts";

const HELP = `  -m, --model REF          Model to use, repeatable: the candidates in order (default: the configured
                           primary, then its fallbacks). REF = provider/id; without '/' the ollama provider
  -s, --system TEXT        System message
      --think[=LEVEL]      Ask the model to think: on, off, low, medium, high, max (default: params.think,
                           else the server's choice). A model that cannot think is asked again without it
      --show-thinking      Print the thinking on stderr (hidden otherwise; always in --json events)
      --format json|FILE   Reply in JSON, or in the JSON schema held in FILE
      --tools FILE         Tools the model may call: a JSON array of {"type":"function","function":{...}};
                           each call is printed as one {"tool_call":{...}} line
      --no-stream          Ask for the whole reply at once (also params.streaming: false); it must then
                           arrive within the first-chunk limit below
      --timeout SECONDS    Limit for the whole run; exit 124 when it runs out
      --idle-timeout SECONDS
                           Longest silence between two chunks of a reply (default 300; 0: none;
                           also ${IDLE_TIMEOUT_ENV}). The first chunk may take up to 10 minutes (cold loads),
                           or the provider's timeoutSeconds when larger
      --stats              Durations, token counts and rates on stderr, like 'ollama run --verbose'
      --no-fallback        Try only the first candidate

  The prompt is the words given, followed after a blank line by stdin when stdin is not a terminal.
  Options sent to Ollama come from the model's params (num_ctx, temperature, keep_alive ...); num_ctx is
  also taken from a contextWindow written in the config's model entry. A prompt likely longer than the
  model's context is warned about (W_TRUNCATED).
  Exit codes: 0 ok (also when stdout is closed early), 1 failure, 2 usage, 3 config, 4 unreachable,
  5 model not found, 124 --timeout, 130 interrupted.
`;

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
    const prompt = await readPrompt(ctx.positionals, io.stdin);
    const config = await resolveConfig(io, { configPath: global.config });
    const log = ctx.log;
    log.addSecrets(config.secrets);
    const candidates = chatCandidates(options.models, config.selection, config.providers);
    const attempt = chatAttempt({
      config,
      http: httpContext(io, log),
      options,
      messages: chatMessages(prompt, options.system),
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
export const chatCommand: Command = {
  name: "chat",
  summary: summaryOf("chat"),
  usage: "chat [options] [PROMPT...]",
  help: HELP,
  optionalValues: { think: "on" },
  options: {
    model: { type: "string", short: "m", multiple: true },
    system: { type: "string", short: "s" },
    think: { type: "string" },
    "show-thinking": { type: "boolean" },
    format: { type: "string" },
    tools: { type: "string" },
    "no-stream": { type: "boolean" },
    timeout: { type: "string" },
    "idle-timeout": { type: "string" },
    stats: { type: "boolean" },
    "no-fallback": { type: "boolean" },
  },
  run: runChat,
};
