import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { normalizeForwarded, requestView } from "./forwarded";
import { checkUpgrade } from "./upgrade-guards";

/** A request as Node hands it over: only the parts requestView reads. */
function request(headers: Record<string, string | string[]>, socket: { remoteAddress?: string; encrypted?: boolean } = { remoteAddress: "10.0.0.2" }): IncomingMessage {
  return { headers: { ...headers }, socket } as unknown as IncomingMessage;
}

const FORGED = { host: "127.0.0.1:3000", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7" };

describe("requestView", () => {
  describe("without trust", () => {
    it("ignores every forwarded header: the Host, the socket's TLS and the socket's peer are all there is", () => {
      expect(requestView(request(FORGED), false)).toEqual({ host: "127.0.0.1:3000", https: false, address: "10.0.0.2" });
    });

    it("counts a TLS socket as HTTPS", () => {
      expect(requestView(request({ host: "app.example" }, { remoteAddress: "10.0.0.2", encrypted: true }), false).https).toBe(true);
    });
  });

  describe("with trust", () => {
    it("takes the proxy's host, scheme and client address", () => {
      expect(requestView(request(FORGED), true)).toEqual({ host: "evil.example", https: true, address: "203.0.113.7" });
    });

    it("takes the right-most value of each chain: the one the proxy wrote, not the ones the client sent", () => {
      const view = requestView(
        request({ host: "upstream", "x-forwarded-for": "1.1.1.1, 2.2.2.2,198.51.100.4", "x-forwarded-host": "forged.example, app.example:8443", "x-forwarded-proto": "http, HTTPS" }),
        true,
      );
      expect(view).toEqual({ host: "app.example:8443", https: true, address: "198.51.100.4" });
    });

    it("reads repeated headers as one chain", () => {
      expect(requestView(request({ "x-forwarded-for": ["1.1.1.1", "2001:db8::7"] }), true).address).toBe("2001:db8::7");
    });

    it("falls back to the socket and Host when a forwarded value is malformed", () => {
      const view = requestView(
        request({ host: "upstream:3000", "x-forwarded-host": "evil.example/path", "x-forwarded-proto": "gopher", "x-forwarded-for": "not-an-address" }, { remoteAddress: "10.0.0.2", encrypted: true }),
        true,
      );
      expect(view).toEqual({ host: "upstream:3000", https: true, address: "10.0.0.2" });
    });

    it("reads only the tail of a long header: a long chain is cheap, and a single over-long value is refused", () => {
      const chain = `${"9.9.9.9, ".repeat(10_000)}198.51.100.4`;
      expect(requestView(request({ "x-forwarded-for": chain }), true).address).toBe("198.51.100.4");
      expect(requestView(request({ host: "upstream", "x-forwarded-host": `${"a".repeat(5_000)}.example` }), true).host).toBe("upstream");
    });
  });
});

describe("normalizeForwarded", () => {
  it("removes the forwarded headers without trust, so that nothing downstream reads a forged one", () => {
    const forged = request(FORGED);
    normalizeForwarded(forged, requestView(forged, false), false);
    expect(forged.headers).toEqual({ host: "127.0.0.1:3000" });
  });

  it("leaves one value each with trust, the one the checks used", () => {
    const proxied = request({ host: "upstream", "x-forwarded-for": "1.1.1.1, 198.51.100.4", "x-forwarded-host": "app.example", "x-forwarded-proto": "https" });
    normalizeForwarded(proxied, requestView(proxied, true), true);
    expect(proxied.headers).toEqual({ host: "upstream", "x-forwarded-for": "198.51.100.4", "x-forwarded-host": "app.example", "x-forwarded-proto": "https" });
  });
});

describe("checkUpgrade with the public host", () => {
  const upgrade = (origin: string, headers: Record<string, string> = {}) => request({ host: "127.0.0.1:3000", origin, ...headers });

  it("refuses an Origin that only a forged X-Forwarded-Host names, without trust", () => {
    const forged = upgrade("https://evil.example", { "x-forwarded-host": "evil.example" });
    expect(checkUpgrade(forged, [], true, requestView(forged, false).host)).toMatchObject({ ok: false, status: 403, reason: "origin" });
  });

  it("accepts the public origin the proxy forwards, with trust, without EVENTS_ALLOWED_ORIGINS", () => {
    const proxied = upgrade("https://app.example", { "x-forwarded-host": "app.example", "x-forwarded-proto": "https" });
    expect(checkUpgrade(proxied, [], true, requestView(proxied, true).host)).toEqual({ ok: true });
  });

  it("compares hosts as browsers write origins: lower case, default port left out", () => {
    expect(checkUpgrade(upgrade("https://app.example"), [], true, "App.Example:443")).toEqual({ ok: true });
    expect(checkUpgrade(upgrade("https://app.example"), [], true, "app.example:8443").ok).toBe(false);
  });

  it("never matches a Host carrying URL syntax", () => {
    expect(checkUpgrade(upgrade("https://evil.example"), [], true, "evil.example/@app.example").ok).toBe(false);
    expect(checkUpgrade(upgrade("https://evil.example"), [], true, "app.example@evil.example").ok).toBe(false);
  });
});
