/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0. A second signal, or a stop that takes
 * longer than `timeoutMs`, exits at once with 1: a stuck shutdown must not hang a deploy.
 */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>, timeoutMs = 10_000): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    setTimeout(() => process.exit(1), timeoutMs).unref();
    stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}
