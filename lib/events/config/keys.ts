/**
 * Every configuration key: where it lives in webfluid.ini, its default, and what is allowed.
 * This table is the one source for loading, validation and the README's configuration table;
 * the bus's own defaults (DEFAULT_BUS_SETTINGS) are the defaults of the keys that set them.
 */
import { DEFAULT_BUS_SETTINGS } from "../core/bus-types";

export const TRANSPORT_OVERFLOW_POLICIES = ["drop-oldest", "drop-newest", "disconnect"] as const;
export type TransportOverflow = (typeof TRANSPORT_OVERFLOW_POLICIES)[number];

export interface EventsConfig {
  /** Signs monitor tokens and dashboard sessions. */
  secretKey: string;
  /** Mount `/ws/events` and inject the browser client. */
  enabled: boolean;
  queueSize: number;
  overflow: TransportOverflow;
  historySize: number;
  maxPayload: number;
  allowedOrigins: string[];
  heartbeatMs: number;
  requestTimeoutMs: number;
  maxSubscriptions: number;
  rateLimit: number;
  /** Ops per second one client address may send, across all its connections. */
  rateLimitPerIp: number;
  /** Open WebSocket connections this process accepts. */
  maxConnections: number;
  /** Open WebSocket connections one client address may hold. */
  maxConnectionsPerIp: number;
  /** Host names (besides the loopback ones in development) this server answers to; undefined: any, in production. */
  allowedHosts: AllowedHosts | undefined;
  /** Take the public host, scheme and client address from the reverse proxy's X-Forwarded-* headers. */
  trustProxy: boolean;
  /** Opens the dashboard in production; undefined keeps it closed there. */
  dashboardToken: string | undefined;
  /** Shares the bus between instances through Redis; undefined keeps it in this process. */
  redisUrl: string | undefined;
  /** Redis through Sentinel instead of a URL: the sentinels to ask where the primary is. */
  redisSentinels: readonly SentinelAddress[] | undefined;
  /** The Sentinel master group name (required with `redisSentinels`). */
  redisMasterName: string | undefined;
  redisStartup: RedisStartupPolicy;
  /** Opens /metrics in production (as a bearer token); undefined keeps it closed there. */
  metricsToken: string | undefined;
}

/** `EVENTS_ALLOWED_HOSTS`: `any` (`*`), or host names, where `.example.com` also covers its subdomains. */
export type AllowedHosts = "any" | readonly string[];

/** One sentinel of `EVENTS_REDIS_SENTINELS`. */
export interface SentinelAddress {
  host: string;
  port: number;
}

export const REDIS_STARTUP_POLICIES = ["require", "degraded"] as const;
export type RedisStartupPolicy = (typeof REDIS_STARTUP_POLICIES)[number];

export type Section = "general" | "extensions" | "events";

export interface KeySpec<K extends keyof EventsConfig = keyof EventsConfig> {
  key: string;
  section: Section;
  field: K;
  /** The default as written in the ini file; undefined when the key has none. */
  default: string | undefined;
  /** What is allowed, for error messages and the docs. */
  allowed: string;
  doc: string;
  parse: (raw: string) => EventsConfig[K] | undefined;
}

const integer = (min: number, max: number) => (raw: string) => {
  if (!/^-?\d+$/.test(raw.trim())) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
};

const flag = (raw: string) => {
  const value = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(value)) return true;
  if (["0", "false", "no", "off"].includes(value)) return false;
  return undefined;
};

const origins = (raw: string) => {
  const list = raw.split(",").map((item) => item.trim()).filter(Boolean);
  return list.every(isOrigin) ? list.map((item) => new URL(item).origin) : undefined;
};

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === text.replace(/\/$/, "");
  } catch {
    return false;
  }
}

const hostNames = (raw: string): AllowedHosts | undefined => {
  const list = raw.split(",").map((item) => item.trim().toLowerCase()).filter(Boolean);
  if (list.length === 0) return undefined;
  if (list.length === 1 && list[0] === "*") return "any";
  return list.every(isHostName) ? list : undefined;
};

/** A DNS name (optionally with a leading dot for "and its subdomains"), an IPv4 address or a bracketed IPv6 one; no port. */
function isHostName(text: string): boolean {
  if (/^\[[0-9a-f:.]+\]$/.test(text)) return true;
  return /^\.?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(text) && text.length <= 253;
}

/** `host:port,…`, each host a name, an IPv4 address or a bracketed IPv6 one, each port 1–65535; none twice. */
const sentinelAddresses = (raw: string): SentinelAddress[] | undefined => {
  const list = raw.split(",").map((item) => item.trim()).filter(Boolean);
  if (list.length === 0) return undefined;
  const addresses: SentinelAddress[] = [];
  for (const item of list) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(item);
    if (!match) return undefined;
    const host = match[1]!.toLowerCase();
    const port = Number(match[2]);
    if (!isHostName(host) || port < 1 || port > 65_535 || host.startsWith(".")) return undefined;
    // ioredis wants an IPv6 address without its brackets.
    addresses.push({ host: host.startsWith("[") ? host.slice(1, -1) : host, port });
  }
  const distinct = new Set(addresses.map(({ host, port }) => `${host}:${port}`));
  return distinct.size === addresses.length ? addresses : undefined;
};

