/**
 * The issue-5 targets: each judged from the benchmarks' summaries (medians over the rounds), with
 * the bars of docs/benchmarks.svg.
 */
import type { ClusterSummary } from "./fanout-cluster";
import type { FanoutSummary } from "./fanout";
import { fmt, type ChartBar, type Target } from "./report";
import type { ReqRepSummary } from "./reqrep";
import type { SlowSummary } from "./slow-consumers";

/** What the benchmarks that ran measured; a benchmark that did not run is absent. */
export interface Summaries {
  fanout?: FanoutSummary;
  cluster?: ClusterSummary;
  reqrep?: ReqRepSummary;
  slow?: SlowSummary;
  inProcess?: Record<string, Map<string, number>>;
}

export function judgeTargets({ fanout, cluster, reqrep, slow, inProcess }: Summaries): { targets: Target[]; bars: ChartBar[] } {
  const targets: Target[] = [];
  const bars: ChartBar[] = [];
  const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "–");
  const check = (value: number, ok: (value: number) => boolean) => (Number.isFinite(value) ? ok(value) : undefined);

  if (fanout?.[1000]) {
    const flood = fanout[1000].flood;
    const paced = fanout[1000].paced;
    const ours = flood.ours!;
    const io = flood.socketio!;
    const corked = flood["ws-corked"]!;
    const cpuVsIo = ours.cpuPerDelivery / io.cpuPerDelivery;
    const cpuVsCorked = ours.cpuPerDelivery / corked.cpuPerDelivery;
    const rateVsIo = ours.deliveriesPerSecond / io.deliveriesPerSecond;
    const p99VsIo = paced.ours!.p99 / paced.socketio!.p99;
    const lost = Math.max(...Object.values(fanout).flatMap((byMode) => [byMode.flood.ours?.lost ?? NaN, byMode.paced.ours?.lost ?? NaN]));
    targets.push(
      { benchmark: "fan-out 1,000, flood", target: "server CPU/delivery ≤ 0.5 × Socket.IO's", measured: `${fmt.us(ours.cpuPerDelivery)} vs ${fmt.us(io.cpuPerDelivery)} = ${x(cpuVsIo)}`, met: check(cpuVsIo, (v) => v <= 0.5) },
      { benchmark: "fan-out 1,000, flood", target: "server CPU/delivery ≤ 1.3 × corked raw ws", measured: `${fmt.us(ours.cpuPerDelivery)} vs ${fmt.us(corked.cpuPerDelivery)} = ${x(cpuVsCorked)}`, met: check(cpuVsCorked, (v) => v <= 1.3) },
      { benchmark: "fan-out 1,000, flood", target: "deliveries/s ≥ 2 × Socket.IO's", measured: `${fmt.rate(ours.deliveriesPerSecond)} vs ${fmt.rate(io.deliveriesPerSecond)} = ${x(rateVsIo)}`, met: check(rateVsIo, (v) => v >= 2) },
      { benchmark: "fan-out 1,000, paced", target: "p99 latency ≤ Socket.IO's", measured: `${fmt.ms(paced.ours!.p99)} vs ${fmt.ms(paced.socketio!.p99)} = ${x(p99VsIo)}`, met: check(p99VsIo, (v) => v <= 1) },
      { benchmark: "fan-out, every N and mode", target: "zero loss (ours)", measured: `worst round: ${Number.isFinite(lost) ? lost : "–"} lost`, met: check(lost, (v) => v === 0) },
    );
    bars.push(
      { label: "fan-out 1k flood: CPU/delivery, Socket.IO ÷ ours", value: 1 / cpuVsIo, target: 2 },
      { label: "fan-out 1k flood: CPU/delivery, corked ws ÷ ours", value: 1 / cpuVsCorked, target: 1 / 1.3 },
      { label: "fan-out 1k flood: CPU/delivery, naive ws ÷ ours", value: ours.cpuPerDelivery > 0 ? flood["ws-naive"]!.cpuPerDelivery / ours.cpuPerDelivery : NaN },
      { label: "fan-out 1k flood: deliveries/s, ours ÷ Socket.IO", value: rateVsIo, target: 2 },
      { label: "fan-out 1k paced: p99, Socket.IO ÷ ours", value: 1 / p99VsIo, target: 1 },
    );
  }
  if (fanout?.[100]) {
    const flood = fanout[100].flood;
    bars.push({ label: "fan-out 100 flood: CPU/delivery, Socket.IO ÷ ours", value: flood.socketio!.cpuPerDelivery / flood.ours!.cpuPerDelivery });
  }
  if (cluster?.flood.ours && cluster.flood.socketio) {
    const { ours, socketio } = cluster.flood;
    const lost = Math.max(cluster.flood.ours.lost, cluster.paced.ours?.lost ?? Number.NaN);
    targets.push({ benchmark: "fan-out, two instances on Redis (issue 6)", target: "zero loss (ours), side by side with @socket.io/redis-adapter", measured: `worst round: ${Number.isFinite(lost) ? lost : "–"} lost; flood ${fmt.rate(ours.deliveriesPerSecond)} vs ${fmt.rate(socketio.deliveriesPerSecond)} = ${x(ours.deliveriesPerSecond / socketio.deliveriesPerSecond)}`, met: check(lost, (v) => v === 0) });
    bars.push({ label: "2 instances flood: deliveries/s, ours ÷ Socket.IO", value: ours.deliveriesPerSecond / socketio.deliveriesPerSecond });
  }
  if (slow?.ours) {
    const stalled = slow.ours[50];
    const baseline = slow.ours[0];
    const worstGrowth = Math.max(...Object.entries(slow.ours).filter(([count]) => Number(count) > 0).map(([, m]) => m.rssGrowth));
    if (stalled && baseline) {
      const pingRatio = stalled.pingP50 / baseline.pingP50;
      targets.push(
        {
          benchmark: "slow consumers",
          target: "server RSS growth < 32 MB whatever the number of stalled clients",
          measured: Object.entries(slow.ours).filter(([count]) => Number(count) > 0).map(([count, m]) => `${count} stalled: +${fmt.mb(m.rssGrowth)}`).join(", "),
          met: check(worstGrowth, (v) => v < 32 * 1048576),
        },
        { benchmark: "slow consumers", target: "the normal client receives everything", measured: `${stalled.received} / ${stalled.expected} (worst round)`, met: check(stalled.received, (v) => v === stalled.expected) },
        { benchmark: "slow consumers", target: "normal client's ping p50 ≤ 2 × the run without stalled clients", measured: `${fmt.ms(stalled.pingP50)} vs ${fmt.ms(baseline.pingP50)} = ${x(pingRatio)}`, met: check(pingRatio, (v) => v <= 2) },
      );
      bars.push({ label: "slow: ping p50 without ÷ with 50 stalled (ours)", value: 1 / pingRatio, target: 0.5 });
    }
    for (const peer of ["ws-naive", "socketio"] as const) {
      const value = slow[peer]?.[50];
      if (value && stalled) bars.push({ label: `slow: RSS growth, ${peer === "socketio" ? "Socket.IO" : "naive ws"} ÷ ours`, value: value.rssGrowth / Math.max(stalled.rssGrowth, 1048576) });
    }
  }
  if (reqrep?.[100]) {
    const row = reqrep[100];
    const library = row["ours-browser"]!.perSecond / row["socketio-library"]!.perSecond;
    const node = row["ours-node"]!.perSecond / row["socketio-library"]!.perSecond;
    const rawRatio = row["ours-raw"]!.perSecond / row["socketio-raw"]!.perSecond;
    targets.push(
      { benchmark: "request/reply, 100 in flight", target: "round trips/s ≥ 1.2 × Socket.IO's (client libraries: browser-like EventManager, one write per frame, vs socket.io-client emitWithAck, which does not cork either)", measured: `${fmt.rate(row["ours-browser"]!.perSecond)} vs ${fmt.rate(row["socketio-library"]!.perSecond)} = ${x(library)} (EventManager in Node, corked writes: ${fmt.rate(row["ours-node"]!.perSecond)} = ${x(node)})`, met: check(library, (v) => v >= 1.2) },
      { benchmark: "request/reply, 100 in flight", target: "round trips/s ≥ 1.2 × Socket.IO's (raw frames on both)", measured: `${fmt.rate(row["ours-raw"]!.perSecond)} vs ${fmt.rate(row["socketio-raw"]!.perSecond)} = ${x(rawRatio)}`, met: check(rawRatio, (v) => v >= 1.2) },
    );
    bars.push(
      { label: "req/rep 100: EventManager browser-like ÷ socket.io-client", value: library, target: 1.2 },
      { label: "req/rep 100: EventManager Node (corked) ÷ socket.io-client", value: node },
      { label: "req/rep 100: ours raw ÷ Socket.IO raw", value: rawRatio, target: 1.2 },
      { label: "req/rep 100: ours raw ÷ raw ws echo", value: row["ours-raw"]!.perSecond / row["ws-raw"]!.perSecond },
    );
  }
  if (inProcess) {
    const one = inProcess.one!;
    const emittery = one.get("emittery.emit (awaited)")!;
    const internal = one.get("webfluid trigger, internal (awaited)")! / emittery;
    const pub = one.get("webfluid trigger, public (awaited)")! / emittery;
    targets.push({ benchmark: "in-process, 1 handler", target: "trigger (awaited) ≥ 2 × emittery", measured: `internal event ${x(internal)}, public event ${x(pub)} (${fmt.rate(one.get("webfluid trigger, internal (awaited)")!)} vs ${fmt.rate(emittery)})`, met: check(Math.min(internal, pub), (v) => v >= 2) });
    bars.push({ label: "in-process 1 handler: trigger ÷ emittery (internal)", value: internal, target: 2 });
  }
  return { targets, bars };
}
