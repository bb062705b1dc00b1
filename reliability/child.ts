/**
 * The soak's load runs in child processes, with the benchmarks' command protocol
 * (bench/net/rpc.ts): every call bounded by a timeout, a child that dies fails its calls.
 */
import { fileURLToPath } from "node:url";
import { Child } from "../bench/net/rpc";

export { serve } from "../bench/net/rpc";

/** Forks `script`, a file of this folder (e.g. "soak-clients.ts"). */
export function startChild(script: string, label: string): Child {
  return new Child(fileURLToPath(new URL(script, import.meta.url)), {
    label,
    // The clients' ledgers of a ten-minute run need more than the default heap.
    execArgv: ["--max-old-space-size=1024"],
  });
}
