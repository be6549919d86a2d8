/**
 * The events of one network read. Text (or thinking) tokens that arrived together become one event: they
 * reached oclaw at the same moment, so nothing is delayed, and a fast stream then costs a fraction per
 * token (every event passes through the fallback runner and the renderer). The reply's very first output
 * is the exception: the parsers hand it out alone, at once, so the first token never waits for the rest
 * of its read.
 */
import type { ChatEvent } from "./events.ts";

/** Collects the events of one read: consecutive text (or thinking) is appended to one string. */
export class EventBatch {
  #events: ChatEvent[] = [];
  /** The kind of the text being joined, and the text so far (no event object per token). */
  #kind: "text" | "thinking" = "text";
  #text = "";

  /** True when something was added since the last {@link take}. */
  get holding(): boolean {
    return this.#text !== "" || this.#events.length > 0;
  }

  /** Appends a token of text or thinking (an empty one is nothing). */
  append(kind: "text" | "thinking", text: string): void {
    if (kind !== this.#kind) {
      this.#close();
      this.#kind = kind;
    }
    this.#text += text;
  }

  /** Adds an event that is not text or thinking (a tool call, a warning), after what came before it. */
  add(event: ChatEvent): void {
    this.#close();
    this.#events.push(event);
  }

  /** Hands out the events collected so far and starts afresh. */
  take(): ChatEvent[] {
    this.#close();
    const events = this.#events;
    this.#events = [];
    return events;
  }

  /**
   * Ends the text being joined as one event. The joined text is flattened first: the engine keeps `a += b`
   * as a rope that holds every token's string alive, and a caller that keeps the text would otherwise hold
   * one small string per token instead of one flat string per read. Reading one character is what makes
   * JavaScriptCore flatten it.
   */
  #close(): void {
    if (this.#text === "") return;
    this.#text.charCodeAt(0);
    this.#events.push({ type: this.#kind, text: this.#text });
    this.#text = "";
  }
}
