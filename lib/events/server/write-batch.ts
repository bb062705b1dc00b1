import type { Socket } from "node:net";

/**
 * Batches each socket's writes within one turn of the event loop: the first write corks the
 * socket, and one scheduled pass uncorks every corked socket, so a burst of frames leaves in
 * one system call per socket instead of one per frame (the dominant cost of fan-out).
 */
export class WriteBatch {
  #corked: Socket[] = [];
  #scheduled = false;
  #flush = (): void => {
    this.#scheduled = false;
    const sockets = this.#corked;
    this.#corked = [];
    for (const socket of sockets) if (socket.writableCorked > 0) socket.uncork();
  };

  /** Corks `socket` until the end of this turn (once per turn). */
  hold(socket: Socket): void {
    if (socket.writableCorked > 0) return;
    socket.cork();
    this.#corked.push(socket);
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flush);
    }
  }

  /** Uncorks now: a socket's batch grew past its bound within one turn. */
  release(socket: Socket): void {
    while (socket.writableCorked > 0) socket.uncork();
  }
}
