/**
 * The dashboard sessions that are signed in. A session cookie is honoured only while its id is
 * here: signing out removes it, so a copied cookie stops working at once. In memory (one
 * process: a restart signs everyone out) or in Redis (shared by every instance, and surviving
 * restarts).
 */
export interface SessionStore {
  add(id: string, expiresAt: number): Promise<void>;
  isLive(id: string): Promise<boolean>;
  revoke(id: string): Promise<void>;
  close(): Promise<void>;
}

/** Sessions one process keeps at most; the oldest go first (a sign-in needs the dashboard token). */
const MAX_SESSIONS = 10_000;

export class MemorySessionStore implements SessionStore {
  #sessions = new Map<string, number>();

  async add(id: string, expiresAt: number): Promise<void> {
    this.#purgeExpired(Date.now());
    if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    this.#sessions.set(id, expiresAt);
  }

  async isLive(id: string): Promise<boolean> {
    const expiresAt = this.#sessions.get(id);
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  async revoke(id: string): Promise<void> {
    this.#sessions.delete(id);
  }

  async close(): Promise<void> {}

  #purgeExpired(now: number): void {
    for (const [id, expiresAt] of this.#sessions) if (expiresAt <= now) this.#sessions.delete(id);
  }
}
