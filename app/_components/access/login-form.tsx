"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { buttonClass, inputClass } from "../ui/styles";

export const SESSION_ROUTE = "/api/dashboard/session";

/** Asks for EVENTS_DASHBOARD_TOKEN once; the server answers with an httpOnly session cookie. */
export function LoginForm() {
  const router = useRouter();
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  return (
    <form
      method="post"
      action={SESSION_ROUTE}
      className="flex max-w-md flex-col gap-3"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const response = await fetch(SESSION_ROUTE, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ token }),
          });
          if (response.ok) {
            setToken("");
            router.refresh();
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
      <label htmlFor="dashboard-token" className="text-sm font-medium">
        Dashboard token
      </label>
      <input
        id="dashboard-token"
        name="token"
        type="password"
        autoComplete="current-password"
        required
        value={token}
        onChange={(event) => setToken(event.target.value)}
        aria-invalid={error !== null}
        aria-describedby="dashboard-token-help"
        className={inputClass}
      />
      <p id="dashboard-token-help" className={`text-xs ${error ? "text-rose-700 dark:text-rose-400" : "text-slate-600 dark:text-slate-400"}`} role={error ? "alert" : undefined}>
        {error ?? "The value of EVENTS_DASHBOARD_TOKEN on the server. You stay signed in for 12 hours."}
      </p>
      <button type="submit" className={`${buttonClass("primary")} self-start`} disabled={busy}>
        {busy ? "Checking…" : "Open the dashboard"}
      </button>
    </form>
  );
}
