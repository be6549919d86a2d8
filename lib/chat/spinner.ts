/**
 * The wait before the first token, shown on a terminal: a spinner with the elapsed time on stderr while a
 * model loads (minutes on a CPU-only VPS), erased when the reply starts. Only on a terminal: a pipe or a
 * log file never gets a byte of it (the frames are oclaw's own styled output, which the output edge drops
 * off a terminal anyway).
 */
import type { RunEvent } from "../client/events.ts";
import type { OutStream } from "../io.ts";
import { StyledText } from "../terminal.ts";
import type { Renderer } from "./render.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** How often the spinner redraws. */
const TICK_MS = 200;

/** Options for {@link withSpinner}. */
export interface SpinnerOptions {
  stderr: OutStream;
  /** Monotonic milliseconds. */
  now: () => number;
  /** Hidden thinking keeps the spinner going ("thinking"); shown thinking is the first output. */
  showThinking: boolean;
}

/**
 * Wraps a renderer so that, after each `start` event, a spinner runs on stderr until the first output
 * (text, shown thinking, a tool call, the end, a fallback or a failure). Call only when stderr is a terminal.
 */
export function withSpinner(inner: Renderer, options: SpinnerOptions): Renderer {
  const { stderr, now } = options;
  let timer: ReturnType<typeof setInterval> | undefined;
  let started = 0;
  let frame = 0;
  let label = "";
  let drawing = Promise.resolve();
  const draw = () => {
    const seconds = Math.floor((now() - started) / 1000);
    const text = `${FRAMES[frame++ % FRAMES.length]} ${label} ${seconds}s`;
    drawing = drawing.then(() => stderr.write(new StyledText([{ control: "eraseLine" }, { control: "dim" }, text, { control: "reset" }])));
  };
  const stop = async () => {
    if (timer === undefined) return;
    clearInterval(timer);
    timer = undefined;
    await drawing;
    await stderr.write(new StyledText([{ control: "eraseLine" }]));
    // Out on the terminal before the reply's first bytes go to stdout, or the erase could wipe them.
    await stderr.drain();
  };
  const begin = (model: string, since = now()) => {
    started = since;
    label = `waiting for ${model}`;
    timer = setInterval(draw, TICK_MS);
    // A spinner never keeps the process alive.
    (timer as { unref?: () => void }).unref?.();
    draw();
  };
  const ends = (event: RunEvent) => event.type !== "start" && event.type !== "warning" && !(event.type === "thinking" && !options.showThinking);
  return {
    async event(event) {
      if (timer !== undefined && event.type === "thinking" && !options.showThinking) label = label.replace(/^waiting for/, "thinking:");
      if (timer !== undefined && (ends(event) || event.type === "warning")) {
        const resume = event.type === "warning";
        await stop();
        await inner.event(event);
        if (resume) begin(label.replace(/^(waiting for|thinking:) /, ""), started);
        return;
      }
      await inner.event(event);
      if (event.type === "start") begin(event.model);
    },
    async fail(error) {
      await stop();
      await inner.fail(error);
    },
  };
}
