"use client";

import { formatClock } from "@/lib/dashboard/format";
import { buttonClass } from "../ui/styles";
import { useDashboard, useDashboardActions } from "../dashboard/store-context";

/** Says the list shows a file, not live traffic, and leads back to live. */
export function ImportedBanner() {
  const imported = useDashboard((state) => state.imported);
  const { closeImport } = useDashboardActions();
  if (!imported) return null;
  const { header } = imported;
  const span = header.from !== null && header.to !== null ? ` · ${formatClock(header.from)} – ${formatClock(header.to)}` : "";
  return (
    <div role="status" data-testid="imported-banner" className="flex flex-wrap items-center gap-2 border-b border-indigo-200 bg-indigo-50 px-4 py-2 text-xs text-indigo-900 dark:border-indigo-900 dark:bg-indigo-950 dark:text-indigo-200">
      <p>
        Viewing <strong className="font-semibold">{imported.file}</strong> (read-only): {header.count.toLocaleString("en")} traces
        {header.instance ? ` from instance ${header.instance}` : ""}
        {span}. Live traffic is still counted, not shown.
      </p>
      <button type="button" className={`${buttonClass("secondary", "sm")} ml-auto`} onClick={closeImport}>
        Back to live
      </button>
    </div>
  );
}
