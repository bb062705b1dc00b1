/**
 * Resolves on the first Ctrl-C (SIGINT) or SIGTERM, with its name: how a live command is asked to
 * stop. Until then the signals are ours, so Node does not kill the process before it closes.
 */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
