/** What the generated docs/reliability.md is written with: tables, numbers, the head of every run. */
import type { RunHeader } from "./common";

export interface Table {
  headers: string[];
  rows: (string | number)[][];
  /** Columns (by index) aligned right. @default every column but the first */
  right?: number[];
}

export function table({ headers, rows, right }: Table): string {
  const escape = (cell: string | number) => String(cell).replaceAll("|", "\\|").replaceAll("\n", " ");
  const align = headers.map((_, index) => ((right ?? headers.map((__, i) => i).slice(1)).includes(index) ? "---:" : "---"));
  return [`| ${headers.map(escape).join(" | ")} |`, `|${align.join("|")}|`, ...rows.map((row) => `| ${row.map(escape).join(" | ")} |`)].join("\n");
}

export const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–");
export const ms = (value: number) => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms` : "–");
export const yes = (ok: boolean) => (ok ? "**yes**" : "**NO**");

/** Date, machine, load and versions of a run. */
export function runLines(run: RunHeader): string[] {
  return [`- Date: ${run.date}`, `- Machine: ${run.machine}`, `- Load (\`uptime\`) at the start: \`${run.loadStart}\``, `- Load at the end: \`${run.loadEnd}\``, `- Versions: ${run.versions}`];
}
