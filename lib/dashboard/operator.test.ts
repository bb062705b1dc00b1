import { describe, expect, it } from "vitest";
import type { WireConnection } from "@/lib/events/protocol/frames";
import { browserOf, connectionLabel, connectionsSummary } from "./operator";

const connection = (fields: Partial<WireConnection>): WireConnection => ({
  id: "Zt0cV2xq",
  instance: "a",
  origin: null,
  address: null,
  userAgent: null,
  connectedAt: 0,
  monitor: false,
  subscriptions: [],
  queued: 0,
  buffered: 0,
  dropped: 0,
  gapsSent: 0,
  opsPerSecond: 0,
  ...fields,
});

describe("the Connections panel's words", () => {
  it("say how many are shown of how many, across instances, and name those that did not answer", () => {
    expect(connectionsSummary(3, [{ instance: "a", total: 3, listed: 3 }], "")).toBe("3 connections");
    expect(connectionsSummary(1, [{ instance: "a", total: 1, listed: 1 }], "")).toBe("1 connection");
    expect(connectionsSummary(200, [{ instance: "a", total: 900, listed: 200 }], "")).toBe("200 newest of 900 connections");
    expect(connectionsSummary(2, [{ instance: "a", total: 5, listed: 1 }, { instance: "b", total: 4, listed: 1 }], "ada")).toBe('2 matching "ada" of 9 connections across 2 instances');
    expect(connectionsSummary(1, [{ instance: "a", total: 1, listed: 1 }, { instance: "b", error: "timed out" }], "")).toBe(
      "1 connection across 2 instances; no answer from b, whose connections are not listed",
    );
  });

  it("name a connection by its member name, as a dashboard, or by its browser", () => {
    expect(connectionLabel(connection({ member: { name: "Ada" } }))).toBe("Ada");
    expect(connectionLabel(connection({ monitor: true }))).toBe("dashboard");
    expect(connectionLabel(connection({ userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36" }))).toBe("Chrome 130");
    expect(browserOf("Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15")).toBe("Safari 17");
    expect(browserOf("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")).toBe("Firefox 128");
    expect(browserOf("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0")).toBe("Edge 130");
    expect(browserOf("node")).toBe("node");
    expect(browserOf(null)).toBe("unknown client");
  });
});