function spec<K extends keyof EventsConfig>(value: KeySpec<K>): KeySpec<K> {
  return value;
}

export const KEYS = [
  spec({
    key: "SECRET_KEY",
    section: "general",
    field: "secretKey",
    default: undefined,
    allowed: "a secret of at least 16 characters (required in production, and never the sample `supersecret`)",
    doc: "Signs monitor tokens and dashboard sessions. In development a random one is made per start.",
    parse: (raw) => (raw === "" ? undefined : raw),
  }),
  spec({
    key: "EXT_EVENTS",
    section: "extensions",
    field: "enabled",
    default: "0",
    allowed: "1 or 0",
    doc: "Mounts `/ws/events` and injects the browser client. At 0 the library still works in-process.",
    parse: flag,
  }),
  spec({
    key: "EVENTS_EVENT_QUEUE_SIZE",
    section: "events",
    field: "queueSize",
    default: String(DEFAULT_BUS_SETTINGS.queueSize),
    allowed: "an integer from 1 to 10000",
    doc: "Events that may wait for one slow browser connection or one `listen` stream.",
    parse: integer(1, 10_000),
  }),
  spec({
    key: "EVENTS_OVERFLOW",
    section: "events",
    field: "overflow",
    default: "drop-oldest",
    allowed: TRANSPORT_OVERFLOW_POLICIES.join(", "),
    doc: "What a full browser queue does: drop the oldest (the client gets a `gap`), drop the newest, or disconnect (4008).",
    parse: (raw) => TRANSPORT_OVERFLOW_POLICIES.find((policy) => policy === raw.trim()),
  }),
  spec({
    key: "EVENTS_HISTORY_SIZE",
    section: "events",
    field: "historySize",
    default: String(DEFAULT_BUS_SETTINGS.historySize),
    allowed: "an integer from 0 to 100000",
    doc: "Public events kept per name, replayed to a browser that reconnects with `since`.",
    parse: integer(0, 100_000),
  }),
  spec({
    key: "EVENTS_MAX_PAYLOAD",
    section: "events",
    field: "maxPayload",
    default: String(DEFAULT_BUS_SETTINGS.maxPayload),
    allowed: "an integer from 1024 to 16777216 (bytes)",
    doc: "Largest frame a browser may send; larger ones close the connection with 1009.",
    parse: integer(1024, 16 * 1024 * 1024),
  }),
  spec({
    key: "EVENTS_ALLOWED_ORIGINS",
    section: "events",
    field: "allowedOrigins",
    default: "",
    allowed: "a comma-separated list of origins such as https://app.example.com",
    doc: "Origins besides the app's own that may open `/ws/events`.",
    parse: origins,
  }),
  spec({
    key: "EVENTS_HEARTBEAT",
    section: "events",
    field: "heartbeatMs",
    default: "30000",
    allowed: "an integer from 100 to 600000 (ms)",
    doc: "Ping interval; a connection that misses two pongs is terminated.",
    parse: integer(100, 600_000),
  }),
  spec({
    key: "EVENTS_REQUEST_TIMEOUT",
    section: "events",
    field: "requestTimeoutMs",
    default: String(DEFAULT_BUS_SETTINGS.requestTimeout),
    allowed: "an integer from 1 to 600000 (ms)",
    doc: "How long a request waits when the caller gives no timeout.",
    parse: integer(1, 600_000),
  }),
  spec({
    key: "EVENTS_MAX_SUBSCRIPTIONS",
    section: "events",
    field: "maxSubscriptions",
    default: "100",
    allowed: "an integer from 1 to 10000",
    doc: "Subscriptions one browser connection may hold.",
    parse: integer(1, 10_000),
  }),
  spec({
    key: "EVENTS_RATE_LIMIT",
    section: "events",
    field: "rateLimit",
    default: "100",
    allowed: "an integer from 1 to 1000000 (ops per second)",
    doc: "Ops per second one browser connection may send (bursts up to twice that); beyond it `rate_limited`, then close 4029.",
    parse: integer(1, 1_000_000),
  }),
  spec({
    key: "EVENTS_RATE_LIMIT_PER_IP",
    section: "events",
    field: "rateLimitPerIp",
    default: "200",
    allowed: "an integer from 1 to 1000000 (ops per second)",
    doc: "Ops per second one client address may send across all its connections (bursts up to twice that), so that opening more connections buys no more ops. Raise it when many users share one address (offices, carrier NAT).",
    parse: integer(1, 1_000_000),
  }),
  spec({
    key: "EVENTS_MAX_CONNECTIONS",
    section: "events",
    field: "maxConnections",
    default: "10000",
    allowed: "an integer from 1 to 1000000",
    doc: "Open `/ws/events` connections this process accepts; beyond it an upgrade gets 503 with `Retry-After`. About 11 KB each; keep it below the process's file-descriptor limit (checked at startup).",
    parse: integer(1, 1_000_000),
  }),
  spec({
    key: "EVENTS_MAX_CONNECTIONS_PER_IP",
    section: "events",
    field: "maxConnectionsPerIp",
    default: "100",
    allowed: "an integer from 1 to 1000000",
    doc: "Open `/ws/events` connections one client address may hold (a page holds one; IPv6 counts per /64); beyond it 429 with `Retry-After`. The address is the socket's, so behind a reverse proxy every client shares the proxy's: set `EVENTS_TRUST_PROXY` there (or raise this).",
    parse: integer(1, 1_000_000),
  }),
  spec({
    key: "EVENTS_ALLOWED_HOSTS",
    section: "events",
    field: "allowedHosts",
    default: "",
    allowed: "empty, `*`, or a comma-separated list of host names such as app.example.com or .example.com (with its subdomains)",
    doc: "Host names the server answers to (HTTP and WebSocket; others get 403), against DNS rebinding. Development always serves localhost, 127.0.0.1 and [::1] and adds these; production serves any host unless this is set. `*` turns the check off.",
    parse: hostNames,
  }),
  spec({
    key: "EVENTS_TRUST_PROXY",
    section: "events",
    field: "trustProxy",
    default: "0",
    allowed: "1 or 0",
    doc: "Set it when a reverse proxy you run is the only way in: the host and origin checks, the `Secure` flag of the dashboard cookie, the per-address limits and the logs then use the proxy's `X-Forwarded-Host`, `X-Forwarded-Proto` and `X-Forwarded-For` (the right-most value of each, the one your proxy wrote). At 0 these headers are ignored and removed, since any client can send them.",
    parse: flag,
  }),
  spec({
    key: "EVENTS_DASHBOARD_TOKEN",
    section: "events",
    field: "dashboardToken",
    default: "",
    allowed: "empty, or a token of at least 16 characters",
    doc: "In production the dashboard is closed unless this is set; it then asks for it once (httpOnly cookie). Development needs none.",
    parse: (raw) => (raw === "" ? undefined : raw.length >= 16 ? raw : undefined),
  }),
  spec({
    key: "EVENTS_REDIS_URL",
    section: "events",
    field: "redisUrl",
    default: "",
    allowed: "empty, or a redis:// or rediss:// URL",
    doc: "Shares one bus between app instances through Redis: events, history, queries and the dashboard span the cluster.",
    parse: (raw) => {
      if (raw === "") return undefined;
      try {
        const url = new URL(raw);
        return url.protocol === "redis:" || url.protocol === "rediss:" ? raw : undefined;
      } catch {
        return undefined;
      }
    },
  }),
  spec({
    key: "EVENTS_REDIS_SENTINELS",
    section: "events",
    field: "redisSentinels",
    default: "",
    allowed: "empty, or a comma-separated list of host:port (each once), such as 10.0.0.5:26379,10.0.0.6:26379,[::1]:26379",
    doc: "Finds the Redis primary through these Sentinels instead of `EVENTS_REDIS_URL` (not both), and follows it when it fails over. Needs `EVENTS_REDIS_MASTER_NAME`.",
    parse: (raw) => (raw === "" ? undefined : sentinelAddresses(raw)),
  }),
  spec({
    key: "EVENTS_REDIS_MASTER_NAME",
    section: "events",
    field: "redisMasterName",
    default: "",
    allowed: "empty, or a Sentinel master name of letters, digits, `.`, `_` and `-` (at most 64)",
    doc: "The master group the Sentinels watch (`sentinel monitor <name> …`). Only with `EVENTS_REDIS_SENTINELS`.",
    parse: (raw) => (raw === "" ? undefined : /^[A-Za-z0-9._-]{1,64}$/.test(raw.trim()) ? raw.trim() : undefined),
  }),
  spec({
    key: "EVENTS_REDIS_STARTUP",
    section: "events",
    field: "redisStartup",
    default: "require",
    allowed: REDIS_STARTUP_POLICIES.join(", "),
    doc: "Redis unreachable at startup: refuse to start (`require`), or start alone and join when it answers (`degraded`).",
    parse: (raw) => REDIS_STARTUP_POLICIES.find((policy) => policy === raw.trim()),
  }),
  spec({
    key: "EVENTS_METRICS_TOKEN",
    section: "events",
    field: "metricsToken",
    default: "",
    allowed: "empty, or a token of at least 16 characters",
    doc: "In production /metrics is closed unless this is set; scrapers then send `Authorization: Bearer <token>`. Development needs none.",
    parse: (raw) => (raw === "" ? undefined : raw.length >= 16 ? raw : undefined),
  }),
] as const satisfies readonly KeySpec[];

export const KEY_NAMES: readonly string[] = KEYS.map((spec) => spec.key);

/** The sample secret from the seed's documentation: refused in production. */
export const SAMPLE_SECRET = "supersecret";
