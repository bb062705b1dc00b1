"use client";

import { useState, type ReactNode } from "react";
import { createDashboardStore, type DashboardInit } from "@/lib/dashboard/store";
import { DashboardStoreContext } from "./store-context";
import { useClock, useFiltersInUrl, usePersistedHistory } from "./use-dashboard-effects";
import { useMonitorSession } from "./use-monitor-session";

/**
 * The dashboard's one store, created once per mounted tree from the server's first snapshot, and
 * the live connection that feeds it.
 */
export function DashboardProvider({ init, monitorToken, children }: { init: DashboardInit; monitorToken: string | null; children: ReactNode }) {
  const [store] = useState(() => createDashboardStore(init));
  useMonitorSession(store, monitorToken);
  useClock(store);
  usePersistedHistory(store);
  useFiltersInUrl(store);
  return <DashboardStoreContext.Provider value={store}>{children}</DashboardStoreContext.Provider>;
}
