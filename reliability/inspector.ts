/**
 * A minimal Chrome DevTools Protocol client for the server process the soak starts with
 * `--inspect=127.0.0.1:0 --expose-gc`: it forces full garbage collections, so that the live heap can
 * be read without V8's sawtooth.
 */
import { WebSocket } from "ws";

/** The inspector's WebSocket URL from the lines a node process printed ("Debugger listening on ws://…"). */
export function inspectorUrl(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    const match = /Debugger listening on (ws:\/\/\S+)/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

export class Inspector {
  #socket: WebSocket;
  #nextId = 1;
  #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      const pending = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id!);
      if (message.error) pending.reject(new Error(message.error.message));
      else pending.resolve(message.result);
    });
    socket.on("close", () => {
      for (const pending of this.#pending.values()) pending.reject(new Error("the inspector closed"));
      this.#pending.clear();
    });
  }

  static connect(url: string, timeoutMs = 5_000): Promise<Inspector> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      const timer = setTimeout(() => (socket.terminate(), reject(new Error(`no inspector at ${url}`))), timeoutMs);
      socket.once("open", () => (clearTimeout(timer), resolve(new Inspector(socket))));
      socket.once("error", (error) => (clearTimeout(timer), reject(error)));
    });
  }

  call<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: (value) => (clearTimeout(timer), resolve(value as T)), reject: (error) => (clearTimeout(timer), reject(error)) });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /**
   * A full collection, then the process's memory, in one synchronous expression so that nothing is
   * allocated in between. Needs the server started with `--expose-gc` (for `gc()`).
   */
  async liveMemory(): Promise<{ heapUsed: number; rss: number }> {
    const expression = "(() => { globalThis.gc(); return JSON.stringify(process.memoryUsage()); })()";
    const { result, exceptionDetails } = await this.call<{ result: { value?: string }; exceptionDetails?: { text: string } }>("Runtime.evaluate", { expression, returnByValue: true });
    if (exceptionDetails || typeof result.value !== "string") throw new Error(`evaluating gc() failed: ${exceptionDetails?.text ?? "no value"}`);
    const { heapUsed, rss } = JSON.parse(result.value) as { heapUsed: number; rss: number };
    return { heapUsed, rss };
  }

  close(): void {
    this.#socket.close();
  }
}
