"use client";

import { createContext, useContext } from "react";
import { useStore } from "zustand";
import type { DashboardActions, DashboardState, DashboardStore } from "@/lib/dashboard/store";

export const DashboardStoreContext = createContext<DashboardStore | null>(null);

/** The dashboard's store; only inside <DashboardProvider>. */
export function useDashboardStore(): DashboardStore {
  const store = useContext(DashboardStoreContext);
  if (!store) throw new Error("useDashboard must be used inside <DashboardProvider>");
  return store;
}

/**
 * Reads a slice of the dashboard's state; the component re-renders only when that slice changes.
 * Select primitives or stored references, never a fresh object (zustand 5 compares with Object.is).
 */
export function useDashboard<T>(selector: (state: DashboardState) => T): T {
  return useStore(useDashboardStore(), selector);
}

/** The store's actions: a stable object, so selecting it never re-renders. */
export function useDashboardActions(): DashboardActions {
  return useDashboard((state) => state.actions);
}
