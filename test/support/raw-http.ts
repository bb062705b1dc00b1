import { connect, type Socket } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Whether the server closed the socket (rather than the client giving up). */
  closedByServer: boolean;
}

/**
 * Sends raw request bytes on a fresh socket and reads until the server closes it or `timeoutMs`
 * passes. Unlike fetch, it sends exactly what it is given (an `Upgrade` to any path, a forged
 * `Host`) and never closes its own side first: a server that leaves the socket open shows here.
 */
export function rawRequest(port: number, request: string, options: { localAddress?: string; timeoutMs?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ port, host: "127.0.0.1", localAddress: options.localAddress });
    const chunks: Buffer[] = [];
    let closedByServer = false;
    const timer = setTimeout(() => socket.destroy(), options.timeoutMs ?? 2_000);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => (closedByServer = true));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNRESET") closedByServer = true;
      else reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(parse(Buffer.concat(chunks).toString("latin1"), closedByServer));
    });
    socket.write(request);
  });
}

/** An upgrade request for `path`, with `headers` added (e.g. a forged Host or Origin). */
export function upgradeRequest(path: string, host: string, headers: Record<string, string> = {}): string {
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: ${host}`,
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

function parse(text: string, closedByServer: boolean): RawResponse {
  const [head = "", ...rest] = text.split("\r\n\r\n");
  const [statusLine = "", ...headerLines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(" ")[1] ?? 0), headers, body: rest.join("\r\n\r\n"), closedByServer };
}

/** The file descriptors a process holds (Linux). */
export function openDescriptors(pid: number): Promise<number> {
  return import("node:fs/promises").then(({ readdir }) => readdir(`/proc/${pid}/fd`).then((entries) => entries.length));
}
