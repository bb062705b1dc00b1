import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface SecurityHeaderOptions {
  /** Production drops `'unsafe-eval'`, which only development needs. */
  production: boolean;
}

/**
 * The Content-Security-Policy for one response, allowing scripts from this origin and inline
 * scripts that carry `nonce`.
 *
 * - `script-src`: Next's inline bootstrap and flight scripts and the layout's theme script carry
 *   the nonce; its chunks and /events.js come from 'self'. Development adds `'unsafe-eval'`:
 *   React's development build evaluates code to rebuild server call stacks in the browser
 *   (Next's CSP guide requires it there); production never evaluates strings.
 * - `style-src 'self' 'unsafe-inline'`: nonces are impractical for styles. Next hands React its
 *   nonce for scripts only, and its own markup has inline styles without one: the built-in 404
 *   page renders a `<style>` tag and `style="…"` attributes, and the development overlay injects
 *   `<style>` tags. A nonce can never cover a `style` attribute (React writes one for every
 *   `style` prop rendered on the server). Inline CSS cannot run script: with scripts locked down
 *   this costs little.
 * - `connect-src 'self'`: in CSP3 'self' also matches ws: and wss: on this host and port, i.e.
 *   /ws/events and Next's hot-reload socket (the browser tests check Chromium connects both
 *   with no violation).
 */
export function contentSecurityPolicy(nonce: string, { production }: SecurityHeaderOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${production ? "" : " 'unsafe-eval'"}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Called once per request, first thing in server.ts: sets the security headers on `response`
 * (every answer keeps them, Next's pages and 404s as much as /healthz or the 503 while starting)
 * and returns this request's fresh nonce.
 *
 * Next applies a nonce to its own scripts only when the *request* carries a CSP naming one
 * (getScriptNonceFromHeaders in next/dist/server/app-render/get-script-nonce-from-header.js,
 * normally fed by a proxy, which this app must not have: it would buffer request bodies). So the
 * policy is also written into the request's headers, replacing any the client sent; the root
 * layout reads the nonce back from there with `headers()` (see `nonceFromPolicy`).
 */
export function applySecurityHeaders(request: IncomingMessage, response: ServerResponse, options: SecurityHeaderOptions): string {
  const nonce = randomBytes(16).toString("base64");
  const policy = contentSecurityPolicy(nonce, options);
  request.headers["content-security-policy"] = policy;
  delete request.headers["content-security-policy-report-only"];
  response.setHeader("content-security-policy", policy);
  response.setHeader("x-frame-options", "DENY");
  response.setHeader("x-content-type-options", "nosniff");
  response.setHeader("referrer-policy", "same-origin");
  return nonce;
}

/** The nonce of a policy made by `contentSecurityPolicy`, as Next finds it; undefined if none. */
export function nonceFromPolicy(policy: string | null | undefined): string | undefined {
  const scriptSrc = policy?.split(";").map((directive) => directive.trim()).find((directive) => directive.startsWith("script-src "));
  return scriptSrc?.split(/\s+/).map((source) => /^'nonce-([A-Za-z0-9+/_-]+={0,2})'$/.exec(source)?.[1]).find((nonce) => nonce !== undefined);
}
