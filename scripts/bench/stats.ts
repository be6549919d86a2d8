/**
 * Small numeric helpers for the benchmark: medians, ratios, and the fixed-width formatting of the tables.
 */

/** The median of a list (the mean of the middle two for an even count); NaN for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Smallest and largest value, for a "min–max" spread next to a median. */
export function spread(values: readonly number[]): [number, number] {
  if (values.length === 0) return [NaN, NaN];
  return [Math.min(...values), Math.max(...values)];
}

/** `a / b`, or NaN when either side is missing. */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return NaN;
  return a / b;
}

/** Milliseconds with a precision that fits the size: "0.42 ms", "12.3 ms", "1534 ms". */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  if (abs < 10) return `${value.toFixed(2)} ms`;
  if (abs < 100) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(0)} ms`;
}

/** A ratio as "1.23×". */
export function times(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : "–";
}

/** Nanoseconds per token, from a CPU time in ms and a token count. */
export function nsPerToken(cpuMs: number, tokens: number): string {
  return Number.isFinite(cpuMs) ? `${((cpuMs * 1e6) / tokens).toFixed(0)} ns` : "–";
}

/** Kibibytes as "41.2 MiB". */
export function mib(kib: number): string {
  return Number.isFinite(kib) ? `${(kib / 1024).toFixed(1)} MiB` : "–";
}

/** A markdown table from a header row and body rows. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
