import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { clientScriptPath } from "@/lib/app-server/client-script";
import { nonceFromPolicy } from "@/lib/app-server/security-headers";
import { THEME_BOOT_SCRIPT } from "@/lib/dashboard/theme";
import { SiteHeader } from "./_components/nav/site-header";
import "./globals.css";

export const metadata: Metadata = {
  title: "Webfluid Events",
  description: "A typed event bus for Next.js that reaches the browser over a managed WebSocket.",
};

// The injected client depends on how this server was started (EXT_EVENTS), so pages are
// rendered per request rather than at build time.
export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: ReactNode }) {
  const eventsScript = clientScriptPath();
  // server.ts put this request's Content-Security-Policy on the request; its nonce lets our two
  // scripts run (Next gives its own scripts the same nonce).
  const nonce = nonceFromPolicy((await headers()).get("content-security-policy"));
  return (
    // The boot script sets the theme class on <html> before hydration: React must not fight it.
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* A constant (no data in it): picks the light or dark theme before the first paint. */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
        {/* A classic, blocking script: window.wf.ext.events exists before any page script runs. */}
        {/* eslint-disable-next-line @next/next/no-sync-scripts -- it must run before module scripts, as in the seed */}
        {eventsScript ? <script nonce={nonce} src={eventsScript} /> : null}
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <SiteHeader />
        {children}
      </body>
    </html>
  );
}
