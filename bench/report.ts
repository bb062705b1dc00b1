/**
 * Aggregation and output shared by the benchmarks: per-contender medians and spreads over the
 * rounds, ratios of ours to each peer, console tables, and docs/benchmarks.md + docs/benchmarks.svg.
 */
import { writeFileSync } from "node:fs";
import { median, printTable, spreadPercent } from "./stats";

/** A table as both the console and the markdown print it. */
export interface Table {
  caption: string;
  headers: string[];
  rows: string[][];
}

/** One benchmark's share of the report. */
export interface Section {
  title: string;
  /** What it measures and how, in a few sentences (markdown). */
  about: string;
  tables: Table[];
  notes: string[];
}

/** A target at one configuration the benchmark measures ("N=1,000 flood", "100 in flight"). */
export interface Check {
  where: string;
  measured: string;
  /** undefined: could not be evaluated (a contender failed or was not run). */
  met: boolean | undefined;
}

export interface Target {
  benchmark: string;
  target: string;
  /** One per configuration measured: the target is met only if every one is. */
  checks: Check[];
  /** A baseline shown for information: within or outside its tolerance, not met or not met. */
  informational?: boolean;
}

/** Met only if met at every configuration; not evaluated when one is missing and none fails. */
export function verdict(checks: readonly Check[]): boolean | undefined {
  if (checks.some((check) => check.met === false)) return false;
  if (checks.length === 0 || checks.some((check) => check.met === undefined)) return undefined;
  return true;
}

function statusWord(met: boolean | undefined, informational: boolean | undefined): string {
  if (met === undefined) return "not evaluated";
  if (informational) return met ? "within tolerance" : "outside tolerance";
  return met ? "met" : "not met";
}

/** The targets as the console shows them: the verdict, then each configuration with its own. */
export function printTargets(targets: readonly Target[]): void {
  const judged = targets.filter((target) => !target.informational);
  console.log(`\n=== Targets (issues 5 and 11): ${judged.filter((target) => verdict(target.checks)).length} of ${judged.length} met ===`);
  for (const target of targets) {
    const met = verdict(target.checks);
    console.log(`  [${met === undefined || target.informational ? statusWord(met, target.informational) : met ? "met" : "NOT MET"}] ${target.benchmark}: ${target.target}`);
    for (const check of target.checks) console.log(`      ${statusWord(check.met, target.informational).padEnd(17)} ${check.where}: ${check.measured}`);
  }
}

/** A bar of the chart: ours relative to a peer, > 1 = ours better. */
export interface ChartBar {
  label: string;
  value: number;
  /** The target on the same scale, if any. */
  target?: number;
}

export function printSection(section: Section): void {
  console.log(`\n=== ${section.title} ===`);
  for (const table of section.tables) {
    console.log(`\n${table.caption}`);
    printTable(table.headers, table.rows);
  }
  for (const note of section.notes) console.log(`  note: ${note}`);
}

/** `median (±half spread %)`, formatted by `format`; "failed" when there is no value. */
export function cell(values: number[], format: (value: number) => string): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return "failed";
  // A spread relative to a median near zero (e.g. a growth of 0 MB) says nothing: leave it out.
  const tiny = Math.abs(median(finite)) < 0.01 * Math.max(...finite.map(Math.abs));
  const spread = finite.length > 1 && !tiny ? ` ±${(spreadPercent(finite) / 2).toFixed(0)}%` : "";
  const missing = finite.length < values.length ? ` (${values.length - finite.length} failed)` : "";
  return `${format(median(finite))}${spread}${missing}`;
}

/** The worst round's loss, and how many rounds gave no figure at all (their losses are unknown). */
export function lostCell(metrics: { lost: number; failedRounds: number }): string {
  return `${metrics.lost}${metrics.failedRounds > 0 ? ` (${metrics.failedRounds} failed)` : ""}`;
}

export function med(values: number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? Number.NaN : median(finite);
}

/** ours ÷ peer, or "–". */
export function ratio(ours: number, peer: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(peer) || peer === 0) return "–";
  return `${(ours / peer).toFixed(2)}×`;
}

