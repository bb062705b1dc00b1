import { connect, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface TcpProxy {
  port: number;
  /** Destroys every connection passing through: a network cut, as both ends see it. */
  cut(): void;
  /** While true, new connections are dropped at once (the network stays down). */
  refuse(refusing: boolean): void;
  /** Sends new connections to another port (a load balancer switching instances). */
  retarget(port: number): void;
  close(): Promise<void>;
}

/** A transparent TCP proxy to 127.0.0.1:`targetPort`, so a test can cut connections without touching the server. */
export async function startTcpProxy(initialTargetPort: number): Promise<TcpProxy> {
  let targetPort = initialTargetPort;
  const pairs = new Set<[Socket, Socket]>();
  let refusing = false;
  const server = createServer((inbound) => {
    if (refusing) return void inbound.destroy();
    const outbound = connect(targetPort, "127.0.0.1");
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    inbound.pipe(outbound).pipe(inbound);
    const forget = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on("error", forget).on("close", forget);
    outbound.on("error", forget).on("close", forget);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const cut = (): void => {
    for (const [inbound, outbound] of pairs) {
      inbound.destroy();
      outbound.destroy();
    }
    pairs.clear();
  };
  return {
    port: (server.address() as AddressInfo).port,
    cut,
    refuse(value) {
      refusing = value;
    },
    retarget(port) {
      targetPort = port;
    },
    close() {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
