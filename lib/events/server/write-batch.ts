import type { Socket } from "node:net";

/**
 * Batches each socket's writes within one turn of the event loop. A socket's first frame of the
 * turn leaves at once (a lone event, the common case, is not held back behind the writes to every
 * other client); from its second frame on the socket is corked, and one scheduled pass uncorks
 * every corked socket, so a burst leaves in two system calls per socket instead of one per frame
 * (the dominant cost of fan-out).
 */
export class WriteBatch {
  #wroteThisTurn = new Set<Socket>();
  #corked: Socket[] = [];
  #scheduled = false;
  #flush = (): void => {
    this.#scheduled = false;
    this.#wroteThisTurn.clear();
    const sockets = this.#corked;
    this.#corked = [];
    for (const socket of sockets) if (socket.writableCorked > 0) socket.uncork();
  };

  /** Called before each write to `socket`: corks it from its second write of this turn to the end of the turn. */
  hold(socket: Socket): void {
    if (socket.writableCorked > 0) return;
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flush);
    }
    if (!this.#wroteThisTurn.has(socket)) {
      this.#wroteThisTurn.add(socket);
      return;
    }
    socket.cork();
    this.#corked.push(socket);
  }

  /** Uncorks now: a socket's batch grew past its bound within one turn. */
  release(socket: Socket): void {
    while (socket.writableCorked > 0) socket.uncork();
  }
}
