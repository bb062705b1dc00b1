/** A small hand-written SVG line chart (no dependencies): series over time, a shaded warm-up. */

export interface Series {
  label: string;
  colour: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
  /** Points only, no line. */
  dots?: boolean;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** x below this is shaded as warm-up. */
  warmUpUntil?: number;
  /** Vertical markers (e.g. faults). */
  markers?: { x: number; label: string }[];
  width?: number;
  height?: number;
}

const escape = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** A "nice" step for about `target` ticks over `span`. */
function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

export function lineChartSvg(chart: LineChart): string {
  const width = chart.width ?? 860;
  const height = chart.height ?? 380;
  const margin = { left: 70, right: 20, top: 44, bottom: 70 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const all = chart.series.flatMap((series) => series.points);
  const maxX = Math.max(1e-9, ...all.map((point) => point.x));
  const maxY = Math.max(1e-9, ...all.map((point) => point.y)) * 1.1;
  const xStep = niceStep(maxX, 10);
  const yStep = niceStep(maxY, 6);
  const topY = Math.ceil(maxY / yStep) * yStep;
  const sx = (x: number) => margin.left + (x / maxX) * plotW;
  const sy = (y: number) => margin.top + plotH - (y / topY) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600" fill="#1f2328">${escape(chart.title)}</text>`);
  if (chart.warmUpUntil !== undefined && chart.warmUpUntil > 0) {
    const w = sx(Math.min(chart.warmUpUntil, maxX)) - margin.left;
    parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${w.toFixed(1)}" height="${plotH}" fill="#f1f3f5"/>`);
    parts.push(`<text x="${(margin.left + w / 2).toFixed(1)}" y="${margin.top + 14}" text-anchor="middle" fill="#6e7781">warm-up</text>`);
  }
  for (let y = 0; y <= topY + 1e-9; y += yStep) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#d0d7de" stroke-width="1"/>`);
    parts.push(`<text x="${margin.left - 8}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end" fill="#57606a">${Number(y.toFixed(6))}</text>`);
  }
  for (let x = 0; x <= maxX + 1e-9; x += xStep) {
    parts.push(`<line x1="${sx(x).toFixed(1)}" x2="${sx(x).toFixed(1)}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 5}" stroke="#57606a"/>`);
    parts.push(`<text x="${sx(x).toFixed(1)}" y="${margin.top + plotH + 18}" text-anchor="middle" fill="#57606a">${Number(x.toFixed(6))}</text>`);
  }
  parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="#57606a"/>`);
  parts.push(`<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#57606a"/>`);
  parts.push(`<text x="${margin.left + plotW / 2}" y="${margin.top + plotH + 38}" text-anchor="middle" fill="#1f2328">${escape(chart.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#1f2328">${escape(chart.yLabel)}</text>`);
  for (const marker of chart.markers ?? []) {
    const x = sx(marker.x).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#cf222e" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${x}" y="${margin.top - 4}" text-anchor="middle" fill="#cf222e">${escape(marker.label)}</text>`);
  }
  for (const series of chart.series) {
    if (series.points.length === 0) continue;
    if (series.dots) {
      for (const point of series.points) parts.push(`<circle cx="${sx(point.x).toFixed(1)}" cy="${sy(point.y).toFixed(1)}" r="3.5" fill="${series.colour}"/>`);
      continue;
    }
    const path = series.points.map((point, index) => `${index === 0 ? "M" : "L"}${sx(point.x).toFixed(1)},${sy(point.y).toFixed(1)}`).join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${series.colour}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
  }
  let legendX = margin.left;
  const legendY = height - 14;
  for (const series of chart.series) {
    if (series.dots) parts.push(`<circle cx="${legendX + 11}" cy="${legendY - 4}" r="3.5" fill="${series.colour}"/>`);
    else parts.push(`<line x1="${legendX}" x2="${legendX + 22}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${series.colour}" stroke-width="3"${series.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    parts.push(`<text x="${legendX + 28}" y="${legendY}" fill="#1f2328">${escape(series.label)}</text>`);
    legendX += 40 + series.label.length * 6.6;
  }
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
