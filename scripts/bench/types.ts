/**
 * The shapes every benchmark section shares: what it is given (the run's settings) and what it hands back
 * (a markdown block for BENCHMARKS.md and the targets it checked).
 */

/** One target from issue 19, checked against this run. */
export interface Target {
  /** "Streaming /api/chat: wall vs curl". */
  name: string;
  /** "≤ 1.50×". */
  goal: string;
  /** What was measured, formatted. */
  value: string;
  /** undefined when the part could not be measured yet. */
  met: boolean | undefined;
}

/** What a section produced. */
export interface SectionResult {
  title: string;
  markdown: string;
  targets: Target[];
  /** Raw numbers, written to bench-results/latest.json. */
  raw: unknown;
}

/** The settings of one benchmark run. */
export interface BenchContext {
  /** Repository root (absolute). */
  root: string;
  /** The compiled oclaw (absolute). */
  bin: string;
  /** The runtime running the peers' scripts (bun). */
  runtime: string;
  quick: boolean;
  /** The run's scratch directory, removed at the end. */
  tmp: string;
  /** `full` runs normally, `quick` with --quick. */
  runs(full: number, quick: number): number;
  /** Progress on stderr. */
  log(message: string): void;
}

/** A section's result when something it needs is not built yet. */
export function notAvailable(title: string, why: string, targets: Array<Omit<Target, "value" | "met">>): SectionResult {
  return {
    title,
    markdown: `_Not available yet: ${why}._`,
    targets: targets.map((t) => ({ ...t, value: "not available yet", met: undefined })),
    raw: { available: false, why },
  };
}
