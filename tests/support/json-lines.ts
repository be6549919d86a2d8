/** Output and wire bodies made of one JSON value a line, parsed for assertions. */

/** Parsed wire data, probed freely by tests: a wrong shape fails the assertion that reads it. */
// deno-lint-ignore no-explicit-any
export type Json = Record<string, any>;

/** Each line of a command's JSON-lines output parsed; an empty line inside it fails the parse. */
export const jsonLines = (stdout: string): Array<Record<string, unknown>> =>
  stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

/** Each non-empty line of an NDJSON body parsed. */
export const ndjsonLines = (text: string): Json[] => text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Json);
