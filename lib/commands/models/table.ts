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

/** A token count for a table cell: the exact number (`128k` would hide whether 128000 or 131072), `-` for none. */
export function formatTokens(n: number): string {
  return n > 0 ? String(n) : "-";
}
