import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HTTP_SOCKETS_PER_IP } from "@/lib/app-server/socket-guard";
import { startAppServer, type AppServer } from "@/test/support/app-server";
import { rawRequest, upgradeRequest } from "@/test/support/raw-http";

const DASHBOARD_TOKEN = "trust-proxy-dashboard-token";
/** The name the public reaches the app by: only a proxy says so, the socket's Host is 127.0.0.1. */
const PUBLIC = "events.example";

function signIn(server: AppServer, headers: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}/api/dashboard/session`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ token: DASHBOARD_TOKEN }),
  });
}

/** The attributes of the session cookie a response sets, in lower case ("secure", "httponly"…). */
function cookieAttributes(response: Response): string[] {
  const setCookie = response.headers.get("set-cookie") ?? "";
  return setCookie.split(";").slice(1).map((part) => part.trim().toLowerCase());
}

const upgrade = (server: AppServer, headers: Record<string, string>) => rawRequest(server.port, upgradeRequest("/ws/events", `127.0.0.1:${server.port}`, headers));

describe("EVENTS_TRUST_PROXY in production", () => {
  let direct: AppServer;
  let proxied: AppServer;
  beforeAll(async () => {
    const env = { EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN, EXT_EVENTS: "1" };
    [direct, proxied] = await Promise.all([startAppServer({ env }), startAppServer({ env: { ...env, EVENTS_TRUST_PROXY: "1" } })]);
  });
  afterAll(async () => {
    await Promise.all([direct?.stop(), proxied?.stop()]);
  });

  describe("off (the default)", () => {
    it("does not let a forged X-Forwarded-Host open /ws/events to another origin", async () => {
      const response = await upgrade(direct, { Origin: `https://${PUBLIC}`, "X-Forwarded-Host": PUBLIC, "X-Forwarded-Proto": "https" });
      expect(response.status).toBe(403);
      expect(response.body).toContain(`Origin https://${PUBLIC} may not open /ws/events`);
    });

    it("does not let a forged X-Forwarded-Host sign in from another origin", async () => {
      const response = await signIn(direct, { origin: `https://${PUBLIC}`, "x-forwarded-host": PUBLIC, "x-forwarded-proto": "https" });
      expect(response.status).toBe(403);
    });

    it("does not make the cookie Secure on a forged X-Forwarded-Proto: the request came over plain HTTP", async () => {
      const response = await signIn(direct, { origin: direct.url, "x-forwarded-proto": "https" });
      expect(response.status).toBe(200);
      expect(cookieAttributes(response)).toContain("httponly");
      expect(cookieAttributes(response)).not.toContain("secure");
    });
  });

  describe("on", () => {
    it("opens /ws/events to the public origin the proxy forwards, with no EVENTS_ALLOWED_ORIGINS", async () => {
      const response = await upgrade(proxied, { Origin: `https://${PUBLIC}`, "X-Forwarded-Host": PUBLIC, "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4" });
      expect(response.status).toBe(101);
    });

    it("still refuses an Origin that is not the forwarded host, and logs the client's address as the proxy saw it", async () => {
      const response = await upgrade(proxied, { Origin: "https://evil.example", "X-Forwarded-Host": PUBLIC, "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.9.9.9, 198.51.100.77" });
      expect(response.status).toBe(403);
      // The first refusal of a kind is logged in full (later ones in a window are summarised).
      const record = await proxied.waitForRecord((line) => line.reason === "origin");
      expect(record).toMatchObject({ address: "198.51.100.77", msg: "Refused a /ws/events upgrade" });
    });

    it("signs in from the public origin with a Secure cookie when the proxy says HTTPS", async () => {
      const response = await signIn(proxied, { origin: `https://${PUBLIC}`, "x-forwarded-host": PUBLIC, "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.5" });
      expect(response.status).toBe(200);
      expect(cookieAttributes(response)).toEqual(expect.arrayContaining(["secure", "httponly", "samesite=strict"]));
    });

    it("sets no Secure flag when the proxy says the client came over HTTP", async () => {
      const response = await signIn(proxied, { origin: `http://${PUBLIC}`, "x-forwarded-host": PUBLIC, "x-forwarded-proto": "http", "x-forwarded-for": "198.51.100.6" });
      expect(response.status).toBe(200);
      expect(cookieAttributes(response)).not.toContain("secure");
    });
  });

  describe("with EVENTS_ALLOWED_HOSTS", () => {
    let listedOff: AppServer;
    let listedOn: AppServer;
    beforeAll(async () => {
      const env = { EVENTS_ALLOWED_HOSTS: PUBLIC };
      [listedOff, listedOn] = await Promise.all([startAppServer({ env }), startAppServer({ env: { ...env, EVENTS_TRUST_PROXY: "1" } })]);
    });
    afterAll(async () => {
      await Promise.all([listedOff?.stop(), listedOn?.stop()]);
    });

    it("checks the Host header when off: a forged X-Forwarded-Host naming a listed host gets 403", async () => {
      const response = await fetch(`${listedOff.url}/demo`, { headers: { "x-forwarded-host": PUBLIC } });
      expect(response.status).toBe(403);
    });

    it("checks the forwarded host when on: the proxy's public name is served, another is refused", async () => {
      expect((await fetch(`${listedOn.url}/demo`, { headers: { "x-forwarded-host": PUBLIC, "x-forwarded-proto": "https" } })).status).toBe(200);
      expect((await fetch(`${listedOn.url}/demo`, { headers: { "x-forwarded-host": "evil.example" } })).status).toBe(403);
    });
  });

  describe("per-address limits", () => {
    let socketsOff: AppServer;
    let socketsOn: AppServer;
    const env = { EXT_EVENTS: "1", EVENTS_MAX_CONNECTIONS_PER_IP: "1" };
    beforeAll(async () => {
      [socketsOff, socketsOn] = await Promise.all([startAppServer({ env }), startAppServer({ env: { ...env, EVENTS_TRUST_PROXY: "1" } })]);
    });
    afterAll(async () => {
      await Promise.all([socketsOff?.stop(), socketsOn?.stop()]);
    });

    /**
     * Opens `count` idle sockets from 127.0.0.1; resolves to how many the server answered with 429,
     * once `expected` were (at most 5 s), and 500 ms more for any beyond.
     */
    async function refusedOf(server: AppServer, count: number, expected: number): Promise<number> {
      const sockets: Socket[] = [];
      let refused = 0;
      await Promise.all(
        Array.from({ length: count }, () => new Promise<void>((resolve) => {
          const socket = connect(server.port, "127.0.0.1");
          sockets.push(socket);
          socket.on("data", (data) => {
            if (data.toString("latin1").startsWith("HTTP/1.1 429")) refused++;
          });
          socket.on("error", () => resolve());
          socket.once("connect", () => resolve());
        })),
      );
      const deadline = Date.now() + 5_000;
      while (refused < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const socket of sockets) socket.destroy();
      return refused;
    }

    it("count the proxy's sockets as one address when off, and not at all when on (every socket is the proxy's)", async () => {
      const count = 1 + HTTP_SOCKETS_PER_IP + 5;
      expect(await refusedOf(socketsOff, count, 5)).toBe(5);
      expect(await refusedOf(socketsOn, count, 0)).toBe(0);
    });

    it("hold each forwarded address to EVENTS_MAX_CONNECTIONS_PER_IP when on", async () => {
      const open = (address: string) =>
        rawRequest(socketsOn.port, upgradeRequest("/ws/events", `127.0.0.1:${socketsOn.port}`, { "X-Forwarded-For": address }), { timeoutMs: 500 });
      const [first, second, other] = await Promise.all([open("198.51.100.1"), open("198.51.100.1"), open("198.51.100.2")]);
      expect([first.status, second.status].sort()).toEqual([101, 429]);
      expect(other.status).toBe(101);
    });
  });
});
