/**
 * Plain-text tables for `oclaw models list`: columns padded to their widest cell, two spaces apart, the
 * header bold when colour is on.
 */

const BOLD = "\x1b[1m";
const DIM = "\x1b[2m";
const RESET = "\x1b[0m";

/** One table row; `dim` greys it out (with colour on). */
export interface TableRow {
  cells: string[];
  dim?: boolean;
}

/** Renders a header and rows as lines of text, each ending in `\n`. */
export function renderTable(header: string[], rows: TableRow[], color: boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r.cells[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  let out = color ? `${BOLD}${line(header)}${RESET}\n` : `${line(header)}\n`;
  for (const row of rows) out += color && row.dim ? `${DIM}${line(row.cells)}${RESET}\n` : `${line(row.cells)}\n`;
  return out;
}

/** A token count for a table cell: the exact number (`128k` would hide whether 128000 or 131072), `-` for none. */
export function formatTokens(n: number): string {
  return n > 0 ? String(n) : "-";
}
