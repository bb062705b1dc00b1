"use client";

import { useEffect } from "react";
import { HISTORY_STORAGE_KEY, parseStoredHistory } from "@/lib/dashboard/fire-history";
import type { DashboardStore } from "@/lib/dashboard/store";
import { filtersToSearch } from "@/lib/dashboard/trace-filters";

/** Advances the store's clock every second: relative times, countdowns and the chart move on. */
export function useClock(store: DashboardStore): void {
  useEffect(() => {
    const timer = setInterval(() => store.getState().actions.tick(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [store]);
}

/** Keeps the fire history in localStorage: loaded once, written on every change. */
export function usePersistedHistory(store: DashboardStore): void {
  useEffect(() => {
    store.getState().actions.loadHistory(parseStoredHistory(readStorage(HISTORY_STORAGE_KEY)));
    return store.subscribe((state, previous) => {
      if (state.history === previous.history) return;
      try {
        localStorage.setItem(HISTORY_STORAGE_KEY, JSON.stringify(state.history));
      } catch {
        // storage full or disabled: the history still works for this visit
      }
    });
  }, [store]);
}

/**
 * Mirrors the traffic filters into the URL, so a view can be shared. `history.replaceState`
 * integrates with Next's router without a server round trip.
 */
export function useFiltersInUrl(store: DashboardStore): void {
  useEffect(
    () =>
      store.subscribe((state, previous) => {
        if (state.filters === previous.filters) return;
        const search = filtersToSearch(state.filters, new URLSearchParams(window.location.search)).toString();
        window.history.replaceState(null, "", `${window.location.pathname}${search ? `?${search}` : ""}${window.location.hash}`);
      }),
    [store],
  );
}

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
