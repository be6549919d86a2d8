/**
 * Terminal-safe output, decided in one place: every text oclaw writes passes through {@link renderOutput} at
 * the output streams' edge (lib/runtime.ts, and the captured streams of tests). There, C0 and C1 control
 * characters other than newline and tab are rendered visibly (`^[`, `^G`, `\x9b`), so a server's OSC 52
 * (clipboard), OSC 8 (links), `ESC[2J` or BEL in a reply, a model name or an error message reaches the
 * screen as text, not as a command. oclaw's own styling (bold headers, coloured doctor lines, the pull
 * progress bar) is not text at all: it travels as {@link StyledText}, an object no server can forge. The
 * run's known secrets (lib/redact.ts) are replaced by `***` here too, on every stream.
 */
import type { Secrets } from "./redact.ts";

/** The controls oclaw itself writes to a terminal. */
export type Control = "reset" | "bold" | "dim" | "italic" | "red" | "green" | "yellow" | "eraseLine";

const SEQUENCES: Record<Control, string> = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  italic: "\x1b[3m",
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  // Back to the start of the line and clear it: a progress bar redrawn in place.
  eraseLine: "\r\x1b[K",
};

/** One piece of styled output: text (neutralised like any other) or one of oclaw's own controls. */
export type StyledPart = string | { readonly control: Control };

/** Text with oclaw's own controls in it; only code builds one, so only oclaw decides what styles the screen. */
export class StyledText {
  /** The pieces, in order. */
  readonly parts: readonly StyledPart[];
  constructor(parts: readonly StyledPart[]) {
    this.parts = parts;
  }
  /** The text without its controls (what a pipe gets). */
  toString(): string {
    return this.parts.filter((p): p is string => typeof p === "string").join("");
  }
}

/** `text` in a style, reset afterwards. */
export function paint(control: Control, text: string): StyledPart[] {
  return [{ control }, text, { control: "reset" }];
}

/** Anything an output stream accepts. */
export type OutputText = string | StyledText;

// C0 controls but tab and newline, DEL, and the C1 controls (U+0080–U+009F: U+009B is a CSI to many
// terminals).
// deno-lint-ignore no-control-regex -- control characters are exactly what this finds
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Any C0 control (newline and tab included), DEL or C1 control. */
// deno-lint-ignore no-control-regex -- control characters are exactly what this finds
const ANY_CONTROL = /[\x00-\x1f\x7f-\x9f]/;

/** A control character made visible: caret notation for C0 and DEL (`^[`, `^G`, `^?`), `\x9b` for C1. */
function visible(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return "^?";
  return `\\x${code.toString(16)}`;
}

/** True when `text` holds a control character other than newline and tab. */
export function hasControls(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/** `text` with every control character other than newline and tab rendered visibly. */
export function neutralizeControls(text: string): string {
  return text.replace(CONTROL, visible);
}

/**
 * A single-line form of a server-supplied string for a table cell or a one-per-line list: newline and tab
 * are shown as `\n` and `\t` too, every other control visibly.
 */
export function oneLine(text: string): string {
  // Most cells have no control at all: one scan, no copy.
  if (!ANY_CONTROL.test(text)) return text;
  return neutralizeControls(text.replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t"));
}

/** How a stream renders: whether controls are neutralised, whether oclaw's own controls are sent. */
export interface RenderPolicy {
  /** Secrets to redact from every text (whatever the stream is attached to). */
  secrets?: Secrets | undefined;
  /** Render control characters visibly (a terminal; and stderr always). */
  neutralize: boolean;
  /** Send oclaw's own styling (only to a terminal). */
  styles: boolean;
}

/**
 * The edge: `output` as the bytes a stream gets under `policy`. Off a terminal a reply passes byte for byte
 * (a pipe gets the real text); on one it cannot drive the terminal.
 */
export function renderOutput(output: OutputText, policy: RenderPolicy): string {
  const text = (part: string) => {
    const redacted = policy.secrets === undefined ? part : policy.secrets.redact(part);
    return policy.neutralize ? neutralizeControls(redacted) : redacted;
  };
  if (typeof output === "string") return text(output);
  let out = "";
  for (const part of output.parts) out += typeof part === "string" ? text(part) : policy.styles ? SEQUENCES[part.control] : "";
  return out;
}
