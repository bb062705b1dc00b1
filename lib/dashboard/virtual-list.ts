/** Which rows of a fixed-row-height list to render. */
export interface VisibleRange {
  /** First row to render (inclusive). */
  start: number;
  /** Last row to render (exclusive). */
  end: number;
  /** The rendered rows' offset from the top of the list, in px. */
  offset: number;
  /** The whole list's height, in px. */
  height: number;
}

export interface RangeInput {
  count: number;
  rowHeight: number;
  scrollTop: number;
  viewportHeight: number;
  /** Rows rendered beyond each edge, so fast scrolling shows no gaps. @default 6 */
  overscan?: number;
}

/**
 * Only the rows in view (plus a few) are rendered, so a list of a thousand traces costs what a
 * screenful does.
 *
 * @example
 * visibleRange({ count: 1000, rowHeight: 28, scrollTop: 560, viewportHeight: 280 });
 * // { start: 14, end: 36, offset: 392, height: 28000 }
 */
export function visibleRange({ count, rowHeight, scrollTop, viewportHeight, overscan = 6 }: RangeInput): VisibleRange {
  const height = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, height: Math.max(0, height) };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, height - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, last + overscan);
  return { start, end, offset: start * rowHeight, height };
}
