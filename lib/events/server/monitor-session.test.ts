import { afterEach, describe, expect, it } from "vitest";
import { CloseCode } from "@/lib/events/protocol";
import { createMonitorToken } from "@/lib/events/server";
import { startTransport, TEST_SECRET, type Harness } from "@/test/support/transport-harness";

let harness: Harness;
afterEach(() => harness?.close());

const token = (options: Parameters<typeof createMonitorToken>[1] = {}) => createMonitorToken(TEST_SECRET, options);

describe("a monitor session", () => {
  it("is told when its token expires, and is closed with 4401 when no fresh token came", async () => {
    harness = await startTransport();
    const monitor = await harness.connect();
    const reply = await monitor.op({ type: "monitor", token: token({ ttlMs: 300 }) });
    expect(reply).toMatchObject({ type: "ok", expiresAt: expect.any(Number) });
    expect(await monitor.closed(3_000)).toBe(CloseCode.MonitorSessionEnded);
    expect(harness.transport.stats().monitors).toBe(0);
  });

  it("stays open past the first expiry when a fresh token is sent on the same connection", async () => {
    harness = await startTransport();
    const monitor = await harness.connect();
    await monitor.op({ type: "monitor", token: token({ ttlMs: 400 }) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await monitor.op({ type: "monitor", token: token({ ttlMs: 60_000 }) })).toMatchObject({ type: "ok" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(monitor.closeCode).toBeUndefined();
    expect(await monitor.op({ type: "describe" })).toHaveProperty("cluster");
  });

  it("keeps its rights until the current token ends when a refresh is refused", async () => {
    harness = await startTransport();
    const monitor = await harness.connect();
    await monitor.op({ type: "monitor", token: token({ ttlMs: 60_000 }) });
    expect(await monitor.op({ type: "monitor", token: "forged..AAAA" })).toMatchObject({ code: "unauthorized" });
    expect(await monitor.op({ type: "describe" })).toHaveProperty("cluster");
  });

  it("ends at once, with 4401, when its dashboard session is signed out; other sessions' monitors stay", async () => {
    harness = await startTransport();
    const mine = await harness.connect();
    const theirs = await harness.connect();
    await mine.op({ type: "monitor", token: token({ session: "mine" }) });
    await theirs.op({ type: "monitor", token: token({ session: "theirs" }) });
    expect(harness.transport.endMonitorSession("mine")).toBe(1);
    expect(await mine.closed()).toBe(CloseCode.MonitorSessionEnded);
    expect(await theirs.op({ type: "describe" })).toHaveProperty("cluster");
  });

  it("is refused, like a forged token, when its dashboard session is no longer signed in", async () => {
    const live = new Set(["signed-in"]);
    harness = await startTransport({}, {}, undefined, { isSessionLive: (session) => live.has(session) });
    const client = await harness.connect();
    expect(await client.op({ type: "monitor", token: token({ session: "signed-out" }) })).toMatchObject({
      code: "unauthorized",
      message: "The monitor token's dashboard session has ended: sign in again",
    });
    expect(await client.op({ type: "monitor", token: token({ session: "signed-in" }) })).toMatchObject({ type: "ok" });
  });

  it("is refused when the session store cannot answer (fails closed)", async () => {
    harness = await startTransport({}, {}, undefined, { isSessionLive: () => Promise.reject(new Error("Redis is down")) });
    const client = await harness.connect();
    expect(await client.op({ type: "monitor", token: token({ session: "any" }) })).toMatchObject({ code: "unauthorized" });
    expect(await client.op({ type: "request", query: "nothing:internal" })).toMatchObject({ code: "not_found" });
  });

  it("is refused with a token issued under another dashboard token", async () => {
    harness = await startTransport({ dashboardToken: "the-current-dashboard-token" });
    const client = await harness.connect();
    expect(await client.op({ type: "monitor", token: token({ dashboardToken: "the-previous-dashboard-token" }) })).toMatchObject({
      code: "unauthorized",
      message: "The monitor token is not valid",
    });
    expect(await client.op({ type: "monitor", token: token({ dashboardToken: "the-current-dashboard-token" }) })).toMatchObject({ type: "ok" });
  });
});
