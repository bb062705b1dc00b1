import { ConfigError } from "@/lib/events";

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Where the server listens: `HOST` (not `HOSTNAME`, which shells preset to the machine's name)
 * and `PORT`; `PORT=0` picks a free port.
 */
export function listenAddress(env: Readonly<Record<string, string | undefined>> = process.env): ListenAddress {
  const host = env.HOST || "localhost";
  const rawPort = env.PORT ?? "3000";
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) {
    throw new ConfigError(`PORT = ${JSON.stringify(rawPort)} is not allowed: expected an integer from 0 to 65535`);
  }
  return { host, port };
}
