import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/** How long a refused socket may take to flush its response before it is destroyed anyway. */
const FLUSH_GRACE_MS = 1_000;

/**
 * Answers an upgrade request with a plain HTTP error and destroys the socket once the answer is
 * written. `socket.end()` alone is not enough: a peer that never closes its side would keep the
 * file descriptor (Node leaves half-closed upgrade sockets open), and a few thousand of those
 * exhaust the process.
 */
export function refuseUpgrade(socket: Duplex, status: number, message: string, headers: Record<string, string | number> = {}): void {
  if (socket.destroyed) return;
  socket.on("error", () => {}); // a peer that reset the connection must not crash the process
  const body = `${message}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
    "Connection: close",
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  const timer = setTimeout(() => socket.destroy(), FLUSH_GRACE_MS);
  timer.unref();
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`, () => {
    clearTimeout(timer);
    socket.destroy();
  });
}
