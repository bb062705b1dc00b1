// The labels live with the rows in lib/dashboard, so that the CLI's `tail` says things the same way.
export { outcomeLabel, sourceLabel } from "@/lib/dashboard/trace-row";

/** The columns of the traffic list: header and rows share them. */
export const TRAFFIC_GRID =
  "grid grid-cols-[6.5rem_4rem_minmax(9rem,1.4fr)_minmax(5.5rem,0.7fr)_minmax(8rem,1.7fr)_4.75rem_4.75rem_4.5rem_6.5rem] items-center gap-x-2";
