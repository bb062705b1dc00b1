import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../shared/errors";
import { loadConfig } from "./load";

/** A directory holding `webfluid.ini` with `text`, or none. */
function project(text?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "wf-config-"));
  if (text !== undefined) writeFileSync(join(dir, "webfluid.ini"), text);
  return dir;
}

const load = (text: string | undefined, env: Record<string, string> = {}) => loadConfig({ cwd: project(text), env });

describe("loadConfig", () => {
  it("gives every default when there is no file", () => {
    const { config, file } = load(undefined);
    expect(file).toBeUndefined();
    expect(config).toEqual({
      secretKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      enabled: false,
      queueSize: 5,
      overflow: "drop-oldest",
      historySize: 100,
      maxPayload: 65536,
      allowedOrigins: [],
      heartbeatMs: 30000,
      requestTimeoutMs: 10000,
      maxSubscriptions: 100,
      rateLimit: 100,
      rateLimitPerIp: 200,
      maxConnections: 10000,
      maxConnectionsPerIp: 100,
      allowedHosts: undefined,
      trustProxy: false,
      dashboardToken: undefined,
      redisUrl: undefined,
      redisSentinels: undefined,
      redisMasterName: undefined,
      redisStartup: "require",
      metricsToken: undefined,
    });
  });

  it("reads the seed's file format", () => {
    const { config, file } = load(`
[general]
SECRET_KEY = supersecret
[extensions]
EXT_SQLALCHEMY = 1
EXT_EVENTS = 1
[events]
; our own keys sit beside the seed's
EVENTS_EVENT_QUEUE_SIZE = 7
EVENTS_OVERFLOW = "disconnect"
EVENTS_ALLOWED_ORIGINS = https://a.example.com, http://localhost:5173
`);
    expect(file).toMatch(/webfluid\.ini$/);
    expect(config).toMatchObject({
      secretKey: "supersecret",
      enabled: true,
      queueSize: 7,
      overflow: "disconnect",
      allowedOrigins: ["https://a.example.com", "http://localhost:5173"],
    });
  });

  it("lets environment variables override the file", () => {
    const { config } = load("[events]\nEVENTS_EVENT_QUEUE_SIZE = 7\n", { EVENTS_EVENT_QUEUE_SIZE: "9", EXT_EVENTS: "1" });
    expect(config.queueSize).toBe(9);
    expect(config.enabled).toBe(true);
  });

  it("ignores empty environment variables", () => {
    expect(load("[events]\nEVENTS_EVENT_QUEUE_SIZE = 7\n", { EVENTS_EVENT_QUEUE_SIZE: "" }).config.queueSize).toBe(7);
  });

  it("reads the file named by WEBFLUID_CONFIG", () => {
    const dir = project();
    writeFileSync(join(dir, "other.ini"), "[events]\nEVENTS_HISTORY_SIZE = 3\n");
    expect(loadConfig({ cwd: dir, env: { WEBFLUID_CONFIG: "other.ini" } }).config.historySize).toBe(3);
  });

  it("warns about a missing or sample secret in development", () => {
    expect(load(undefined).warnings).toEqual([expect.stringMatching(/SECRET_KEY is not set/)]);
    expect(load("[general]\nSECRET_KEY = supersecret\n").warnings).toEqual([expect.stringMatching(/sample "supersecret"/)]);
  });

  describe("refuses", () => {
    const cases: [string, string | undefined, Record<string, string>, RegExp][] = [
      ["a queue size that is not a number", "[events]\nEVENTS_EVENT_QUEUE_SIZE = five\n", {}, /^EVENTS_EVENT_QUEUE_SIZE = "five" \(from .*webfluid\.ini:2\) is not allowed: expected an integer from 1 to 10000$/],
      ["a queue size of 0", undefined, { EVENTS_EVENT_QUEUE_SIZE: "0" }, /^EVENTS_EVENT_QUEUE_SIZE = "0" \(from the environment\) is not allowed: expected an integer from 1 to 10000$/],
      ["a fractional history size", undefined, { EVENTS_HISTORY_SIZE: "2.5" }, /EVENTS_HISTORY_SIZE = "2.5" .* expected an integer from 0 to 100000/],
      ["an unknown overflow policy", undefined, { EVENTS_OVERFLOW: "drop-all" }, /EVENTS_OVERFLOW = "drop-all" .* expected drop-oldest, drop-newest, disconnect/],
      ["a tiny max payload", undefined, { EVENTS_MAX_PAYLOAD: "10" }, /EVENTS_MAX_PAYLOAD = "10" .* from 1024 to 16777216/],
      ["an origin with a path", undefined, { EVENTS_ALLOWED_ORIGINS: "https://a.example.com/app" }, /EVENTS_ALLOWED_ORIGINS = "https:\/\/a.example.com\/app" .* comma-separated list of origins/],
      ["an origin that is not a URL", undefined, { EVENTS_ALLOWED_ORIGINS: "example.com" }, /EVENTS_ALLOWED_ORIGINS/],
      ["a heartbeat that is too short", undefined, { EVENTS_HEARTBEAT: "5" }, /EVENTS_HEARTBEAT = "5" .* from 100 to 600000/],
      ["a negative request timeout", undefined, { EVENTS_REQUEST_TIMEOUT: "-1" }, /EVENTS_REQUEST_TIMEOUT = "-1"/],
      ["a subscription cap of 0", undefined, { EVENTS_MAX_SUBSCRIPTIONS: "0" }, /EVENTS_MAX_SUBSCRIPTIONS = "0"/],
      ["a rate limit that is not a number", undefined, { EVENTS_RATE_LIMIT: "fast" }, /EVENTS_RATE_LIMIT = "fast"/],
      ["a per-address rate limit of 0", undefined, { EVENTS_RATE_LIMIT_PER_IP: "0" }, /EVENTS_RATE_LIMIT_PER_IP = "0" .* from 1 to 1000000/],
      ["a connection cap that is not a number", undefined, { EVENTS_MAX_CONNECTIONS: "lots" }, /EVENTS_MAX_CONNECTIONS = "lots" .* an integer from 1 to 1000000/],
      ["a per-address connection cap of 0", undefined, { EVENTS_MAX_CONNECTIONS_PER_IP: "0" }, /EVENTS_MAX_CONNECTIONS_PER_IP = "0"/],
      ["an allowed host with a port", undefined, { EVENTS_ALLOWED_HOSTS: "app.example.com:3000" }, /EVENTS_ALLOWED_HOSTS = "app.example.com:3000" .* list of host names/],
      ["an allowed host that is a URL", undefined, { EVENTS_ALLOWED_HOSTS: "https://app.example.com" }, /EVENTS_ALLOWED_HOSTS = "https:\/\/app.example.com"/],
      ["a wildcard among allowed hosts", undefined, { EVENTS_ALLOWED_HOSTS: "*.example.com" }, /EVENTS_ALLOWED_HOSTS = "\*.example.com"/],
      ["a short dashboard token", undefined, { EVENTS_DASHBOARD_TOKEN: "abc" }, /EVENTS_DASHBOARD_TOKEN = "abc" .* a token of at least 16 characters/],
      ["a Redis URL of another scheme", undefined, { EVENTS_REDIS_URL: "http://localhost:6379" }, /EVENTS_REDIS_URL = "http:\/\/localhost:6379" .* a redis:\/\/ or rediss:\/\/ URL/],
      ["a sentinel without a port", undefined, { EVENTS_REDIS_SENTINELS: "10.0.0.5", EVENTS_REDIS_MASTER_NAME: "main" }, /^EVENTS_REDIS_SENTINELS = "10.0.0.5" \(from the environment\) is not allowed: expected empty, or a comma-separated list of host:port/],
      ["a sentinel port out of range", undefined, { EVENTS_REDIS_SENTINELS: "a:26379,b:70000", EVENTS_REDIS_MASTER_NAME: "main" }, /^EVENTS_REDIS_SENTINELS = "a:26379,b:70000"/],
      ["a sentinel given as a URL", undefined, { EVENTS_REDIS_SENTINELS: "redis://a:26379", EVENTS_REDIS_MASTER_NAME: "main" }, /^EVENTS_REDIS_SENTINELS = "redis:\/\/a:26379"/],
      ["an unbracketed IPv6 sentinel", undefined, { EVENTS_REDIS_SENTINELS: "::1:26379", EVENTS_REDIS_MASTER_NAME: "main" }, /^EVENTS_REDIS_SENTINELS = "::1:26379"/],
      ["the same sentinel twice", undefined, { EVENTS_REDIS_SENTINELS: "a:26379, A:26379", EVENTS_REDIS_MASTER_NAME: "main" }, /^EVENTS_REDIS_SENTINELS = "a:26379, A:26379" .* \(each once\)/],
      ["a master name with a space", undefined, { EVENTS_REDIS_SENTINELS: "a:26379", EVENTS_REDIS_MASTER_NAME: "my master" }, /^EVENTS_REDIS_MASTER_NAME = "my master" .* letters, digits/],
      ["sentinels without a master name", undefined, { EVENTS_REDIS_SENTINELS: "a:26379" }, /^EVENTS_REDIS_SENTINELS is set without EVENTS_REDIS_MASTER_NAME/],
      ["a master name without sentinels", "[events]\nEVENTS_REDIS_MASTER_NAME = main\n", {}, /^EVENTS_REDIS_MASTER_NAME is set without EVENTS_REDIS_SENTINELS/],
      ["both a Redis URL and sentinels", undefined, { EVENTS_REDIS_URL: "redis://a:6379", EVENTS_REDIS_SENTINELS: "a:26379", EVENTS_REDIS_MASTER_NAME: "main" }, /^EVENTS_REDIS_URL and EVENTS_REDIS_SENTINELS are both set/],
      ["an unknown Redis startup policy", undefined, { EVENTS_REDIS_STARTUP: "maybe" }, /EVENTS_REDIS_STARTUP = "maybe" .* expected require, degraded/],
      ["EVENTS_TRUST_PROXY that is not a flag", undefined, { EVENTS_TRUST_PROXY: "nginx" }, /EVENTS_TRUST_PROXY = "nginx" \(from the environment\) is not allowed: expected 1 or 0/],
      ["EXT_EVENTS that is not a flag", "[extensions]\nEXT_EVENTS = maybe\n", {}, /EXT_EVENTS = "maybe" .* expected 1 or 0/],
      ["a misspelt key in [events], with a suggestion", "[events]\nEVENTS_EVENT_QUEUE_SIZ = 5\n", {}, /webfluid\.ini:2: unknown key EVENTS_EVENT_QUEUE_SIZ in \[events\] \(did you mean "EVENTS_EVENT_QUEUE_SIZE"\?\)/],
      ["a key in the wrong section", "[general]\nEVENTS_OVERFLOW = drop-newest\n", {}, /webfluid\.ini:2: EVENTS_OVERFLOW belongs in \[events\], not \[general\]/],
      ["an unknown EVENTS_ environment variable", undefined, { EVENTS_QUEUE_SIZE: "5" }, /^Unknown environment variable EVENTS_QUEUE_SIZE/],
      ["a line that is not KEY = value", "[events]\njust words\n", {}, /webfluid\.ini:2: expected "KEY = value" or "\[section\]", got "just words"/],
      ["a key before any section", "EVENTS_OVERFLOW = drop-newest\n", {}, /webfluid\.ini:1: .* comes before any \[section\] header/],
      ["a WEBFLUID_CONFIG that names no file", undefined, { WEBFLUID_CONFIG: "missing.ini" }, /^WEBFLUID_CONFIG = "missing.ini": no such file/],
      ["a missing SECRET_KEY in production", undefined, { NODE_ENV: "production" }, /^SECRET_KEY is required in production/],
      ["the sample SECRET_KEY in production", "[general]\nSECRET_KEY = supersecret\n", { NODE_ENV: "production" }, /SECRET_KEY = "supersecret" is the documentation's sample/],
      ["a short SECRET_KEY in production", undefined, { NODE_ENV: "production", SECRET_KEY: "short" }, /SECRET_KEY is 5 characters long: use at least 16/],
    ];
    it.each(cases)("%s", (_label, text, env, message) => {
      const attempt = () => load(text, env);
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(message);
    });
  });

  describe("reports every problem at once", () => {
    /** The lines of the one ConfigError that `attempt` throws. */
    function problemsOf(attempt: () => unknown): string[] {
      try {
        attempt();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).message.split("\n");
      }
      throw new Error("expected a ConfigError");
    }

    it("lists bad values and unknown keys from the file and the environment, one per line, with where each came from", () => {
      const dir = project("[events]\nEVENTS_EVENT_QUEUE_SIZE = five\nEVENTS_OVERFLW = drop-newest\nEVENTS_HEARTBEAT = 5\n");
      const file = join(dir, "webfluid.ini");
      // EVENTS_HEARTBEAT = 5 in the file is overridden by the environment's good value: not a problem.
      const lines = problemsOf(() =>
        loadConfig({ cwd: dir, env: { EVENTS_REDIS_STARTUP: "maybe", EVENTS_HISTORY_SIZ: "3", EVENTS_HEARTBEAT: "1000" } }),
      );
      expect(lines).toEqual([
        "4 problems:",
        `  - ${file}:3: unknown key EVENTS_OVERFLW in [events] (did you mean "EVENTS_OVERFLOW"?)`,
        '  - Unknown environment variable EVENTS_HISTORY_SIZ (did you mean "EVENTS_HISTORY_SIZE"?)',
        `  - EVENTS_EVENT_QUEUE_SIZE = "five" (from ${file}:2) is not allowed: expected an integer from 1 to 10000`,
        '  - EVENTS_REDIS_STARTUP = "maybe" (from the environment) is not allowed: expected require, degraded',
      ]);
    });

    it("adds lines it cannot read and a production secret problem to the list", () => {
      const dir = project("[events]\njust words\nEVENTS_MAX_PAYLOAD = 10\n");
      const file = join(dir, "webfluid.ini");
      expect(problemsOf(() => loadConfig({ cwd: dir, env: { NODE_ENV: "production" } }))).toEqual([
        "3 problems:",
        `  - ${file}:2: expected "KEY = value" or "[section]", got "just words"`,
        `  - EVENTS_MAX_PAYLOAD = "10" (from ${file}:3) is not allowed: expected an integer from 1024 to 16777216 (bytes)`,
        "  - SECRET_KEY is required in production: set it in webfluid.ini [general] or the environment",
      ]);
    });

    it("checks the environment when WEBFLUID_CONFIG names no file", () => {
      expect(problemsOf(() => load(undefined, { WEBFLUID_CONFIG: "missing.ini", EVENTS_RATE_LIMIT: "fast" }))).toEqual([
        "2 problems:",
        expect.stringMatching(/^ {2}- WEBFLUID_CONFIG = "missing.ini": no such file \(.*missing\.ini\)$/),
        '  - EVENTS_RATE_LIMIT = "fast" (from the environment) is not allowed: expected an integer from 1 to 1000000 (ops per second)',
      ]);
    });

    it("suggests the known name for an unknown environment variable", () => {
      expect(problemsOf(() => load(undefined, { EVENTS_OVERFLW: "disconnect" }))).toEqual([
        'Unknown environment variable EVENTS_OVERFLW (did you mean "EVENTS_OVERFLOW"?)',
      ]);
    });

    it("suggests the known name for an unknown key in [events], also when its EVENTS_ prefix is missing", () => {
      const dir = project("[events]\nEVENTS_MAX_SUBSCRIPTION = 5\nOVERFLOW = disconnect\nNOT_A_KEY_AT_ALL = 1\n");
      const file = join(dir, "webfluid.ini");
      expect(problemsOf(() => loadConfig({ cwd: dir, env: {} }))).toEqual([
        "3 problems:",
        `  - ${file}:2: unknown key EVENTS_MAX_SUBSCRIPTION in [events] (did you mean "EVENTS_MAX_SUBSCRIPTIONS"?)`,
        `  - ${file}:3: unknown key OVERFLOW in [events] (did you mean "EVENTS_OVERFLOW"?)`,
        `  - ${file}:4: unknown key NOT_A_KEY_AT_ALL in [events]`,
      ]);
    });
  });

  it("reads allowed hosts as lower-case names, `.name` for subdomains and `*` for any", () => {
    expect(load(undefined, { EVENTS_ALLOWED_HOSTS: "App.Example.com, .corp.example,[::1],10.0.0.5" }).config.allowedHosts).toEqual([
      "app.example.com",
      ".corp.example",
      "[::1]",
      "10.0.0.5",
    ]);
    expect(load(undefined, { EVENTS_ALLOWED_HOSTS: "*" }).config.allowedHosts).toBe("any");
    expect(load("[events]\nEVENTS_ALLOWED_HOSTS =\n").config.allowedHosts).toBeUndefined();
  });

  it("trusts a proxy's forwarded headers only when EVENTS_TRUST_PROXY is on", () => {
    expect(load(undefined).config.trustProxy).toBe(false);
    expect(load(undefined, { EVENTS_TRUST_PROXY: "1" }).config.trustProxy).toBe(true);
    expect(load("[events]\nEVENTS_TRUST_PROXY = off\n").config.trustProxy).toBe(false);
  });

  it("reads sentinels as host and port, IPv6 without brackets, and the master name", () => {
    const { config } = load("[events]\nEVENTS_REDIS_MASTER_NAME = events-main\n", { EVENTS_REDIS_SENTINELS: "Sentinel-1.internal:26379, 10.0.0.6:26380,[::1]:26381" });
    expect(config.redisSentinels).toEqual([
      { host: "sentinel-1.internal", port: 26379 },
      { host: "10.0.0.6", port: 26380 },
      { host: "::1", port: 26381 },
    ]);
    expect(config.redisMasterName).toBe("events-main");
    expect(config.redisUrl).toBeUndefined();
  });

  it("names only the bad value when a Redis key is refused, not the pairing it breaks", () => {
    expect(() => load(undefined, { EVENTS_REDIS_SENTINELS: "nope", EVENTS_REDIS_MASTER_NAME: "main" })).toThrow(/^EVENTS_REDIS_SENTINELS = "nope" \(from the environment\) is not allowed/);
  });

  it("reads the connection limits", () => {
    const { config } = load(undefined, { EVENTS_MAX_CONNECTIONS: "20000", EVENTS_MAX_CONNECTIONS_PER_IP: "500", EVENTS_RATE_LIMIT_PER_IP: "50" });
    expect(config).toMatchObject({ maxConnections: 20_000, maxConnectionsPerIp: 500, rateLimitPerIp: 50 });
  });

  it("accepts a real secret in production", () => {
    expect(load(undefined, { NODE_ENV: "production", SECRET_KEY: "a-long-enough-secret" }).config.secretKey).toBe("a-long-enough-secret");
  });

  it("turns events off with EXT_EVENTS = 0", () => {
    expect(load("[extensions]\nEXT_EVENTS = 0\n").config.enabled).toBe(false);
  });
});
