/**
 * What the one bus channel costs: every event of the cluster reaches every instance, whether or
 * not anyone there subscribed. A private Redis; --instances listener processes (a bus on the
 * Redis adapter, the event declared, no subscriber); one publisher process triggering --rate
 * events/s for --seconds. Measured: each listener's CPU per bus message (work done for nobody),
 * the publisher's CPU per event, and Redis's CPU per event (INFO cpu: the id script, the stream,
 * PUBLISH to every instance).
 *
 *   node --import tsx bench/channel-cost.ts [--instances 4] [--rate 2000] [--seconds 15]
 */
import { fork } from "node:child_process";
import { Redis } from "ioredis";
import { RedisAdapter } from "../lib/events/adapters/redis";
import { EventBus } from "../lib/events/core/bus";
import { silentLogger } from "../lib/events/core/logger";
import { machine, machineLoad, parseFlags, sleep } from "../reliability/common";
import { startTestRedis } from "../test/support/redis-server";

const EVENT = "model:created";
const role = process.env.CHANNEL_ROLE;

if (role) await child(role, process.env.CHANNEL_REDIS!);
else await main();

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { instances: "number", rate: "number", seconds: "number" }, "usage: node --import tsx bench/channel-cost.ts [--instances 4] [--rate 2000] [--seconds 15]");
  const instances = (flags.instances as number | undefined) ?? 4;
  const rate = (flags.rate as number | undefined) ?? 2_000;
  const seconds = (flags.seconds as number | undefined) ?? 15;
  console.log(`Channel cost — ${machine()}\n  ${machineLoad().uptime}`);
  const redis = await startTestRedis();
  const admin = new Redis(redis.url);
  const start = (name: string, extra: Record<string, string> = {}) => {
    const process_ = fork(new URL(import.meta.url).pathname, [], { execArgv: ["--import", "tsx"], env: { ...process.env, CHANNEL_ROLE: name, CHANNEL_REDIS: redis.url, ...extra }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    return { process: process_, ready: new Promise<void>((resolve) => process_.once("message", () => resolve())) };
  };
  try {
    const listeners = Array.from({ length: instances }, (_, index) => start(`listener-${index}`));
    await Promise.all(listeners.map((listener) => listener.ready));
    const publisher = start("publisher", { CHANNEL_RATE: String(rate), CHANNEL_SECONDS: String(seconds) });
    await publisher.ready;
    const redisCpu0 = await redisCpu(admin);
    for (const listener of listeners) listener.process.send("start");
    publisher.process.send("start");
    const published = await new Promise<{ events: number; cpuUs: number }>((resolve) => publisher.process.once("message", resolve as (value: unknown) => void));
    await sleep(1_000);
    const redisCpuUs = (await redisCpu(admin)) - redisCpu0;
    const heard = await Promise.all(
      listeners.map(
        (listener) =>
          new Promise<{ messages: number; cpuUs: number }>((resolve) => {
            listener.process.once("message", resolve as (value: unknown) => void);
            listener.process.send("report");
          }),
      ),
    );
    const perMessage = heard.map((listener) => listener.cpuUs / Math.max(1, listener.messages));
    const result = {
      instances,
      rate,
      seconds,
      events: published.events,
      publisherUsPerEvent: published.cpuUs / published.events,
      redisUsPerEvent: redisCpuUs / published.events,
      listenerUsPerMessage: perMessage,
      listenerMessages: heard.map((listener) => listener.messages),
    };
    console.log(JSON.stringify(result));
    for (const listener of listeners) listener.process.kill("SIGKILL");
    publisher.process.kill("SIGKILL");
  } finally {
    admin.disconnect();
    await redis.stop();
  }
}

/** Redis's CPU so far, µs (user + system, main thread and all). */
async function redisCpu(admin: Redis): Promise<number> {
  const info = await admin.info("cpu");
  const value = (key: string) => Number(new RegExp(`^${key}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
  return (value("used_cpu_user") + value("used_cpu_sys")) * 1e6;
}

async function child(name: string, url: string): Promise<void> {
  const bus = new EventBus({ logger: silentLogger, instance: name, historySize: 100 });
  bus.useAdapter(await RedisAdapter.connect({ url, instance: name, historySize: 100, logger: silentLogger }));
  bus.createSignal(EVENT, { internal: false });
  let messages = 0;
  // Counts what reaches this instance; nobody is subscribed, so nothing goes further.
  bus.attachSink({ deliver: () => (messages++, 0), gap: () => {} });
  while (bus.adapter.state !== "ready") await sleep(20);
  process.send!("ready");
  await new Promise<void>((resolve) => process.once("message", () => resolve()));
  const cpu0 = process.cpuUsage();
  if (name === "publisher") {
    const rate = Number(process.env.CHANNEL_RATE);
    const seconds = Number(process.env.CHANNEL_SECONDS);
    const started = performance.now();
    let sent = 0;
    const pending: Promise<unknown>[] = [];
    while (performance.now() - started < seconds * 1_000) {
      const due = Math.floor((rate * (performance.now() - started)) / 1_000);
      while (sent < due) pending.push(bus.trigger(EVENT, { id: ++sent, value: "x".repeat(64) }));
      await sleep(5);
    }
    await Promise.all(pending);
    const used = process.cpuUsage(cpu0);
    process.send!({ events: sent, cpuUs: used.user + used.system });
    return;
  }
  process.on("message", () => {
    const used = process.cpuUsage(cpu0);
    process.send!({ messages, cpuUs: used.user + used.system });
  });
}
