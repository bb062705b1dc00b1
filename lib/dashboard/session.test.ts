import { describe, expect, it } from "vitest";
import { createMonitorToken } from "@/lib/events/server/monitor-token";
import { dashboardAccess, refusalStatus } from "./access";
import { isTokenFresh, monitorTokenExpiry } from "./monitor-token";
import { createDashboardSession, SESSION_TTL_MS, tokensMatch, verifyDashboardSession } from "./session";

const SECRET = "a-secret-key-for-tests";
const TOKEN = "dashboard-token-0123456789";

describe("dashboard sessions", () => {
  it("verify while unexpired, signed with the same secret and token", () => {
    const session = createDashboardSession(SECRET, TOKEN, 1_000);
    expect(verifyDashboardSession(session, SECRET, TOKEN, 2_000)).toBe(true);
    expect(verifyDashboardSession(session, SECRET, TOKEN, 1_000 + SESSION_TTL_MS)).toBe(false);
  });

  it("fail with another secret, after the dashboard token changed, or when tampered with", () => {
    const session = createDashboardSession(SECRET, TOKEN, 1_000);
    expect(verifyDashboardSession(session, "another-secret-key", TOKEN, 2_000)).toBe(false);
    expect(verifyDashboardSession(session, SECRET, "a-rotated-dashboard-token", 2_000)).toBe(false);
    const [expires, mac] = session.split(".") as [string, string];
    const later = (parseInt(expires, 36) + 10 * SESSION_TTL_MS).toString(36);
    expect(verifyDashboardSession(`${later}.${mac}`, SECRET, TOKEN, 2_000)).toBe(false);
    expect(verifyDashboardSession(`${expires}.${mac.slice(1)}`, SECRET, TOKEN, 2_000)).toBe(false);
  });

  it("are never a monitor token, nor the other way round", () => {
    expect(verifyDashboardSession(createMonitorToken(SECRET, 60_000, 1_000), SECRET, TOKEN, 2_000)).toBe(false);
  });

  it("refuse what is not a session at all", () => {
    for (const value of [undefined, "", ".", "abc", "abc.", ".abc", "zz.zz"]) expect(verifyDashboardSession(value, SECRET, TOKEN, 0)).toBe(false);
  });
});

describe("tokensMatch", () => {
  it("matches only the same token, whatever the lengths", () => {
    expect(tokensMatch(TOKEN, TOKEN)).toBe(true);
    expect(tokensMatch(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokensMatch("", TOKEN)).toBe(false);
  });
});

describe("dashboardAccess", () => {
  const production = { production: true, dashboardToken: TOKEN, secretKey: SECRET };

  it("is open in development, whatever the cookie", () => {
    expect(dashboardAccess({ production: false, dashboardToken: undefined, secretKey: SECRET }, undefined)).toBe("open");
  });

  it("is closed in production without a dashboard token", () => {
    expect(dashboardAccess({ ...production, dashboardToken: undefined }, createDashboardSession(SECRET, TOKEN))).toBe("closed");
    expect(refusalStatus("closed")).toBe(403);
  });

  it("asks for the token in production until a valid session cookie comes", () => {
    expect(dashboardAccess(production, undefined)).toBe("login");
    expect(dashboardAccess(production, "forged.cookie")).toBe("login");
    expect(refusalStatus("login")).toBe(401);
    expect(dashboardAccess(production, createDashboardSession(SECRET, TOKEN))).toBe("open");
  });
});

describe("monitor token freshness", () => {
  it("reads the expiry of a monitor token and keeps a margin", () => {
    const token = createMonitorToken(SECRET, 60_000, 1_000);
    expect(monitorTokenExpiry(token)).toBe(61_000);
    expect(isTokenFresh(token, 1_000, 15_000)).toBe(true);
    expect(isTokenFresh(token, 50_000, 15_000)).toBe(false);
    expect(isTokenFresh("nonsense", 0)).toBe(false);
  });
});
