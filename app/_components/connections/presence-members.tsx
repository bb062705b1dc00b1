"use client";

import { useEffect, useMemo, useState } from "react";
import type { OkResults } from "@/lib/events/protocol/frames";
import { useDashboard } from "../dashboard/store-context";

const REFRESH_EVERY_MS = 2_000;
/** Names shown per event; the count says how many more. */
const SHOWN_MEMBERS = 12;

type Lists = Readonly<Record<string, OkResults["presence"] | { error: string }>>;

/** Who is subscribed to each presence-tracked event, on every instance. */
export function PresenceMembers() {
  const operator = useDashboard((state) => state.operator);
  const registry = useDashboard((state) => state.registry);
  const tracked = useMemo(() => Object.values(registry).filter((entry) => entry.presence).map((entry) => entry.name).sort(), [registry]);
  const key = tracked.join("\n");
  const [lists, setLists] = useState<Lists>({});

  useEffect(() => {
    if (!operator || key === "") return;
    let active = true;
    const names = key.split("\n");
    const ask = async () => {
      if (document.hidden) return;
      const answers = await Promise.all(
        names.map((name) => operator.presence(name).then((list) => [name, list] as const, (error: unknown) => [name, { error: error instanceof Error ? error.message : String(error) }] as const)),
      );
      if (active) setLists(Object.fromEntries(answers));
    };
    void ask();
    const timer = setInterval(() => void ask(), REFRESH_EVERY_MS);
    return () => {
      active = false;
      clearInterval(timer);
    };
  }, [operator, key]);

  if (tracked.length === 0) return null;
  return (
    <div className="border-t border-slate-200 px-4 py-3 dark:border-slate-800">
      <h3 className="text-sm font-semibold">Presence</h3>
      <dl className="mt-1 grid gap-1 text-sm">
        {tracked.map((name) => {
          const list = lists[name];
          return (
            <div key={name} className="flex flex-wrap items-baseline gap-x-2" data-presence={name}>
              <dt className="font-mono text-xs">{name}</dt>
              <dd className="text-slate-700 dark:text-slate-300">
                {!list ? "…" : "error" in list ? `not known: ${list.error}` : <MemberNames list={list} />}
              </dd>
            </div>
          );
        })}
      </dl>
    </div>
  );
}

function MemberNames({ list }: { list: OkResults["presence"] }) {
  if (list.count === 0) return <>nobody</>;
  const names = list.members.slice(0, SHOWN_MEMBERS).map((member) => {
    const name = member.info?.name;
    return typeof name === "string" && name !== "" ? name : `anonymous (${member.connection})`;
  });
  const more = list.count - names.length;
  return (
    <>
      <span className="tabular-nums">{list.count}</span>: {names.join(", ")}
      {more > 0 ? ` and ${more} more` : ""}
    </>
  );
}
