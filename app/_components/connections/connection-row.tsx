"use client";

import { useState } from "react";
import { formatAgo } from "@/lib/dashboard/format";
import { connectionLabel } from "@/lib/dashboard/operator";
import type { WireConnection } from "@/lib/events/protocol/frames";
import { Badge } from "../ui/badge";
import { buttonClass } from "../ui/styles";

const cell = "px-2 py-1.5 align-top";
const numeric = `${cell} text-right tabular-nums`;
/** Subscriptions shown in a row; the rest are counted. */
const SHOWN_SUBSCRIPTIONS = 4;

/** One connection, with a two-step Disconnect (the first click asks, the second closes it). */
export function ConnectionRow({ connection, now, onDisconnect }: { connection: WireConnection; now: number; onDisconnect: (connection: WireConnection) => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [closing, setClosing] = useState(false);
  const label = connectionLabel(connection);
  const shown = connection.subscriptions.slice(0, SHOWN_SUBSCRIPTIONS);
  const more = connection.subscriptions.length - shown.length;

  return (
    <tr data-connection={connection.id} className="border-t border-slate-100 dark:border-slate-800">
      <td className={`${cell} pl-4`}>
        <div className="flex items-center gap-2">
          <span className="font-mono text-xs">{connection.id}</span>
          {connection.monitor ? <Badge tone="info">monitor</Badge> : null}
        </div>
        <div className="max-w-56 truncate text-xs text-slate-600 dark:text-slate-400" title={connection.userAgent ?? undefined}>
          {label}
        </div>
      </td>
      <td className={`${cell} font-mono text-xs`}>{connection.instance}</td>
      <td className={`${cell} text-xs`}>
        <div className="max-w-48 truncate" title={connection.origin ?? undefined}>
          {connection.origin ?? "no origin"}
        </div>
        <div className="font-mono text-slate-600 dark:text-slate-400">{connection.address ?? "?"}</div>
      </td>
      <td className={`${cell} whitespace-nowrap text-xs`}>{formatAgo(connection.connectedAt, now)}</td>
      <td className={`${cell} text-xs`}>
        {connection.subscriptions.length === 0 ? (
          <span className="text-slate-600 dark:text-slate-400">none</span>
        ) : (
          <ul aria-label={`Subscriptions of ${connection.id}`} className="flex flex-wrap gap-1" title={connection.subscriptions.join("\n")}>
            {shown.map((name) => (
              <li key={name} className="rounded bg-slate-100 px-1.5 font-mono dark:bg-slate-800">
                {name}
              </li>
            ))}
            {more > 0 ? <li className="text-slate-600 dark:text-slate-400">+{more} more</li> : null}
          </ul>
        )}
      </td>
      <td className={numeric} title={`${connection.buffered} bytes not yet sent`}>
        {connection.queued}
      </td>
      <td className={`${numeric} ${connection.dropped ? "text-rose-700 dark:text-rose-400" : ""}`}>{connection.dropped}</td>
      <td className={numeric}>{connection.gapsSent}</td>
      <td className={numeric}>{connection.opsPerSecond.toFixed(1)}</td>
      <td className={`${cell} pr-4 text-right`}>
        {confirming ? (
          <span className="inline-flex gap-1" role="group" aria-label={`Disconnect ${connection.id}?`}>
            <button
              type="button"
              className={buttonClass("danger", "sm")}
              disabled={closing}
              onClick={async () => {
                setClosing(true);
                try {
                  await onDisconnect(connection);
                } finally {
                  setClosing(false);
                  setConfirming(false);
                }
              }}
            >
              {closing ? "Closing…" : "Confirm"}
            </button>
            <button type="button" className={buttonClass("secondary", "sm")} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" className={buttonClass("secondary", "sm")} aria-label={`Disconnect ${connection.id} (${label})`} onClick={() => setConfirming(true)}>
            Disconnect
          </button>
        )}
      </td>
    </tr>
  );
}
