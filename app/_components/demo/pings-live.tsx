"use client";

import { useEffect, useState } from "react";
import type { DemoPing } from "@/events/demo";
import { Badge } from "../ui/badge";
import "./window-events";

/** A ping as this page shows it: the event id keeps a replayed one (after a reconnect) from showing twice. */
interface Ping {
  id: string;
  message: string;
  urgent: boolean;
  receivedAt: number;
}
type Status = "connecting" | "subscribed" | "unavailable";

/** The page keeps the last few only: a busy sender cannot grow it without bound. */
const MAX_PINGS = 20;

/**
 * `demo:ping` messages fired from the dashboard, newest first, as text. Pages may only subscribe to
 * `demo:ping` (its authorize hook refuses their triggers); the dashboard and the server fire it.
 */
export function PingsLive() {
  const [pings, setPings] = useState<Ping[]>([]);
  const [status, setStatus] = useState<Status>("connecting");

  useEffect(() => {
    if (typeof window.wf?.ext?.events?.EventManager !== "function") {
      queueMicrotask(() => setStatus("unavailable"));
      return;
    }
    const events = new window.wf.ext.events.EventManager();
    let active = true;
    (async () => {
      await events.subscribe("demo:ping");
      events.registerHandler("demo:ping", (data, { id }) => {
        // The server checked the payload against its schema; a page still trusts only strings.
        const { message, urgent } = data as Partial<DemoPing>;
        if (typeof message !== "string") return;
        const ping = { id, message, urgent: urgent === true, receivedAt: Date.now() };
        setPings((current) => (current.some((known) => known.id === id) ? current : [ping, ...current].slice(0, MAX_PINGS)));
      });
      if (active) setStatus("subscribed");
    })().catch(() => {
      if (active) setStatus("unavailable");
    });
    return () => {
      active = false;
      events.close();
    };
  }, []);

  return (
    <section aria-labelledby="pings-title" className="rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900/60">
      <header className="flex items-center justify-between border-b border-slate-200 px-4 py-2 dark:border-slate-800">
        <h2 id="pings-title" className="font-semibold">
          Pings
        </h2>
        <span role="status" className="text-xs text-slate-600 dark:text-slate-400" data-testid="pings-status">
          {status === "subscribed" ? "live: subscribed to demo:ping" : status === "connecting" ? "connecting…" : "not live (events are off)"}
        </span>
      </header>
      {/* Always rendered, so that screen readers announce each ping as it arrives. */}
      <div aria-live="polite" aria-relevant="additions">
        {pings.length === 0 ? (
          <p className="px-4 py-4 text-sm text-slate-600 dark:text-slate-400">
            No pings yet: fire <code className="font-mono">demo:ping</code> from the dashboard&apos;s Fire panel.
          </p>
        ) : (
          <ol aria-label="Pings, newest first" className="divide-y divide-slate-100 dark:divide-slate-800">
            {pings.map((ping) => (
              <li key={ping.id} className="flex items-baseline gap-3 px-4 py-2 text-sm">
                <time dateTime={new Date(ping.receivedAt).toISOString()} className="w-20 shrink-0 font-mono text-xs text-slate-600 dark:text-slate-400 tabular-nums">
                  {new Date(ping.receivedAt).toLocaleTimeString()}
                </time>
                <span className="min-w-0 flex-1 break-words">{ping.message}</span>
                {ping.urgent ? <Badge tone="warn">urgent</Badge> : null}
              </li>
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
