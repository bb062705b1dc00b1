"use client";

import { useEffect, useState } from "react";
import type { PresenceMember } from "@/lib/events/client";
import { MAX_VISITOR_NAME, VISITOR_NAME_COOKIE } from "@/events/visitor-name";
import { buttonClass } from "../ui/styles";
import "./window-events";

type Status = "connecting" | "live" | "unavailable";

/** The page lists this many visitors by name, and counts the rest. */
const MAX_LISTED = 30;
const ONE_YEAR_S = 365 * 24 * 60 * 60;

/**
 * Who else has /demo open, live: the page subscribes to the presence-tracked `demo:here` and
 * keeps the members its join and leave frames announce. A visitor's name comes from the server's
 * identify hook, which reads the cookie the name field sets; a connection takes its identity when
 * it opens, so saving a name reloads the page.
 */
export function WhoIsHere({ savedName }: { savedName: string }) {
  const [members, setMembers] = useState<ReadonlyMap<string, PresenceMember>>(new Map());
  const [self, setSelf] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>("connecting");

  useEffect(() => {
    if (typeof window.wf?.ext?.events?.EventManager !== "function") {
      queueMicrotask(() => setStatus("unavailable"));
      return;
    }
    const events = new window.wf.ext.events.EventManager();
    let active = true;
    // A new connection (after a reconnect) is a new member; its subscribe's joins list everyone again.
    const offState = events.onStateChange((state, detail) => {
      if (state !== "connected" || !active) return;
      setMembers(new Map());
      setSelf(detail.connection ?? null);
    });
    (async () => {
      await events.subscribe("demo:here", {
        onJoin: (member) => setMembers((current) => new Map(current).set(member.connection, member)),
        onLeave: (member) =>
          setMembers((current) => {
            const next = new Map(current);
            next.delete(member.connection);
            return next;
          }),
      });
      if (!active) return;
      setSelf(events.stateDetail.connection ?? null);
      setStatus("live");
    })().catch(() => {
      if (active) setStatus("unavailable");
    });
    return () => {
      active = false;
      offState();
      events.close();
    };
  }, []);

  const everyone = [...members.values()].sort((a, b) => Number(b.connection === self) - Number(a.connection === self));
  const listed = everyone.slice(0, MAX_LISTED);

  return (
    <section aria-labelledby="here-title" className="rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900/60">
      <header className="flex items-center justify-between border-b border-slate-200 px-4 py-2 dark:border-slate-800">
        <h2 id="here-title" className="font-semibold">
          Who is here
        </h2>
        <span role="status" className="text-xs text-slate-600 dark:text-slate-400" data-testid="here-count">
          {status === "live" ? `${everyone.length} on this page` : status === "connecting" ? "connecting…" : "not live (events are off)"}
        </span>
      </header>
      <div className="flex flex-col gap-3 p-4">
        <ul aria-label="Visitors on this page" className="flex flex-wrap gap-2">
          {listed.map((member) => (
            <li key={member.connection} className="rounded-full bg-slate-100 px-3 py-1 text-sm dark:bg-slate-800">
              {nameOf(member)}
              {member.connection === self ? <span className="text-slate-600 dark:text-slate-400"> (you)</span> : null}
            </li>
          ))}
          {everyone.length > listed.length ? <li className="px-1 py-1 text-sm text-slate-600 dark:text-slate-400">and {everyone.length - listed.length} more</li> : null}
        </ul>
        <NameForm savedName={savedName} />
      </div>
    </section>
  );
}

/** What the identify hook returned for a member, as text (React escapes it). */
function nameOf(member: PresenceMember): string {
  const name = member.info?.name;
  return typeof name === "string" && name !== "" ? name : "Anonymous visitor";
}

/** Sets the name others see: a cookie the identify hook reads when the page connects again. */
function NameForm({ savedName }: { savedName: string }) {
  const [name, setName] = useState(savedName);
  return (
    <form
      className="flex flex-wrap items-center gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        const value = name.trim();
        document.cookie = `${VISITOR_NAME_COOKIE}=${encodeURIComponent(value)}; path=/; max-age=${value ? ONE_YEAR_S : 0}; samesite=lax`;
        window.location.reload();
      }}
    >
      <label htmlFor="visitor-name" className="text-sm text-slate-600 dark:text-slate-400">
        Your name
      </label>
      <input
        id="visitor-name"
        value={name}
        maxLength={MAX_VISITOR_NAME}
        onChange={(event) => setName(event.target.value)}
        placeholder="Anonymous visitor"
        className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950"
      />
      <button type="submit" className={buttonClass("secondary", "sm")}>
        Save
      </button>
    </form>
  );
}
