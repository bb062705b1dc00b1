"use client";

import { readField, writeField, type FormField } from "@/lib/dashboard/json-schema-form";
import { inputClass } from "../ui/styles";

/** A form over a flat object payload: each change rewrites the JSON the editor holds. */
export function SchemaForm({ fields, value, onChange }: { fields: FormField[]; value: unknown; onChange: (value: Record<string, unknown>) => void }) {
  if (fields.length === 0) return <p className="text-xs text-slate-600 dark:text-slate-400">This payload has no fields: an empty object.</p>;
  return (
    <div className="flex flex-col gap-2">
      {fields.map((field) => {
        const id = `fire-field-${field.key}`;
        const current = readField(value, field);
        const label = (
          <>
            <span className="font-mono">{field.key}</span>
            <span className="text-slate-600 dark:text-slate-400">{` ${field.type}${field.required ? ", required" : ""}`}</span>
          </>
        );
        if (field.type === "boolean") {
          return (
            <label key={field.key} htmlFor={id} className="flex items-center gap-2 text-xs">
              <input id={id} type="checkbox" checked={current === true} onChange={(event) => onChange(writeField(value, field, event.target.checked))} className="size-4" />
              {label}
            </label>
          );
        }
        return (
          <div key={field.key} className="flex flex-col gap-1 text-xs">
            <label htmlFor={id}>{label}</label>
            {field.options ? (
              <select id={id} value={String(current)} onChange={(event) => onChange(writeField(value, field, event.target.value))} className={inputClass}>
                {field.required ? null : <option value="">(none)</option>}
                {field.options.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={id}
                type={field.type === "string" ? "text" : "number"}
                step={field.type === "integer" ? 1 : "any"}
                min={field.min ?? undefined}
                max={field.max ?? undefined}
                value={String(current)}
                required={field.required}
                onChange={(event) => onChange(writeField(value, field, event.target.value))}
                className={inputClass}
              />
            )}
            {field.description ? <span className="text-slate-600 dark:text-slate-400">{field.description}</span> : null}
          </div>
        );
      })}
    </div>
  );
}
