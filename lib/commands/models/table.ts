/**
 * Plain-text tables for `oclaw models list`: columns padded to their widest cell, two spaces apart, the
 * header bold when colour is on. A cell is one line whatever a server put in it (a model name with a newline
 * or an escape sequence shows them as `\n`, `^[`).
 */
import { oneLine, paint, type StyledPart, StyledText } from "../../terminal.ts";

/** One table row; `dim` greys it out (with colour on). */
export interface TableRow {
  cells: string[];
  dim?: boolean;
}

/** Renders a header and rows as lines of text, each ending in `\n` (styled when `color`). */
export function renderTable(header: string[], rows: TableRow[], color: boolean): string | StyledText {
  const cells = rows.map((r) => r.cells.map(oneLine));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  if (!color) return [header, ...cells].map((c) => `${line(c)}\n`).join("");
  const parts: StyledPart[] = [...paint("bold", line(header)), "\n"];
  for (const [i, row] of rows.entries()) {
    if (row.dim) parts.push(...paint("dim", line(cells[i]!)), "\n");
    else parts.push(`${line(cells[i]!)}\n`);
  }
  return new StyledText(parts);
}

/** A token count for a `--wide` cell: the exact number, `-` for none. */
export function formatTokens(n: number): string {
  return n > 0 ? String(n) : "-";
}

/**
 * A token count for the narrow table, in binary units as `ollama show` counts context (131072 → `128K`,
 * 128000 → `125K`, 1310720 → `1.3M`; at most one decimal), `-` for none. `--wide` shows the exact number.
 */
export function formatTokensShort(n: number): string {
  if (n <= 0) return "-";
  if (n < 1024) return String(n);
  const [value, unit] = n < 1024 * 1024 ? [n / 1024, "K"] : [n / (1024 * 1024), "M"];
  const rounded = value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded}${unit}`;
}

/** The widest a table may be without `--wide`: a classic terminal. */
export const NARROW_WIDTH = 80;

/**
 * Drops columns (in the order given, by header) until the table fits `width`; the others stay in place.
 * Returns the header and rows to render.
 */
export function fitColumns(header: string[], rows: TableRow[], droppable: string[], width: number): { header: string[]; rows: TableRow[] } {
  let keep = header.map((_, i) => i);
  // Each column's width, measured once: a cell's shown form (oneLine) is worked out per cell, not per try.
  const columns = header.map((h, i) => rows.reduce((widest, r) => Math.max(widest, oneLine(r.cells[i] ?? "").length), h.length));
  const widthOf = (cols: number[]) => cols.reduce((sum, i) => sum + columns[i]!, 0) + 2 * (cols.length - 1);
  for (const name of droppable) {
    if (widthOf(keep) <= width) break;
    keep = keep.filter((i) => header[i] !== name);
  }
  return {
    header: keep.map((i) => header[i]!),
    rows: rows.map((r) => ({ ...r, cells: keep.map((i) => r.cells[i] ?? "") })),
  };
}
