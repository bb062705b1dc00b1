"use client";

import type { JsonInput } from "@/lib/dashboard/json-input";
import { inputClass } from "../ui/styles";

/** The payload as JSON text, with the parse error under it. Ctrl/⌘+Enter fires. */
export function PayloadEditor({ text, parsed, onChange }: { text: string; parsed: JsonInput; onChange: (text: string) => void }) {
  const invalid = !parsed.ok;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor="fire-payload" className="text-xs font-medium text-slate-600 dark:text-slate-400">
        Payload (JSON; empty for none)
      </label>
      <textarea
        id="fire-payload"
        value={text}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            event.currentTarget.form?.requestSubmit();
          }
        }}
        rows={6}
        spellCheck={false}
        aria-invalid={invalid}
        aria-describedby="fire-payload-help"
        className={`${inputClass} font-mono text-xs leading-5 ${invalid ? "border-rose-500 dark:border-rose-500" : ""}`}
      />
      <p id="fire-payload-help" className={`text-xs ${invalid ? "text-rose-700 dark:text-rose-400" : "text-slate-600 dark:text-slate-400"}`} role={invalid ? "alert" : undefined}>
        {parsed.ok
          ? "Ctrl+Enter fires."
          : `${parsed.line === null ? "" : `Line ${parsed.line}, column ${parsed.column}: `}${parsed.message}`}
      </p>
    </div>
  );
}
