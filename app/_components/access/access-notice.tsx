import type { ReactNode } from "react";

/** A full-page message in place of the dashboard: closed, not running, or sign in. */
export function AccessNotice({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="mx-auto flex max-w-2xl flex-col gap-4 px-6 py-16">
      <h1 className="text-2xl font-semibold">{title}</h1>
      <div className="flex flex-col gap-3 text-sm text-slate-700 dark:text-slate-300">{children}</div>
    </main>
  );
}

export function Code({ children }: { children: ReactNode }) {
  return <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[13px] dark:bg-slate-800">{children}</code>;
}
