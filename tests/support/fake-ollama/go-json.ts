/**
 * JSON bytes as Go's encoding/json writes them: `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c`,
 * `\u003e`, `\u0026`, `\u2028`, `\u2029`. Those characters can only occur inside JSON strings, so escaping
 * them over the whole text is safe.
 */

const ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** Serialises a value the way Go's json.Marshal does (key order = insertion order, HTML-safe escaping). */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c] ?? c);
}

/** Formats a time like Go's RFC3339Nano in UTC: nanosecond fraction with trailing zeros trimmed. */
export function goTime(epochMs: number = performance.timeOrigin + performance.now()): string {
  const wholeMs = Math.floor(epochMs);
  const base = new Date(wholeMs).toISOString().slice(0, 19);
  const nanos = Math.round((epochMs - Math.floor(epochMs / 1000) * 1000) * 1e6);
  const fraction = String(Math.min(nanos, 999_999_999)).padStart(9, "0").replace(/0+$/, "");
  return `${base}${fraction ? `.${fraction}` : ""}Z`;
}
