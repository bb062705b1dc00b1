/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. from `npm run bench -- --only fanout --profile /tmp/prof`):
 * the top functions by self time, and self time grouped by where it is spent (write system calls
 * and other native stream work, JSON, our library, ws, Socket.IO, Node internals, GC, idle).
 *
 * Run: `node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top 25]`
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  top: { name: string; where: string; selfMs: number; selfShare: number; totalMs: number }[];
  groups: { group: string; selfMs: number; share: number }[];
}

/** Where a frame's self time belongs. */
function groupOf(frame: ProfileNode["callFrame"]): string {
  const { functionName: name, url } = frame;
  if (name === "(idle)") return "idle";
  if (name === "(garbage collector)") return "GC";
  if (name === "(program)") return "V8/runtime (program)";
  if (url === "" && /^(writev|writeBuffer|writeUtf8String|writeLatin1String|writeAsciiString|writeUcs2String|shutdown)$/.test(name)) return "socket write (system call)";
  if (url === "" && /^(stringify|parse)$/.test(name)) return "JSON (native)";
  if (url.includes("/lib/events/")) return "our library (lib/events)";
  if (url.includes("/node_modules/ws/")) return "ws";
  if (/\/node_modules\/(socket\.io|engine\.io|socket\.io-adapter|socket\.io-parser)/.test(url)) return "Socket.IO / Engine.IO";
  if (url.includes("/bench/")) return "benchmark driver";
  if (url.startsWith("node:internal/streams") || url.startsWith("node:net") || url.startsWith("node:internal/stream_base")) return "node streams / net";
  if (url.startsWith("node:")) return "node internals (other)";
  if (url === "") return `native (other)`;
  return "other JS";
}

export function summariseProfile(path: string, topN = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  // Inclusive time per node, then per function (a function counted once per path: recursion is rare here).
  const inclusive = new Map<number, number>();
  const visit = (id: number): number => {
    const node = byId.get(id)!;
    let sum = self.get(id) ?? 0;
    for (const child of node.children ?? []) sum += visit(child);
    inclusive.set(id, sum);
    return sum;
  };
  visit(profile.nodes[0]!.id);
  const key = (frame: ProfileNode["callFrame"]) => `${frame.functionName || "(anonymous)"}\u0000${frame.url.replace(/^.*\/work\/main\//, "").replace(/^file:\/\//, "")}:${frame.lineNumber + 1}`;
  const selfByFn = new Map<string, number>();
  const totalByFn = new Map<string, number>();
  const groups = new Map<string, number>();
  for (const node of profile.nodes) {
    const k = key(node.callFrame);
    const s = self.get(node.id) ?? 0;
    selfByFn.set(k, (selfByFn.get(k) ?? 0) + s);
    totalByFn.set(k, (totalByFn.get(k) ?? 0) + (inclusive.get(node.id) ?? 0));
    const group = groupOf(node.callFrame);
    groups.set(group, (groups.get(group) ?? 0) + s);
  }
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const busyUs = totalUs - (groups.get("idle") ?? 0);
  const top = [...selfByFn]
    .filter(([k]) => !k.startsWith("(idle)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([k, s]) => {
      const [name, where] = k.split("\u0000") as [string, string];
      return { name, where, selfMs: s / 1000, selfShare: s / busyUs, totalMs: (totalByFn.get(k) ?? 0) / 1000 };
    });
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    top,
    groups: [...groups].filter(([group]) => group !== "idle").sort((a, b) => b[1] - a[1]).map(([group, s]) => ({ group, selfMs: s / 1000, share: s / busyUs })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top 25]");
  const topIndex = process.argv.indexOf("--top");
  const summary = summariseProfile(file, topIndex > 0 ? Number(process.argv[topIndex + 1]) : 25);
  console.log(`${file}: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms busy (not idle)\n`);
  console.log("self time by group (share of busy time):");
  for (const group of summary.groups) console.log(`  ${(group.share * 100).toFixed(1).padStart(5)}%  ${group.selfMs.toFixed(0).padStart(6)} ms  ${group.group}`);
  console.log("\ntop functions by self time:");
  for (const fn of summary.top) console.log(`  ${(fn.selfShare * 100).toFixed(1).padStart(5)}%  ${fn.selfMs.toFixed(1).padStart(8)} ms self  ${fn.totalMs.toFixed(0).padStart(6)} ms total  ${fn.name}  ${fn.where}`);
}
