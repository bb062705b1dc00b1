/**
 * A `ws` WebSocket behind the browser's WebSocket API and nothing else, for the request/reply
 * benchmark's browser-like EventManager.
 *
 * The client corks the TCP stream under a socket when it finds one (`socket._socket`, see
 * lib/events/client/socket.ts `sendFrame`), so from Node it writes 16 frames per system call.
 * A page cannot do that: its WebSocket exposes no stream. Behind this wrapper the `ws` socket sits
 * in a private field, so the client sees only `readyState`, `send`, `close` and the four `on…`
 * handlers, takes its plain-`send` path, and every frame leaves in a write of its own (`ws` writes
 * each frame as it is sent), as the page's would.
 */
import { WebSocket } from "ws";
import type { CreateSocket, SocketLike } from "../../lib/events/client";

export class BrowserLikeSocket implements SocketLike {
  readonly #ws: WebSocket;
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;

  constructor(url: string, protocols: string[]) {
    this.#ws = new WebSocket(url, protocols, { perMessageDeflate: false });
    // Text frames arrive as strings, as in a page (`ws` hands the EventTarget-style handlers strings for text).
    this.#ws.onopen = () => this.onopen?.({ type: "open" });
    this.#ws.onmessage = (event) => this.onmessage?.({ data: event.data });
    this.#ws.onclose = (event) => this.onclose?.({ code: event.code, reason: event.reason });
    this.#ws.onerror = (event) => this.onerror?.({ type: "error", message: event.message });
  }

  get readyState(): number {
    return this.#ws.readyState;
  }

  /** One frame, written now: no batching with the frames around it. */
  send(data: string): void {
    this.#ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
}

/** For `new EventManager({ createSocket: browserLikeSocket })`. */
export const browserLikeSocket: CreateSocket = (url, protocols) => new BrowserLikeSocket(url, protocols);
