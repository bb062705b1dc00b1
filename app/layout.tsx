import type { Metadata } from "next";
import type { ReactNode } from "react";
import { clientScriptPath } from "@/lib/app-server/client-script";
import "./globals.css";

export const metadata: Metadata = {
  title: "Webfluid Events",
  description: "A typed event bus for Next.js that reaches the browser over a managed WebSocket.",
};

// The injected client depends on how this server was started (EXT_EVENTS), so pages are
// rendered per request rather than at build time.
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: ReactNode }) {
  const eventsScript = clientScriptPath();
  return (
    <html lang="en">
      <head>
        {/* A classic, blocking script: window.wf.ext.events exists before any page script runs. */}
        {/* eslint-disable-next-line @next/next/no-sync-scripts -- it must run before module scripts, as in the seed */}
        {eventsScript ? <script src={eventsScript} /> : null}
      </head>
      <body className="min-h-screen bg-white text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">{children}</body>
    </html>
  );
}
