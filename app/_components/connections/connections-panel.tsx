"use client";

import { useState } from "react";
import { errorInfo } from "@/lib/dashboard/fire";
import { connectionsSummary } from "@/lib/dashboard/operator";
import type { WireConnection } from "@/lib/events/protocol/frames";
import { Panel } from "../ui/panel";
import { inputClass } from "../ui/styles";
import { useDashboard, useDashboardActions } from "../dashboard/store-context";
import { ConnectionRow } from "./connection-row";
import { PresenceMembers } from "./presence-members";
import { useConnections } from "./use-connections";

const COLUMNS = ["Connection", "Instance", "Origin · address", "Since", "Subscriptions", "Queued", "Dropped", "Gaps", "Ops/s", ""];

/**
 * Every browser connection of every instance (the monitor session's `connections` op), searchable,
 * with a Disconnect that asks first; below, who is on each presence-tracked event.
 */
export function ConnectionsPanel() {
  const search = useDashboard((state) => state.connectionsSearch);
  const now = useDashboard((state) => state.now);
  const operator = useDashboard((state) => state.operator);
  const { searchConnections } = useDashboardActions();
  const { state, refresh } = useConnections(search);
  const [notice, setNotice] = useState<{ tone: "ok" | "error"; text: string } | null>(null);

  const disconnect = async (connection: WireConnection) => {
    if (!operator) return;
    try {
      const { instance } = await operator.disconnect(connection.id, "from the Connections panel");
      setNotice({ tone: "ok", text: `Disconnected ${connection.id} on ${instance}: it reconnects by itself and recovers what it missed.` });
    } catch (error) {
      setNotice({ tone: "error", text: `Could not disconnect ${connection.id}: ${errorInfo(error).message}` });
    }
    refresh();
  };

  const description =
    state.status === "ready"
      ? connectionsSummary(state.result.connections.length, state.result.instances, state.search)
      : state.status === "failed"
        ? `Could not list the connections: ${state.message}`
        : operator
          ? "Asking every instance…"
          : "Waiting for the monitor session…";

  return (
    <Panel
      id="connections"
      title="Connections"
      description={<span data-testid="connections-summary">{description}</span>}
      actions={
        <label className="flex items-center gap-2 text-sm">
          <span className="sr-only">Search connections</span>
          <input
            type="search"
            value={search}
            onChange={(event) => searchConnections(event.target.value)}
            maxLength={200}
            placeholder="id, origin, event, name…"
            className={`${inputClass} w-64`}
          />
        </label>
      }
    >
      {notice ? (
        <p role="status" className={`px-4 pt-2 text-sm ${notice.tone === "ok" ? "text-emerald-700 dark:text-emerald-400" : "text-rose-700 dark:text-rose-400"}`}>
          {notice.text}
        </p>
      ) : null}
      <div className="max-h-[24rem] overflow-auto">
        <table className="w-full text-left text-sm">
          <thead className="sticky top-0 z-10 bg-slate-50 text-xs text-slate-600 dark:bg-slate-900 dark:text-slate-400">
            <tr>
              {COLUMNS.map((column, index) => (
                <th key={index} scope="col" className={`px-2 py-2 font-medium first:pl-4 ${index >= 5 && index <= 8 ? "text-right" : ""}`}>
                  {column || <span className="sr-only">Disconnect</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {state.status === "ready"
              ? state.result.connections.map((connection) => <ConnectionRow key={`${connection.instance}/${connection.id}`} connection={connection} now={now} onDisconnect={disconnect} />)
              : null}
          </tbody>
        </table>
        {state.status === "ready" && state.result.connections.length === 0 ? (
          <p className="px-4 py-6 text-sm text-slate-600 dark:text-slate-400">
            {state.search ? `No connection matches "${state.search}".` : "No browser is connected: open /demo in another tab."}
          </p>
        ) : null}
      </div>
      <PresenceMembers />
    </Panel>
  );
}
