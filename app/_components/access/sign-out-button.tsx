"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { buttonClass } from "../ui/styles";
import { SESSION_ROUTE } from "./login-form";

/** Ends the dashboard session on the server (a copied cookie stops working too), then shows the sign-in. */
export function SignOutButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="flex items-center gap-2">
      {error ? (
        <span role="alert" className="text-xs text-rose-700 dark:text-rose-400">
          {error}
        </span>
      ) : null}
      <button
        type="button"
        className={buttonClass("secondary", "sm")}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            const response = await fetch(SESSION_ROUTE, { method: "DELETE", credentials: "same-origin" });
            if (!response.ok) {
              const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
              setError(body?.error?.message ?? `The server answered ${response.status}`);
              return;
            }
            router.refresh();
          } catch {
            setError("The server could not be reached");
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? "Signing out…" : "Sign out"}
      </button>
    </div>
  );
}
