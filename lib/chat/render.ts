/**
 * The renderers of `oclaw chat`: text (reply on stdout as it arrives, talk on stderr) and `--json`
 * (one RunEvent per line). Both see only RunEvents.
 */
import type { RunEvent, Timings } from "../client/events.ts";
import type { OclawError } from "../errors.ts";
import type { OutStream } from "../io.ts";
import { StyledText } from "../terminal.ts";
import { formatStats } from "./stats.ts";

/** Consumes a run's events. */
export interface Renderer {
  /** Renders one event; resolves once written (backpressure). */
  event(event: RunEvent): Promise<void>;
  /** The run failed: leaves the output tidy (and, with `--json`, ends it with the error event). */
  fail(error: OclawError): Promise<void>;
}

/** What the text renderer shows. */
export interface TextOptions {
  stdout: OutStream;
  stderr: OutStream;
  /** Thinking text on stderr. */
  showThinking: boolean;
  /** `--stats` after the reply. */
  stats: boolean;
  /** `-q`: no fallback notices, no tool lines. */
  quiet: boolean;
  /** True for tools whose calls run: shown on stderr (`→ name args`), not printed as a call on stdout. */
  runs?: (name: string) => boolean;
}

/** The first line of a tool's output, shortened for a notice. */
function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Notices both renderers print on stderr. */
function notice(event: RunEvent, quiet: boolean): string | undefined {
  if (event.type === "warning") return `oclaw: warning: ${event.message}\n`;
  if (event.type === "fallback" && !quiet) {
    return `oclaw: ${event.from} failed (${event.error.message}); trying ${event.to}\n`;
  }
  return undefined;
}

/** The text renderer: tokens on stdout as they arrive, each tool call one JSON line, a final newline. */
export function textRenderer(options: TextOptions): Renderer {
  const { stdout, stderr } = options;
  let stdoutMidLine = false;
  let thinkingMidLine = false;
  const endThinking = async () => {
    if (thinkingMidLine) await stderr.write("\n");
    thinkingMidLine = false;
  };
  const endLine = async () => {
    if (stdoutMidLine) await stdout.write("\n");
    stdoutMidLine = false;
  };
  return {
    async event(event) {
      switch (event.type) {
        case "thinking":
          if (!options.showThinking) return;
          // Dim italic on a terminal, as `ollama run` sets thinking apart; a pipe gets the plain text.
          await stderr.write(new StyledText([{ control: "dim" }, { control: "italic" }, event.text, { control: "reset" }]));
          thinkingMidLine = !event.text.endsWith("\n");
          return;
        case "text":
          await endThinking();
          await stdout.write(event.text);
          stdoutMidLine = !event.text.endsWith("\n");
          return;
        case "tool_call":
          await endThinking();
          // Text before a call ends its line: the next request's reply starts on a new one.
          await endLine();
          if (options.runs?.(event.name)) {
            if (options.quiet) return;
            // The reply so far reaches the terminal before the line about the call, not after it.
            await stdout.drain();
            await stderr.write(`→ ${event.name} ${JSON.stringify(event.arguments)}\n`);
            return;
          }
          await stdout.write(
            JSON.stringify({ tool_call: { id: event.id, name: event.name, arguments: event.arguments } }) + "\n",
          );
          return;
        case "tool_result":
          if (options.quiet) return;
          await endThinking();
          await stderr.write(
            event.ok ? `← ${new TextEncoder().encode(event.output).length} bytes\n` : `← error: ${firstLine(event.output)}\n`,
          );
          return;
        case "done":
          await endThinking();
          await endLine();
          if (options.stats) await stderr.write(formatStats(event));
          return;
        default: {
          const text = notice(event, options.quiet);
          if (text === undefined) return;
          await endThinking();
          await stderr.write(text);
        }
      }
    },
    async fail() {
      await endThinking();
      await endLine();
    },
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

function roundTimings(timings: Timings): Timings {
  const out: Timings = {};
  // The contract's keys only; --stats (stderr) reads the prompt and eval durations from the event itself.
  for (const key of ["totalMs", "loadMs", "firstTokenMs", "tokensPerSecond"] as const) {
    const value = timings[key];
    if (value !== undefined) out[key] = round(value);
  }
  return out;
}

/** The JSON line of an event, fields in cli.md's order. */
export function eventJson(event: RunEvent): string {
  if (event.type === "done") {
    const { model, stopReason, usage, timings } = event;
    return JSON.stringify({
      type: "done",
      model,
      stopReason,
      ...(usage === undefined ? {} : { usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } }),
      timings: roundTimings(timings),
    });
  }
  return JSON.stringify(event);
}

/** The `--json` renderer: one event per line on stdout; warnings and fallbacks also on stderr. */
export function jsonRenderer(options: { stdout: OutStream; stderr: OutStream; stats: boolean; quiet: boolean }): Renderer {
  return {
    async event(event) {
      await options.stdout.write(eventJson(event) + "\n");
      const text = notice(event, options.quiet);
      if (text !== undefined) await options.stderr.write(text);
      if (event.type === "done" && options.stats) await options.stderr.write(formatStats(event));
    },
    async fail(error) {
      await options.stdout.write(JSON.stringify({ type: "error", ...error.toJSON() }) + "\n");
    },
  };
}
