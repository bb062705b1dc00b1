import { describe, expect, it } from "vitest";
import { createMonitorToken } from "@/lib/events/server/monitor-token";
import { dashboardAccess, refusalStatus } from "./access";
import { isTokenFresh, monitorTokenExpiry } from "./monitor-token";
import { createDashboardSession, readDashboardSession, SESSION_TTL_MS, tokensMatch } from "./session";
import { MemorySessionStore } from "@/lib/app-server/session-store";

const SECRET = "a-secret-key-for-tests";
const TOKEN = "dashboard-token-0123456789";

describe("dashboard sessions", () => {
  it("verify while unexpired, signed with the same secret and token, and name their session", () => {
    const session = createDashboardSession(SECRET, TOKEN, 1_000);
    expect(readDashboardSession(session.cookie, SECRET, TOKEN, 2_000)).toEqual({ id: session.id, expiresAt: 1_000 + SESSION_TTL_MS });
    expect(readDashboardSession(session.cookie, SECRET, TOKEN, 1_000 + SESSION_TTL_MS)).toBeUndefined();
  });

  it("have a new random id at every sign-in", () => {
    expect(createDashboardSession(SECRET, TOKEN, 1_000).id).not.toBe(createDashboardSession(SECRET, TOKEN, 1_000).id);
  });

  it("fail with another secret, after the dashboard token changed, or when tampered with", () => {
    const { cookie } = createDashboardSession(SECRET, TOKEN, 1_000);
    expect(readDashboardSession(cookie, "another-secret-key", TOKEN, 2_000)).toBeUndefined();
    expect(readDashboardSession(cookie, SECRET, "a-rotated-dashboard-token", 2_000)).toBeUndefined();
    const [expires, id, mac] = cookie.split(".") as [string, string, string];
    const later = (parseInt(expires, 36) + 10 * SESSION_TTL_MS).toString(36);
    expect(readDashboardSession(`${later}.${id}.${mac}`, SECRET, TOKEN, 2_000)).toBeUndefined();
    expect(readDashboardSession(`${expires}.${id}.${mac.slice(1)}`, SECRET, TOKEN, 2_000)).toBeUndefined();
    expect(readDashboardSession(`${expires}.another-id.${mac}`, SECRET, TOKEN, 2_000)).toBeUndefined();
  });

  it("are never a monitor token, nor the other way round", () => {
    expect(readDashboardSession(createMonitorToken(SECRET, { ttlMs: 60_000, now: 1_000, session: "x", dashboardToken: TOKEN }), SECRET, TOKEN, 2_000)).toBeUndefined();
  });

  it("refuse what is not a session at all", () => {
    for (const value of [undefined, "", ".", "abc", "abc.", ".abc", "zz.zz", "zz..zz", "..", "a.b.c.d"]) expect(readDashboardSession(value, SECRET, TOKEN, 0)).toBeUndefined();
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

  async function signedIn(store: MemorySessionStore) {
    const session = createDashboardSession(SECRET, TOKEN);
    await store.add(session.id, session.expiresAt);
    return session;
  }

  it("is open in development, whatever the cookie", async () => {
    expect(await dashboardAccess({ production: false, dashboardToken: undefined, secretKey: SECRET }, undefined, new MemorySessionStore())).toEqual({
      access: "open",
      session: undefined,
    });
  });

  it("is closed in production without a dashboard token", async () => {
    const store = new MemorySessionStore();
    const session = await signedIn(store);
    expect((await dashboardAccess({ ...production, dashboardToken: undefined }, session.cookie, store)).access).toBe("closed");
    expect(refusalStatus("closed")).toBe(403);
  });

  it("asks for the token in production until the cookie of a signed-in session comes", async () => {
    const store = new MemorySessionStore();
    expect((await dashboardAccess(production, undefined, store)).access).toBe("login");
    expect((await dashboardAccess(production, "forged.cookie", store)).access).toBe("login");
    expect(refusalStatus("login")).toBe(401);
    const session = await signedIn(store);
    expect(await dashboardAccess(production, session.cookie, store)).toEqual({ access: "open", session: session.id });
  });

  it("refuses a correctly signed cookie whose session was revoked (signed out), and leaves other sessions open", async () => {
    const store = new MemorySessionStore();
    const mine = await signedIn(store);
    const other = await signedIn(store);
    await store.revoke(mine.id);
    expect((await dashboardAccess(production, mine.cookie, store)).access).toBe("login");
    expect((await dashboardAccess(production, other.cookie, store)).access).toBe("open");
  });

  it("refuses a signed cookie that no store knows, as after a restart without Redis", async () => {
    const session = await signedIn(new MemorySessionStore());
    expect((await dashboardAccess(production, session.cookie, new MemorySessionStore())).access).toBe("login");
  });

  it("counts a session store that cannot answer as signed out", async () => {
    const store = new MemorySessionStore();
    const session = await signedIn(store);
    store.isLive = () => Promise.reject(new Error("Redis is down"));
    expect((await dashboardAccess(production, session.cookie, store)).access).toBe("login");
  });
});

describe("monitor token freshness", () => {
  it("reads the expiry of a monitor token and keeps a margin", () => {
    const token = createMonitorToken(SECRET, { ttlMs: 60_000, now: 1_000 });
    expect(monitorTokenExpiry(token)).toBe(61_000);
    expect(isTokenFresh(token, 1_000, 15_000)).toBe(true);
    expect(isTokenFresh(token, 50_000, 15_000)).toBe(false);
    expect(isTokenFresh("nonsense", 0)).toBe(false);
  });
});
