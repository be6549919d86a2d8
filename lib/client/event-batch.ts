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

  /**
   * Hands out the events collected so far and starts afresh. A joined text is flattened first: the engine
   * keeps `a += b` as a rope that holds every token's string alive, and a caller that keeps the reply (the
   * run log, the tool loop) would otherwise hold two million small strings for a 2M-token reply (~80 MB)
   * instead of one flat string per read. Reading one character is what makes JavaScriptCore flatten it.
   */
  take(): ChatEvent[] {
    for (const event of this.events) {
      if (event.type === "text" || event.type === "thinking") event.text.charCodeAt(0);
    }
    return this.events.splice(0);
  }

  /** Adds an event; text after text (or thinking after thinking) extends the previous one. */
  add(event: ChatEvent): void {
    const last = this.events.at(-1);
    if ((event.type === "text" || event.type === "thinking") && last?.type === event.type) last.text += event.text;
    else this.events.push(event);
  }
}
