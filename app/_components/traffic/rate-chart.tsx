"use client";

import { useDashboard } from "../dashboard/store-context";

const WIDTH = 600;
const HEIGHT = 64;

/** Traces per second over the last minute, as bars (the last, still counting, is lighter). */
export function RateChart() {
  const rate = useDashboard((state) => state.rate);
  const peak = Math.max(1, ...rate);
  const complete = rate.slice(0, -1);
  const latest = complete.at(-1) ?? 0;
  const barWidth = WIDTH / rate.length;
  const summary = `Events per second over the last minute: ${latest} in the last second, peak ${Math.max(0, ...complete)}`;

  return (
    <figure className="px-4 pt-3">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" className="h-16 w-full" role="img" aria-label={summary}>
        <title>{summary}</title>
        <line x1={0} x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} className="stroke-slate-200 dark:stroke-slate-700" />
        {rate.map((count, index) => {
          const height = count === 0 ? 0 : Math.max(1.5, (count / peak) * (HEIGHT - 4));
          return (
            <rect
              key={index}
              x={index * barWidth + 1}
              y={HEIGHT - height}
              width={Math.max(1, barWidth - 2)}
              height={height}
              className={index === rate.length - 1 ? "fill-sky-300 dark:fill-sky-800" : "fill-sky-500 dark:fill-sky-400"}
            />
          );
        })}
      </svg>
      <figcaption className="flex justify-between text-[11px] text-slate-600 dark:text-slate-400">
        <span>60 s ago</span>
        <span>peak {Math.max(0, ...rate)}/s</span>
        <span>now</span>
      </figcaption>
    </figure>
  );
}
