/**
 * From a flag table ({@link Flags}) to what each consumer needs: node:util parseArgs options, the git-style
 * optional values, and the `--help` option lines. Nothing else describes a flag, so they cannot drift.
 */
import type { ParseArgsConfig } from "node:util";
import type { Flag, Flags, Positional } from "./command.ts";

/** Option specs in node:util parseArgs form. */
export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/** The parseArgs options of a flag table. */
export function parseOptions(flags: Flags | undefined): OptionSpecs {
  const options: OptionSpecs = {};
  for (const [name, flag] of Object.entries(flags ?? {})) {
    options[name] = {
      type: flag.type,
      ...(flag.short === undefined ? {} : { short: flag.short }),
      ...(flag.multiple === true ? { multiple: true } : {}),
    };
  }
  return options;
}

/**
 * Rewrites a bare `--name` into `--name=<bare value>` for the flags whose value is optional. A bare flag
 * followed by one of its own values (`--think low "Plan a trip"`) keeps that word as a positional, as
 * documented, but gets a warning saying how to write it (`--think=low`).
 */
export function applyBareValues(args: string[], flags: Flags | undefined): { args: string[]; warnings: string[] } {
  const end = args.indexOf("--");
  const warnings: string[] = [];
  const out = args.map((arg, i) => {
    if ((end !== -1 && i > end) || !arg.startsWith("--")) return arg;
    const flag = flags?.[arg.slice(2)];
    if (flag?.bare === undefined) return arg;
    const next = args[i + 1];
    if (next !== undefined && (end === -1 || i + 1 < end) && Array.isArray(flag.complete) && flag.complete.includes(next.toLowerCase())) {
      warnings.push(`'${next}' after ${arg} is read as the prompt's first word, and ${arg} means ${arg}=${flag.bare}; ` +
        `for the level write ${arg}=${next}`);
    }
    return `${arg}=${flag.bare}`;
  });
  return { args: out, warnings };
}

/** How a flag is written in help: `-m, --model REF`, `    --think[=LEVEL]`. */
export function flagSyntax(name: string, flag: Flag): string {
  const short = flag.short === undefined ? "    " : `-${flag.short}, `;
  const arg = flag.type === "string" ? (flag.bare === undefined ? ` ${flag.arg ?? "VALUE"}` : `[=${flag.arg ?? "VALUE"}]`) : "";
  return `${short}--${name}${arg}`;
}

/** Longest left column that still has its text beside it; longer ones put the text on the next line. */
const MAX_LEFT = 24;

/** Help lines for a flag table (and positionals), aligned in two columns, each line ending in `\n`. */
export function helpLines(
  rows: Array<{ left: string; help: string }>,
): string {
  const fitting = rows.map((r) => r.left.length).filter((n) => n <= MAX_LEFT);
  const column = 2 + Math.max(12, ...fitting) + 2;
  let text = "";
  for (const { left, help } of rows) {
    const [first = "", ...more] = help.split("\n");
    const head = `  ${left}`;
    text += head.length + 2 <= column ? `${head.padEnd(column)}${first}\n` : `${head}\n${" ".repeat(column)}${first}\n`;
    for (const line of more) text += `${" ".repeat(column)}${line}\n`;
  }
  return text;
}

/** The rows of a command's options section: positionals, then flags, then `--json` when it says what it prints. */
export function optionRows(
  flags: Flags | undefined,
  positionals: Positional[] = [],
  json?: string,
): Array<{ left: string; help: string }> {
  const rows = positionals.map((p) => ({ left: p.name, help: p.help }));
  for (const [name, flag] of Object.entries(flags ?? {})) {
    if (flag.hidden !== true) rows.push({ left: flagSyntax(name, flag), help: flag.help });
  }
  if (json !== undefined) rows.push({ left: "    --json", help: json });
  return rows;
}
