import { describe, expect, it } from "vitest";
import type { FanoutMetrics } from "@/bench/fanout";
import { verdict, type Target } from "@/bench/report";
import type { ReqRepMetrics } from "@/bench/reqrep";
import type { SlowMetrics } from "@/bench/slow-consumers";
import { CPU_BASELINE, judgeTargets } from "@/bench/targets";

const fanout = (values: Partial<FanoutMetrics>): FanoutMetrics => ({ deliveriesPerSecond: 1, p50: 1, p99: 1, cpuPerDelivery: 1, peakRss: 1, lost: 0, failedRounds: 0, clientCpuPerDelivery: 1, ...values });
const slow = (values: Partial<SlowMetrics>): SlowMetrics => ({ rssGrowth: 1, heapGrowth: 1, externalGrowth: 1, received: 10, expected: 10, pingP50: 1, pingP99: 1, sendSeconds: 1, ...values });
const trips = (perSecond: number): ReqRepMetrics => ({ perSecond, p50: 1, p99: 1, cpuPerRoundTrip: 1, clientCpuPerRoundTrip: 1 });

function find(targets: Target[], text: string): Target {
  const target = targets.find((candidate) => candidate.target.includes(text));
  if (!target) throw new Error(`no target mentions "${text}"`);
  return target;
}

describe("the benchmark targets", () => {
  it("are met only when met at every configuration", () => {
    expect(verdict([{ where: "a", measured: "", met: true }, { where: "b", measured: "", met: false }])).toBe(false);
    expect(verdict([{ where: "a", measured: "", met: true }, { where: "b", measured: "", met: undefined }])).toBeUndefined();
    expect(verdict([{ where: "a", measured: "", met: true }, { where: "b", measured: "", met: true }])).toBe(true);
    expect(verdict([])).toBeUndefined();
  });

  it("judge the ping ratio at every stalled count, not only the first", () => {
    const { targets } = judgeTargets({ slow: { ours: { 0: slow({ pingP50: 0.25 }), 50: slow({ pingP50: 0.3 }), 200: slow({ pingP50: 1.3 }) } } });
    const ping = find(targets, "ping p50");
    expect(ping.checks.map((check) => [check.where, check.met])).toEqual([
      ["50 stalled", true],
      ["200 stalled", false],
    ]);
    expect(verdict(ping.checks)).toBe(false);
  });

  it("judge request/reply's client libraries on the browser-like EventManager, with the Node one beside it", () => {
    const { targets } = judgeTargets({
      reqrep: {
        1: { "ours-browser": trips(9_000), "ours-node": trips(9_500), "socketio-library": trips(7_000) },
        100: { "ours-browser": trips(80_000), "ours-node": trips(130_000), "socketio-library": trips(72_000) },
      },
    });
    const library = find(targets, "client libraries");
    expect(library.checks.map((check) => [check.where, check.met])).toEqual([
      ["1 in flight", true],
      ["100 in flight", false],
    ]);
    expect(library.checks[1]!.measured).toContain("Node, corked: 130.0k/s = 1.81×");
  });

  it("judge flood p50 and paced p99 against Socket.IO at every client count", () => {
    const mode = (ours: Partial<FanoutMetrics>, socketio: Partial<FanoutMetrics>) => ({ ours: fanout(ours), socketio: fanout(socketio), "ws-corked": fanout({}) });
    const { targets } = judgeTargets({
      fanout: {
        100: { flood: mode({ p50: 62 }, { p50: 15 }), paced: mode({ p99: 2.7 }, { p99: 3.3 }) },
        1000: { flood: mode({ p50: 183 }, { p50: 189 }), paced: mode({ p99: 21 }, { p99: 20 }) },
      },
    });
    expect(find(targets, "p50 ≤ 1.5").checks.map((check) => [check.where, check.met])).toEqual([
      ["N=100 flood", false],
      ["N=1,000 flood", true],
    ]);
    expect(find(targets, "p99 ≤").checks.map((check) => [check.where, check.met])).toEqual([
      ["N=100 paced", true],
      ["N=1,000 paced", false],
    ]);
  });

  it("show CPU per delivery beside the baseline as information, within its tolerance", () => {
    const over = CPU_BASELINE.perDeliveryUs[1000]! * (1 + CPU_BASELINE.tolerance) * 1.01;
    const mode = { ours: fanout({ cpuPerDelivery: over }), socketio: fanout({}) };
    const { targets } = judgeTargets({ fanout: { 1000: { flood: mode, paced: mode } } });
    const baseline = find(targets, "no worse than before");
    expect(baseline.informational).toBe(true);
    expect(baseline.checks).toHaveLength(1);
    expect(baseline.checks[0]!.met).toBe(false);
    const quick = judgeTargets({ fanout: { 1000: { flood: mode, paced: mode } }, fanoutFloodDeliveries: 50_000 });
    expect(find(quick.targets, "no worse than before").checks[0]!.met).toBeUndefined();
  });

  it("leave zero loss unjudged when a round failed", () => {
    const mode = { ours: fanout({ lost: 0, failedRounds: 1 }), socketio: fanout({}) };
    const { targets } = judgeTargets({ fanout: { 100: { flood: mode, paced: { ...mode, ours: fanout({}) } } } });
    expect(find(targets, "zero loss").checks.map((check) => check.met)).toEqual([undefined, true]);
  });
});
