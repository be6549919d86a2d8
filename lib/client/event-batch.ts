/**
 * The events of one network read. Text (or thinking) tokens that arrived together become one event: they
 * reached oclaw at the same moment, so nothing is delayed, and a fast stream then costs a fraction per
 * token (every event passes through the fallback runner and the renderer). The reply's very first output
 * is the exception: the parsers hand it out alone, at once, so the first token never waits for the rest
 * of its read.
 */
import type { ChatEvent } from "./events.ts";

/** Collects the events of one read, joining consecutive text and consecutive thinking. */
export class EventBatch {
  readonly events: ChatEvent[] = [];

  /** Hands out the events collected so far and starts afresh. */
  take(): ChatEvent[] {
    return this.events.splice(0);
  }

  /** Adds an event; text after text (or thinking after thinking) extends the previous one. */
  add(event: ChatEvent): void {
    const last = this.events.at(-1);
    if ((event.type === "text" || event.type === "thinking") && last?.type === event.type) last.text += event.text;
    else this.events.push(event);
  }
}
