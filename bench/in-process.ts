/**
 * In-process throughput: our `trigger` (awaited) and `listen` next to Node's EventEmitter,
 * mitt (both synchronous) and emittery (awaited), with 1 and 10 handlers.
 * Rounds are interleaved so that every contender sees the same machine state.
 *
 * Run: `node --import tsx bench/in-process.ts [--rounds 5] [--ms 400]`
 */
import { EventEmitter } from "node:events";
import Emittery from "emittery";
import mitt from "mitt";
import { EventBus } from "../lib/events/core/bus";
import { silentLogger } from "../lib/events/core/logger";
import { formatRate, median, printTable, spreadPercent } from "./stats";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const ROUNDS = Number(args.get("rounds") ?? 5);
const ROUND_MS = Number(args.get("ms") ?? 400);
const MAX_OPS = 50_000_000;

interface Contender {
  name: string;
  handlers: number;
  /** Runs `count` operations. */
  run(count: number): Promise<void> | void;
}

const payload = { id: 1, value: "a model" };
let sink = 0;
const handler = (data: unknown) => {
  sink += (data as typeof payload).id;
};

function contenders(handlers: number): Contender[] {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const mittBus = mitt<{ created: typeof payload }>();
  const emittery = new Emittery<{ created: typeof payload }>();
  const internalBus = new EventBus({ logger: silentLogger });
  const publicBus = new EventBus({ logger: silentLogger, historySize: 100 });
  internalBus.createSignal("model:created");
  publicBus.createSignal("model:created", { internal: false });
  for (let i = 0; i < handlers; i++) {
    // Distinct keys: the same source text would otherwise count as one handler.
    emitter.on("created", handler);
    mittBus.on("created", handler);
    emittery.on("created", handler);
    internalBus.event("model:created", handler, { key: `h${i}` });
    publicBus.event("model:created", handler, { key: `h${i}` });
  }
  return [
    { name: "EventEmitter.emit (sync)", handlers, run: (n) => { for (let i = 0; i < n; i++) emitter.emit("created", payload); } },
    { name: "mitt.emit (sync)", handlers, run: (n) => { for (let i = 0; i < n; i++) mittBus.emit("created", payload); } },
    { name: "emittery.emit (awaited)", handlers, run: async (n) => { for (let i = 0; i < n; i++) await emittery.emit("created", payload); } },
    { name: "webfluid trigger, internal (awaited)", handlers, run: async (n) => { for (let i = 0; i < n; i++) await internalBus.trigger("model:created", payload); } },
    { name: "webfluid trigger, public (awaited)", handlers, run: async (n) => { for (let i = 0; i < n; i++) await publicBus.trigger("model:created", payload); } },
  ];
}

function listenContenders(): Contender[] {
  const bus = new EventBus({ logger: silentLogger, queueSize: 64 });
  bus.createSignal("tick");
  const emittery = new Emittery<{ tick: number }>();
  return [
    {
      name: "emittery.events() iterator",
      handlers: 1,
      run: async (n) => {
        const iterator = emittery.events("tick");
        const consumer = (async () => {
          let seen = 0;
          for await (const _ of iterator) if (++seen === n) break;
        })();
        for (let i = 0; i < n; i++) await emittery.emit("tick", i);
        await consumer;
      },
    },
    {
      name: "webfluid listen() iterator",
      handlers: 1,
      run: async (n) => {
        const stream = bus.listen("tick", { overflow: "block" });
        const consumer = (async () => {
          let seen = 0;
          for await (const _ of stream) if (++seen === n) break;
        })();
        for (let i = 0; i < n; i++) await bus.trigger("tick", i);
        await consumer;
      },
    },
  ];
}

/** Operations per second over one round of about ROUND_MS. */
async function measure(contender: Contender): Promise<number> {
  let batch = 1000;
  let done = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ROUND_MS && done < MAX_OPS) {
    await contender.run(batch);
    done += batch;
    elapsed = performance.now() - started;
    if (elapsed < ROUND_MS / 10) batch *= 2;
  }
  return (done / elapsed) * 1000;
}

async function suite(title: string, list: Contender[]): Promise<Map<string, number>> {
  const results = new Map<string, number[]>(list.map((contender) => [contender.name, []]));
  for (const contender of list) await contender.run(2000); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const contender of list) results.get(contender.name)!.push(await measure(contender));
  }
  console.log(`\n${title}`);
  const medians = new Map([...results].map(([name, values]) => [name, median(values)]));
  printTable(
    ["contender", "median", "spread"],
    [...results].map(([name, values]) => [name, formatRate(median(values)), `±${(spreadPercent(values) / 2).toFixed(0)}%`]),
  );
  return medians;
}

function ratios(medians: Map<string, number>, ours: string, peers: string[]): void {
  const mine = medians.get(ours)!;
  for (const peer of peers) console.log(`  ${ours} / ${peer}: ${(mine / medians.get(peer)!).toFixed(2)}×`);
}

export async function runInProcess(): Promise<Record<string, Map<string, number>>> {
  console.log(`In-process throughput, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms (node ${process.version})`);
  const one = await suite("1 handler", contenders(1));
  ratios(one, "webfluid trigger, internal (awaited)", ["emittery.emit (awaited)", "EventEmitter.emit (sync)", "mitt.emit (sync)"]);
  ratios(one, "webfluid trigger, public (awaited)", ["emittery.emit (awaited)"]);
  const ten = await suite("10 handlers", contenders(10));
  ratios(ten, "webfluid trigger, internal (awaited)", ["emittery.emit (awaited)", "EventEmitter.emit (sync)"]);
  const listen = await suite("async iteration (1 consumer)", listenContenders());
  ratios(listen, "webfluid listen() iterator", ["emittery.events() iterator"]);
  if (sink === -1) console.log(sink); // keeps the handlers' work observable
  return { one, ten, listen };
}

if (import.meta.url === `file://${process.argv[1]}`) await runInProcess();
