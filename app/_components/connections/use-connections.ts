"use client";

import { useEffect, useState } from "react";
import type { OkResults } from "@/lib/events/protocol/frames";
import { useDashboard } from "../dashboard/store-context";

/** How often the panel asks again while the page is visible. */
const REFRESH_EVERY_MS = 2_000;
/** Typing settles this long before the search goes to the server. */
const SEARCH_SETTLE_MS = 250;

export type ConnectionsState =
  | { status: "waiting" }
  | { status: "ready"; result: OkResults["connections"]; search: string }
  | { status: "failed"; message: string };

/**
 * The app's connections as the monitor session lists them, asked again every two seconds while
 * the tab is visible and soon after the search changes. `refresh` asks at once (after a disconnect).
 */
export function useConnections(search: string): { state: ConnectionsState; refresh: () => void } {
  const operator = useDashboard((state) => state.operator);
  const [state, setState] = useState<ConnectionsState>({ status: "waiting" });
  const [nudge, setNudge] = useState(0);

  useEffect(() => {
    if (!operator) return;
    let active = true;
    const ask = () => {
      if (document.hidden) return;
      const wanted = search.trim();
      operator.connections(wanted ? { search: wanted } : {}).then(
        (result) => active && setState({ status: "ready", result, search: wanted }),
        (error: unknown) => active && setState({ status: "failed", message: error instanceof Error ? error.message : String(error) }),
      );
    };
    const first = setTimeout(ask, nudge === 0 && search === "" ? 0 : SEARCH_SETTLE_MS);
    const timer = setInterval(ask, REFRESH_EVERY_MS);
    return () => {
      active = false;
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [operator, search, nudge]);

  return { state, refresh: () => setNudge((n) => n + 1) };
}
