"use client";

import { useState } from "react";
import { buttonClass, inputClass } from "../ui/styles";

/** Posts to /api/models (the seed's add_model); a 400 shows its message under the field. */
export function AddModelForm() {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  return (
    <form
      className="flex flex-col gap-2"
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const response = await fetch("/api/models", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ value }),
          });
          if (response.ok) {
            setValue("");
            return;
          }
          const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
          setError(body?.error?.message ?? `The server answered ${response.status}`);
        } catch {
          setError("The server could not be reached");
        } finally {
          setBusy(false);
        }
      }}
    >
      <label htmlFor="model-value" className="text-sm font-medium">
        New model
      </label>
      <div className="flex gap-2">
        <input
          id="model-value"
          name="value"
          value={value}
          onChange={(event) => setValue(event.target.value)}
          placeholder="A value, e.g. first"
          aria-invalid={error !== null}
          aria-describedby="model-value-help"
          className={`${inputClass} flex-1`}
        />
        <button type="submit" className={buttonClass("primary")} disabled={busy}>
          Add model
        </button>
      </div>
      <p id="model-value-help" role={error ? "alert" : undefined} className={`text-xs ${error ? "text-rose-700 dark:text-rose-400" : "text-slate-600 dark:text-slate-400"}`}>
        {error ?? "POSTs {\"value\": …} to /api/models, which triggers model:created."}
      </p>
    </form>
  );
}
