import { describe, expect, it } from "vitest";
import { hostName, hostRule } from "./allowed-hosts";

describe("hostRule", () => {
  describe("in development", () => {
    const rule = hostRule(undefined, true);

    it("serves the loopback names, with any port", () => {
      for (const host of ["localhost:3000", "localhost", "127.0.0.1:3000", "[::1]:3000", "LOCALHOST:3000", "localhost.:3000", "app.localhost:3000"]) {
        expect(rule(host), host).toEqual({ ok: true });
      }
    });

    it("refuses any other name (a rebound one too), naming the key to set", () => {
      const verdict = rule("evil.example:3000");
      expect(verdict.ok).toBe(false);
      expect(!verdict.ok && verdict.message).toBe(
        'Host "evil.example:3000" is not allowed: add evil.example to EVENTS_ALLOWED_HOSTS (development serves only localhost, 127.0.0.1 and [::1] unless others are listed)',
      );
      expect(rule("localhost.evil.example:3000").ok).toBe(false);
      expect(rule("192.168.1.20:3000").ok).toBe(false);
    });

    it("refuses a missing or malformed Host", () => {
      expect(rule(undefined)).toEqual({ ok: false, message: "A Host header naming this server is required" });
      expect(rule("").ok).toBe(false);
      expect(rule("a b:3000").ok).toBe(false);
      expect(rule("localhost:3000:1").ok).toBe(false);
    });

    it("adds the names of EVENTS_ALLOWED_HOSTS, a leading dot meaning the subdomains too", () => {
      const listed = hostRule(["dev.example.com", ".corp.example"], true);
      expect(listed("dev.example.com:3000").ok).toBe(true);
      expect(listed("a.corp.example").ok).toBe(true);
      expect(listed("corp.example").ok).toBe(true);
      expect(listed("localhost:3000").ok).toBe(true);
      expect(listed("evilcorp.example").ok).toBe(false);
    });

    it("clips a long Host in its message", () => {
      const verdict = hostRule(undefined, true)(`${"a".repeat(5_000)}:3000`);
      expect(!verdict.ok && verdict.message.length).toBeLessThan(600);
    });
  });

  describe("in production", () => {
    it("serves any host unless EVENTS_ALLOWED_HOSTS is set", () => {
      expect(hostRule(undefined, false)("anything.example").ok).toBe(true);
    });

    it("serves only the listed names once it is set (not even localhost)", () => {
      const rule = hostRule(["app.example.com"], false);
      expect(rule("app.example.com").ok).toBe(true);
      expect(rule("localhost:3000").ok).toBe(false);
      const verdict = rule("other.example.com");
      expect(!verdict.ok && verdict.message).toBe('Host "other.example.com" is not allowed: add other.example.com to EVENTS_ALLOWED_HOSTS');
    });

    it("turns the rule off with *", () => {
      expect(hostRule("any", true)("evil.example").ok).toBe(true);
    });
  });
});

describe("hostName", () => {
  it("drops the port, the case and a trailing dot", () => {
    expect(hostName("Example.COM.:8080")).toBe("example.com");
    expect(hostName("[::1]:3000")).toBe("[::1]");
    expect(hostName("[::1")).toBeUndefined();
  });
});
