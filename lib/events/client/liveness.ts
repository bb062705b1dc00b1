/** Watches one welcomed socket for silence. */
export interface Liveness {
  /** Starts watching a freshly welcomed socket. A heartbeat of 0 (or nonsense) turns watching off. */
  start(heartbeatMs: number): void;
  /** Any frame from the server: the connection is alive. */
  heard(): void;
  stop(): void;
}

/**
 * Notices a dead connection. A socket whose peer vanished (laptop lid, NAT timeout, a proxy that
 * swallowed the FIN) can look open for minutes; only silence gives it away. The server writes at
 * least every `heartbeat` ms to a live client — its WebSocket pings are invisible to browser code,
 * so the client asks instead: after `heartbeat` ms of silence it calls `probe` (which sends a
 * `ping` op), and when no frame at all arrives within another heartbeat (at most `maxPongWaitMs`),
 * it calls `dead`.
 *
 * One timer, re-armed for the remaining time, rather than a reset per frame: a busy stream would
 * otherwise clear and create a timer for every event.
 */
export function createLiveness(probe: () => void, dead: () => void, maxPongWaitMs: number): Liveness {
  let heartbeat = 0;
  let lastHeard = 0;
  let probeSentAt: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const arm = (ms: number): void => void (timer = setTimeout(check, Math.max(ms, 1)));

  function check(): void {
    const now = Date.now();
    const answerWait = Math.min(heartbeat, maxPongWaitMs);
    if (probeSentAt !== undefined && lastHeard < probeSentAt) {
      const waited = now - probeSentAt;
      return waited >= answerWait ? dead() : arm(answerWait - waited);
    }
    probeSentAt = undefined;
    const silent = now - lastHeard;
    if (silent < heartbeat) return arm(heartbeat - silent);
    probeSentAt = now;
    arm(answerWait);
    probe();
  }

  const liveness: Liveness = {
    start(heartbeatMs) {
      liveness.stop();
      if (!Number.isFinite(heartbeatMs) || heartbeatMs <= 0) return;
      heartbeat = heartbeatMs;
      lastHeard = Date.now();
      arm(heartbeatMs);
    },
    heard() {
      lastHeard = Date.now();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
      probeSentAt = undefined;
    },
  };
  return liveness;
}
