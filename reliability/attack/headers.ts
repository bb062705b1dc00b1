/**
 * Finding 10: no security headers (no CSP, no frame-ancestors / X-Frame-Options, no
 * X-Content-Type-Options, no Referrer-Policy). Replayed: every kind of response carries them,
 * with a per-request nonce and no `unsafe-eval` in production.
 */
import { http, Verdict, type AttackContext, type Finding } from "./kit";

const PATHS = ["/", "/demo", "/api/models", "/events.js", "/healthz", "/no-such-page"];

export async function securityHeaders(context: AttackContext): Promise<Finding> {
  const verdict = new Verdict(10, "Every response carries the security headers");
  const server = await context.server();
  const nonces = new Set<string>();
  for (const path of PATHS) {
    const answer = await http(server.url, { path });
    const csp = String(answer.headers["content-security-policy"] ?? "");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    if (nonce) nonces.add(nonce);
    verdict
      .check(/frame-ancestors 'none'/.test(csp), `${path}: no frame-ancestors 'none' in "${csp}"`)
      .check(!csp.includes("unsafe-eval"), `${path}: unsafe-eval in production`)
      .check(answer.headers["x-frame-options"] === "DENY", `${path}: X-Frame-Options is ${String(answer.headers["x-frame-options"])}`)
      .check(answer.headers["x-content-type-options"] === "nosniff", `${path}: X-Content-Type-Options is ${String(answer.headers["x-content-type-options"])}`)
      .check(answer.headers["referrer-policy"] === "same-origin", `${path}: Referrer-Policy is ${String(answer.headers["referrer-policy"])}`);
    if (path === "/" || path === "/demo") verdict.check(nonce !== undefined && answer.body.includes(`nonce="${nonce}"`), `${path}: the page's scripts do not carry the CSP's nonce`);
  }
  return verdict
    .figure("responses checked", PATHS.join(", "))
    .figure("distinct nonces on the two pages", nonces.size)
    .check(nonces.size >= 2, "the nonce is not new per request")
    .done();
}
