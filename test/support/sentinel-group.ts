import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { startTestRedis, type TestRedis } from "./redis-server";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";
import { waitFor } from "./wait-for";

export interface SentinelGroup {
  masterName: string;
  sentinels: { host: string; port: number }[];
  /** The servers by role as started; after a failover `replica` is the primary. */
  primary: TestRedis;
  replica: TestRedis;
  /** The address the Sentinels name as the primary now. */
  currentPrimary(): Promise<string>;
  /**
   * Cuts the replica off the primary and keeps it off (the primary goes on acknowledging writes
   * the replica never gets): what asynchronous replication loses when the primary dies next.
   */
  cutReplication(): void;
  stop(): Promise<void>;
}

export interface SentinelGroupOptions {
  /** How long a primary must be silent to be thought down. @default 1000 */
  downAfterMs?: number;
  /**
   * Also Sentinel's patience before it re-points a replica that follows another address (the
   * replica follows the primary through a proxy here, so that `cutReplication` can cut it).
   * @default 60000
   */
  failoverTimeoutMs?: number;
}

/**
 * A primary, one replica and three Sentinels (quorum 2) on free ports, each in a temporary
 * directory and keeping nothing on disk: what a highly available Redis looks like, for tests and
 * the chaos run. Resolves once every Sentinel knows the replica and the two other Sentinels, so
 * that a failover can start as soon as the primary dies. Sentinel is `redis-server --sentinel`
 * (Debian's `redis-sentinel` package only adds a service around the same binary).
 */
export async function startSentinelGroup(options: SentinelGroupOptions = {}): Promise<SentinelGroup> {
  const masterName = "wf-test";
  const dir = mkdtempSync(join(tmpdir(), "wf-sentinel-"));
  // A replica writes what it receives from the primary to disk (dump.rdb in its directory): keep it in the temporary one.
  const primary = await startTestRedis(["--dir", dir, "--dbfilename", "primary.rdb"]);
  const link: TcpProxy = await startTcpProxy(primary.port);
  const replica = await startTestRedis(["--dir", dir, "--dbfilename", "replica.rdb", "--replicaof", "127.0.0.1", String(link.port)]);
  const children: ChildProcess[] = [];
  const sentinels: { host: string; port: number }[] = [];
  const binary = redisServer();
  try {
    // The Sentinels learn of replicas from the primary's INFO, asked every 10 s: have the replica
    // in sync before they first ask, or the group waits for the second time.
    await waitFor(() => replicaInSync(primary.port), "the replica to sync with the primary", 20_000);
    for (let index = 0; index < 3; index++) {
      const port = await freePort();
      const file = join(dir, `sentinel-${index}.conf`);
      // Sentinel rewrites its file (what it learns: replicas, other Sentinels, the new primary).
      writeFileSync(
        file,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          "protected-mode no",
          `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 1_000}`,
          `sentinel failover-timeout ${masterName} ${options.failoverTimeoutMs ?? 60_000}`,
          `sentinel parallel-syncs ${masterName} 1`,
          "",
        ].join("\n"),
      );
      children.push(spawn(binary, [file, "--sentinel"], { stdio: "ignore" }));
      sentinels.push({ host: "127.0.0.1", port });
    }
    await waitFor(async () => (await Promise.all(sentinels.map((sentinel) => knowsEveryone(sentinel, masterName)))).every(Boolean), "every Sentinel to know the replica and the others", 20_000);
  } catch (error) {
    await stopAll(children, primary, replica, link, dir);
    throw error;
  }
  return {
    masterName,
    sentinels,
    primary,
    replica,
    async currentPrimary() {
      const client = new Redis({ ...sentinels[0]!, lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        await client.connect();
        const [host, port] = (await client.call("SENTINEL", "get-master-addr-by-name", masterName)) as [string, string];
        return `${host}:${port}`;
      } finally {
        client.disconnect();
      }
    },
    cutReplication() {
      link.refuse(true);
      link.cut();
    },
    stop: () => stopAll(children, primary, replica, link, dir),
  };
}

async function replicaInSync(port: number): Promise<boolean> {
  const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    return /^slave0:.*state=online/m.test(await client.info("replication"));
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Whether a Sentinel sees the primary with its replica and two other Sentinels. */
async function knowsEveryone(sentinel: { host: string; port: number }, masterName: string): Promise<boolean> {
  const client = new Redis({ ...sentinel, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    const fields = (await client.call("SENTINEL", "master", masterName)) as string[];
    const info = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) info.set(fields[i]!, fields[i + 1]!);
    return info.get("num-slaves") === "1" && info.get("num-other-sentinels") === "2" && !info.get("flags")?.includes("down");
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function stopAll(children: ChildProcess[], primary: TestRedis, replica: TestRedis, link: TcpProxy, dir: string): Promise<void> {
  await Promise.all(
    children.map((child) => {
      if (child.exitCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      return exited;
    }),
  );
  await primary.stop();
  await replica.stop();
  await link.close();
  rmSync(dir, { recursive: true, force: true });
}

function redisServer(): string {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).stdout.trim();
  if (!found) throw new Error("redis-server is not installed: Sentinel tests run `redis-server --sentinel`. Install Debian's package: `sudo apt-get install -y redis-server` (.ci/run does).");
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
