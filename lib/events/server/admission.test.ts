import { describe, expect, it } from "vitest";
import { Admission } from "./admission";

const limits = { maxConnections: 5, maxConnectionsPerIp: 2, rateLimitPerIp: 10 };

describe("Admission", () => {
  it("admits up to the per-address limit, then refuses with 429 and a Retry-After", () => {
    const admission = new Admission(limits);
    expect(admission.admit("198.51.100.1").ok).toBe(true);
    expect(admission.admit("198.51.100.1").ok).toBe(true);
    const refused = admission.admit("198.51.100.1");
    expect(refused).toMatchObject({ ok: false, status: 429, reason: "max_connections_per_ip" });
    expect(refused.ok === false && refused.message).toContain("EVENTS_MAX_CONNECTIONS_PER_IP");
    expect(refused.ok === false && refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(admission.admit("198.51.100.2").ok).toBe(true);
  });

  it("refuses every address with 503 once the process holds the most connections", () => {
    const admission = new Admission(limits);
    for (let i = 0; i < 5; i++) expect(admission.admit(`203.0.113.${i}`).ok).toBe(true);
    expect(admission.admit("203.0.113.99")).toMatchObject({ ok: false, status: 503, reason: "max_connections" });
    expect(admission.open).toBe(5);
  });

  it("gives the place back once on release, however often release is called", () => {
    const admission = new Admission(limits);
    const first = admission.admit("198.51.100.1");
    admission.admit("198.51.100.1");
    if (!first.ok) throw new Error("expected a place");
    first.ticket.release();
    first.ticket.release();
    expect(admission.open).toBe(1);
    expect(admission.admit("198.51.100.1").ok).toBe(true);
    expect(admission.admit("198.51.100.1").ok).toBe(false);
  });

  it("shares one op budget between the connections of an address", () => {
    const admission = new Admission(limits);
    const a = admission.admit("198.51.100.1", 0);
    const b = admission.admit("198.51.100.1", 0);
    if (!a.ok || !b.ok) throw new Error("expected places");
    expect(a.ticket.addressLimiter).toBe(b.ticket.addressLimiter);
    let taken = 0;
    for (let i = 0; i < 100; i++) if ((i % 2 ? a : b).ticket.addressLimiter.take(0)) taken++;
    expect(taken).toBe(20); // a burst of twice the rate, whichever connection asks
  });

  it("keeps a closed address's spent budget until it has refilled, so reconnecting buys no fresh burst", () => {
    const admission = new Admission(limits);
    const first = admission.admit("198.51.100.1", 0);
    if (!first.ok) throw new Error("expected a place");
    while (first.ticket.addressLimiter.take(0));
    first.ticket.release();
    admission.sweep(performance.now());
    const again = admission.admit("198.51.100.1", 0);
    if (!again.ok) throw new Error("expected a place");
    expect(again.ticket.addressLimiter.take(0)).toBe(false);
  });

  it("forgets addresses that have no connection and a full budget", () => {
    const admission = new Admission(limits);
    const verdict = admission.admit("198.51.100.1");
    if (!verdict.ok) throw new Error("expected a place");
    verdict.ticket.release();
    expect(admission.trackedAddresses).toBe(1);
    admission.sweep(performance.now() + 2_001);
    expect(admission.trackedAddresses).toBe(0);
  });
});
