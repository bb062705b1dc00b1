import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/test/support/app-server";

const METRICS_TOKEN = "metrics-token-for-the-tests";

/** The nonce in a response's script-src, or undefined. */
function nonceOf(response: Response): string | undefined {
  return /script-src [^;]*'nonce-([A-Za-z0-9+/_-]+={0,2})'/.exec(response.headers.get("content-security-policy") ?? "")?.[1];
}

describe("security headers on everything the production server answers", () => {
  let server: AppServer;

  beforeAll(async () => {
    server = await startAppServer({ env: { EVENTS_METRICS_TOKEN: METRICS_TOKEN } });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    ["the dashboard", "/", 200],
    ["the demo page", "/demo", 200],
    ["an API route", "/api/models", 200],
    ["the injected client", "/events.js", 200],
    ["/healthz", "/healthz", 200],
    ["/readyz", "/readyz", 200],
    ["/metrics", "/metrics", 200],
    ["an unknown path", "/no/such/page", 404],
    ["an icon", "/icon.svg", 200],
  ])("%s carries them", async (_label, path, status) => {
    const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(status);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("same-origin");
    const nonce = nonceOf(response);
    expect(nonce).toBeDefined();
    expect(response.headers.get("content-security-policy")).toBe(
      `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; ` +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(response.headers.get("content-security-policy")).not.toContain("unsafe-eval");
  });

  it("gives every request its own nonce", async () => {
    const nonces = await Promise.all(["/", "/", "/demo", "/healthz"].map(async (path) => nonceOf(await fetch(`${server.url}${path}`))));
    expect(new Set(nonces).size).toBe(4);
  });

  it.each(["/", "/demo", "/no/such/page"])("puts the response's nonce on every script of %s, Next's and the layout's", async (path) => {
    const response = await fetch(`${server.url}${path}`);
    const nonce = nonceOf(response);
    const html = await response.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.some((tag) => tag.includes('src="/events.js"'))).toBe(true);
    expect(html).toContain(`<script nonce="${nonce}">(function(){`); // the theme boot script
    expect(scripts.length).toBeGreaterThan(3);
    for (const tag of scripts) expect(tag).toContain(` nonce="${nonce}"`);
  });

  it("ignores a Content-Security-Policy the client sends: it cannot choose the nonce", async () => {
    const response = await fetch(`${server.url}/demo`, { headers: { "content-security-policy": "script-src 'nonce-chosenbytheclient'" } });
    const html = await response.text();
    expect(nonceOf(response)).not.toBe("chosenbytheclient");
    expect(html).not.toContain("chosenbytheclient");
    expect(html).toContain(`nonce="${nonceOf(response)}"`);
  });
});
