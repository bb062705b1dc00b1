"use client";

import { useCallback, useEffect, useRef, useState, type UIEvent } from "react";
import { visibleRange, type VisibleRange } from "@/lib/dashboard/virtual-list";

/** Tracks a scroller's position and height and says which rows to render. */
export function useVirtualRows(count: number, rowHeight: number): {
  scrollerRef: (element: HTMLDivElement | null) => void;
  onScroll: (event: UIEvent<HTMLDivElement>) => void;
  range: VisibleRange;
} {
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(480);
  const observer = useRef<ResizeObserver | null>(null);

  const scrollerRef = useCallback((element: HTMLDivElement | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!element) return;
    setViewportHeight(element.clientHeight);
    observer.current = new ResizeObserver(() => setViewportHeight(element.clientHeight));
    observer.current.observe(element);
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);

  const onScroll = useCallback((event: UIEvent<HTMLDivElement>) => setScrollTop(event.currentTarget.scrollTop), []);
  return { scrollerRef, onScroll, range: visibleRange({ count, rowHeight, scrollTop, viewportHeight }) };
}
