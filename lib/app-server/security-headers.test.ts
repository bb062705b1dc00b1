import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getScriptNonceFromHeaders } from "next/dist/server/app-render/get-script-nonce-from-header";
import { afterEach, describe, expect, it } from "vitest";
import { applySecurityHeaders, contentSecurityPolicy, nonceFromPolicy } from "./security-headers";

describe("contentSecurityPolicy", () => {
  it("in production allows scripts from this origin or with the nonce, and nothing evaluated", () => {
    expect(contentSecurityPolicy("abc123==", { production: true })).toBe(
      "default-src 'self'; script-src 'self' 'nonce-abc123=='; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    );
  });

  it("in development also allows 'unsafe-eval', in script-src only", () => {
    const policy = contentSecurityPolicy("abc123==", { production: false });
    expect(policy).toContain("script-src 'self' 'nonce-abc123==' 'unsafe-eval';");
    expect(policy.match(/unsafe-eval/g)).toHaveLength(1);
  });
});

describe("nonceFromPolicy", () => {
  it("finds the nonce in script-src, as Next does", () => {
    const policy = contentSecurityPolicy("q+/Z_-9w==", { production: false });
    expect(nonceFromPolicy(policy)).toBe("q+/Z_-9w==");
    expect(getScriptNonceFromHeaders({ "content-security-policy": policy })).toBe("q+/Z_-9w==");
  });

  it("finds none in a missing policy or one without a nonce", () => {
    expect(nonceFromPolicy(null)).toBeUndefined();
    expect(nonceFromPolicy("default-src 'self'; script-src 'self'")).toBeUndefined();
  });
});

describe("applySecurityHeaders", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  /** A server that calls it first, as server.ts does, then answers like server.ts's 503 while starting. */
  async function start(production: boolean): Promise<{ url: string; seen: Array<{ nonce: string; headers: IncomingHttpHeaders }> }> {
    const seen: Array<{ nonce: string; headers: IncomingHttpHeaders }> = [];
    server = createServer((req, res) => {
      const nonce = applySecurityHeaders(req, res, { production });
      seen.push({ nonce, headers: { ...req.headers } });
      res.writeHead(503, { "content-type": "text/plain", "retry-after": "1" }).end("Starting…");
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`, seen };
  }

  it("sets every security header, which writeHead keeps", async () => {
    const { url, seen } = await start(true);
    const response = await fetch(url);
    expect(response.status).toBe(503);
    expect(response.headers.get("content-security-policy")).toBe(contentSecurityPolicy(seen[0]!.nonce, { production: true }));
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("same-origin");
    expect(response.headers.get("retry-after")).toBe("1");
  });

  it("makes a fresh nonce of 128 random bits for every request", async () => {
    const { url, seen } = await start(true);
    for (let i = 0; i < 3; i++) await fetch(url);
    const nonces = seen.map((entry) => entry.nonce);
    expect(new Set(nonces).size).toBe(3);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });

  it("puts the policy on the request for Next, replacing any policy the client sent", async () => {
    const { url, seen } = await start(false);
    await fetch(url, { headers: { "content-security-policy": "script-src 'nonce-chosen-by-the-client'", "content-security-policy-report-only": "script-src 'nonce-also-chosen'" } });
    const [{ nonce, headers }] = seen as [(typeof seen)[number]];
    expect(headers["content-security-policy"]).toBe(contentSecurityPolicy(nonce, { production: false }));
    expect(headers["content-security-policy-report-only"]).toBeUndefined();
    expect(getScriptNonceFromHeaders(headers)).toBe(nonce);
  });
});
