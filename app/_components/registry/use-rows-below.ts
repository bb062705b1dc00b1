"use client";

import { useCallback, useEffect, useRef, useState } from "react";

/**
 * How many rows (`[data-name]` elements) of a scrolling box lie entirely below what it shows, so
 * that a box of fixed height never hides rows without saying so. Recounted on scroll, on resize
 * and whenever `contentKey` (what the rows show) changes.
 */
export function useRowsBelow<E extends HTMLElement>(contentKey: unknown) {
  const boxRef = useRef<E>(null);
  const [below, setBelow] = useState(0);
  const count = useCallback(() => {
    const box = boxRef.current;
    if (!box) return;
    const bottom = box.getBoundingClientRect().bottom;
    let hidden = 0;
    for (const row of box.querySelectorAll<HTMLElement>("[data-name]")) if (row.getBoundingClientRect().top >= bottom) hidden++;
    setBelow(hidden);
  }, []);
  useEffect(() => {
    count();
    const box = boxRef.current;
    if (!box || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(count);
    observer.observe(box);
    return () => observer.disconnect();
  }, [count, contentKey]);
  return { boxRef, below, onScroll: count };
}
