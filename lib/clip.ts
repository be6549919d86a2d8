/**
 * Lengths of what a server sends and oclaw shows: every server-supplied string that reaches a user (model
 * names, error messages, versions) is cut to a sane length with an ellipsis, so a hostile or broken server
 * cannot write a megabyte line to a terminal, a log or the Nagios status line. (Control characters are the
 * terminal's concern, not this file's.)
 */

/** Longest server error message shown. */
export const MAX_MESSAGE_CHARS = 500;

/** Longest model name shown (Ollama's own names stay far below: host 350, namespace, model and tag 80 each). */
export const MAX_NAME_CHARS = 300;

/** Longest version string shown. */
export const MAX_VERSION_CHARS = 40;

/**
 * `text` if at most `max` characters long, else its first `max - 1` characters and "…"; never splits a
 * surrogate pair.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
