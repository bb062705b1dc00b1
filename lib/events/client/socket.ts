/**
 * The part of the WebSocket API the client uses. The browser's WebSocket and the `ws` package's
 * both satisfy it, so one client runs in pages, in Node tests and in the benchmarks.
 */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: SocketHandler<unknown> | null;
  onmessage: SocketHandler<{ data: unknown }> | null;
  onclose: SocketHandler<{ code: number; reason: string }> | null;
  onerror: SocketHandler<unknown> | null;
}

/**
 * A handler whose event parameter is compared bivariantly (the method-signature trick React's
 * types use): the DOM's and `ws`'s sockets declare different event classes, and both must fit.
 */
type SocketHandler<E> = { handle(event: E): void }["handle"];

/** A constructor compatible with the browser's `WebSocket` (the `ws` package's `WebSocket` is one). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => SocketLike;

/** Opens a socket some other way (custom headers in Node, a test double). */
export type CreateSocket = (url: string, protocols: string[]) => SocketLike;

const IGNORE = (): void => {};

/** Points every handler of a socket we are done with at a no-op. */
export function detachSocket(socket: SocketLike): void {
  // No-ops rather than null: a `ws` socket with no error listener throws on its next error event.
  socket.onopen = IGNORE;
  socket.onmessage = IGNORE;
  socket.onclose = IGNORE;
  socket.onerror = IGNORE;
}

/**
 * Ends a socket without waiting for its close handshake. A peer that stopped answering would keep a
 * closing `ws` socket alive for its 30 s close timeout, so `terminate()` is used where it exists.
 */
export function discardSocket(socket: SocketLike): void {
  detachSocket(socket);
  try {
    const terminate = (socket as { terminate?: () => void }).terminate;
    if (typeof terminate === "function") terminate.call(socket);
    else socket.close(1000);
  } catch {
    // Closing a socket that is still connecting may throw in some runtimes; it is gone either way.
  }
}