export const fmt = {
  rate: (value: number) => (value >= 1e6 ? `${(value / 1e6).toFixed(2)}M/s` : value >= 1e3 ? `${(value / 1e3).toFixed(1)}k/s` : `${value.toFixed(0)}/s`),
  us: (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} µs`,
  ms: (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`,
  mb: (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`,
  int: (value: number) => value.toFixed(0),
};

function markdownTable(table: Table, alignRight = true): string {
  const escape = (text: string) => text.replaceAll("|", "\\|");
  return [
    `| ${table.headers.map(escape).join(" | ")} |`,
    `|${table.headers.map((_, index) => (index === 0 || !alignRight ? "---" : "---:")).join("|")}|`,
    ...table.rows.map((row) => `| ${row.map(escape).join(" | ")} |`),
  ].join("\n");
}

export interface ReportMeta {
  command: string;
  date: string;
  machine: string;
  node: string;
  load: string;
  durationS: number;
  versions: string;
}

export function writeMarkdown(path: string, meta: ReportMeta, targets: Target[], sections: Section[], svgName: string): void {
  const status = (target: Target) => `**${statusWord(verdict(target.checks), target.informational)}**`;
  // One line per configuration, each with its own verdict when there are several.
  const measured = (target: Target) =>
    target.checks.map((check) => `${check.where}: ${check.measured}${target.checks.length > 1 ? ` — ${statusWord(check.met, target.informational)}` : ""}`).join("<br>");
  const judged = targets.filter((target) => !target.informational);
  const lines = [
    "# Benchmarks",
    "",
    "Generated by one run of the suite in `bench/` (see the README's Benchmarks section); do not edit by hand.",
    "Absolute figures swing 2–3× between runs and machines: the ratios between contenders measured in the same run are what matter.",
    "",
    `- Command: \`${meta.command}\``,
    `- Date: ${meta.date}; the run took ${Math.round(meta.durationS)} s`,
    `- Machine: ${meta.machine}; Node ${meta.node}`,
    `- Load average (1, 5, 15 min) at the start and the end: ${meta.load}`,
    `- Versions: ${meta.versions}`,
    "",
    "## Targets (issues 5 and 11)",
    "",
    "Each target is judged at every configuration its benchmark measures (100 and 1,000 clients, flood and paced, one instance and two, 50 and 200 stalled clients, 1 and 100 requests in flight, 1 and 10 handlers), each with its own verdict; a target is met only if it is met at all of them. Where a configuration is left out, the target says why." +
      (targets.some((target) => target.informational) ? " The row marked *information* is not a target: our CPU per delivery beside the figures from before issue 11, within a tolerance, since absolute figures vary between runs and machines." : ""),
    "",
    `**${judged.filter((target) => verdict(target.checks)).length} of ${judged.length} targets met.**`,
    "",
    markdownTable({ caption: "", headers: ["benchmark", "target", "measured", "status"], rows: targets.map((t) => [t.benchmark, t.target, measured(t), status(t)]) }, false),
    "",
    `![ours relative to each peer](${svgName})`,
    "",
  ];
  for (const section of sections) {
    lines.push(`## ${section.title}`, "", section.about, "");
    for (const table of section.tables) lines.push(`**${table.caption}**`, "", markdownTable(table), "");
    if (section.notes.length > 0) lines.push(...section.notes.map((note) => `- ${note}`), "");
  }
  writeFileSync(path, `${lines.join("\n").trimEnd()}\n`);
}

/** A horizontal bar chart, log scale around 1×: ours relative to each peer (> 1 = ours better). */
export function writeSvg(path: string, title: string, bars: ChartBar[]): void {
  const shown = bars.filter((bar) => Number.isFinite(bar.value) && bar.value > 0);
  const labelWidth = 430;
  const plotWidth = 420;
  const rowHeight = 26;
  const top = 56;
  const height = top + shown.length * rowHeight + 40;
  const width = labelWidth + plotWidth + 90;
  const minLog = Math.log10(0.1);
  const maxLog = Math.log10(Math.max(20, ...shown.map((bar) => bar.value * 1.2)));
  const x = (value: number) => labelWidth + ((Math.log10(Math.min(Math.max(value, 0.1), 10 ** maxLog)) - minLog) / (maxLog - minLog)) * plotWidth;
  const escape = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600">${escape(title)}</text>`,
    `<text x="12" y="40" fill="#555">Ours relative to each peer, log scale: right of the 1× line = ours better. Ticks mark the targets.</text>`,
  ];
  for (const tick of [0.1, 0.5, 1, 2, 5, 10, 20, 50].filter((value) => Math.log10(value) <= maxLog)) {
    const at = x(tick);
    parts.push(`<line x1="${at}" y1="${top - 6}" x2="${at}" y2="${height - 30}" stroke="${tick === 1 ? "#333" : "#ddd"}" stroke-width="${tick === 1 ? 1.5 : 1}"/>`);
    parts.push(`<text x="${at}" y="${height - 14}" text-anchor="middle" fill="#555">${tick}×</text>`);
  }
  shown.forEach((bar, index) => {
    const y = top + index * rowHeight;
    const from = x(1);
    const to = x(bar.value);
    const good = bar.target === undefined ? bar.value >= 1 : bar.value >= bar.target;
    parts.push(`<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escape(bar.label)}</text>`);
    parts.push(`<rect x="${Math.min(from, to)}" y="${y + 4}" width="${Math.max(1, Math.abs(to - from))}" height="${rowHeight - 10}" fill="${good ? "#2e7d32" : "#c62828"}" opacity="0.85"/>`);
    const labelAt = Math.max(from, to, bar.target === undefined ? 0 : x(bar.target)) + 6;
    parts.push(`<text x="${labelAt}" y="${y + 16}" fill="#222">${bar.value.toFixed(2)}×</text>`);
    if (bar.target !== undefined) {
      const at = x(bar.target);
      parts.push(`<line x1="${at}" y1="${y + 1}" x2="${at}" y2="${y + rowHeight - 3}" stroke="#1565c0" stroke-width="3"/>`);
    }
  });
  parts.push("</svg>");
  writeFileSync(path, `${parts.join("\n")}\n`);
}
