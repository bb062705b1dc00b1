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

/** The stream under a `ws` socket in Node: corking it holds writes until it is uncorked. */
interface CorkableStream {
  cork(): void;
  uncork(): void;
}
/** Frames sent per corked stream in this turn. */
const corkedStreams = new WeakMap<CorkableStream, number>();
/** Measured with 100 requests in flight: 4 → 116k/s, 16 → 125k/s, 32 → 117k/s, everything in one write → 84k/s (client and server take turns). */
const FRAMES_PER_WRITE = 16;

/**
 * Sends one frame. In Node, `ws` writes every frame with a system call of its own: at 100 requests
 * in flight that was more than half of the client's CPU. So the TCP stream under a `ws` socket is
 * corked while a turn sends, and frames leave in writes of FRAMES_PER_WRITE: few system calls, and
 * still a steady stream the server can work on while this side reads its answers. Browsers batch
 * their own writes and expose no stream: there this is a plain `send`.
 */
export function sendFrame(socket: SocketLike, text: string): void {
  const stream = (socket as { _socket?: Partial<CorkableStream> | null })._socket;
  const nextTick = globalThis.process?.nextTick;
  if (!stream || typeof stream.cork !== "function" || typeof stream.uncork !== "function" || typeof nextTick !== "function") return socket.send(text);
  const corkable = stream as CorkableStream;
  const sent = corkedStreams.get(corkable);
  if (sent === undefined) {
    corkable.cork();
    corkedStreams.set(corkable, 1);
    // A tick runs after every microtask of this turn: after every op its promises' continuations send.
    nextTick(() => {
      corkedStreams.delete(corkable);
      corkable.uncork();
    });
  } else if (sent >= FRAMES_PER_WRITE) {
    corkable.uncork();
    corkable.cork();
    corkedStreams.set(corkable, 1);
  } else corkedStreams.set(corkable, sent + 1);
  socket.send(text);
}
