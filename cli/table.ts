import type { Colors } from "./terminal";

/** One cell: its text, and how to paint it once padded (colours never count towards widths). */
export type Cell = string | { text: string; paint?: (text: string) => string };

export interface Column {
  header: string;
  align?: "left" | "right";
}

/** Pads `text` to `width` on the side `align` says. */
export function pad(text: string, width: number, align: "left" | "right" = "left"): string {
  return align === "right" ? text.padStart(width) : text.padEnd(width);
}

/**
 * Lays rows out in columns two spaces apart, as wide as their widest cell; the last column is
 * not padded. The header line is dimmed (on a colour terminal).
 */
export function formatTable(columns: readonly Column[], rows: readonly Cell[][], color: Colors): string[] {
  const texts = rows.map((row) => row.map((cell) => (typeof cell === "string" ? cell : cell.text)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...texts.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly Cell[]) =>
    cells
      .map((cell, i) => {
        const text = typeof cell === "string" ? cell : cell.text;
        const last = i === cells.length - 1;
        const padded = last && columns[i]?.align !== "right" ? text : pad(text, widths[i]!, columns[i]?.align);
        return typeof cell === "string" || !cell.paint ? padded : cell.paint(padded);
      })
      .join("  ")
      .trimEnd();
  return [color.dim(line(columns.map((column) => column.header))), ...rows.map(line)];
}
