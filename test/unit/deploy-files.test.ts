import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** The `${WF_…}` placeholders of deploy/nginx.conf's directives (its comments name them too). */
function placeholders(config: string): string[] {
  const directives = config.split("\n").filter((line) => !line.trim().startsWith("#")).join("\n");
  return [...new Set([...directives.matchAll(/\$\{(WF_[A-Z0-9_]+)\}/g)].map((match) => match[1]!))].sort();
}

describe("the deployment files", () => {
  it("give nginx in docker-compose.yml exactly the placeholders deploy/nginx.conf uses", () => {
    const compose = read("docker-compose.yml");
    const given = [...new Set([...compose.matchAll(/^\s+(WF_[A-Z0-9_]+):/gm)].map((match) => match[1]!))].sort();
    expect(given).toEqual(placeholders(read("deploy/nginx.conf")));
  });

  it("run both instances in docker-compose.yml behind the proxy they trust, on one Redis, publishing no port of their own", () => {
    const compose = read("docker-compose.yml");
    expect(compose).toMatch(/EVENTS_TRUST_PROXY: "1"/);
    expect(compose).toMatch(/EVENTS_REDIS_URL: redis:\/\/redis:6379/);
    expect(compose).toMatch(/WF_UPSTREAM_A: app-a:3000/);
    expect(compose).toMatch(/WF_UPSTREAM_B: app-b:3000/);
    // Only nginx publishes a port: the apps trust X-Forwarded-*, so nothing else may reach them.
    expect([...compose.matchAll(/^\s+ports:/gm)]).toHaveLength(1);
  });

  it("run the image as a non-root user, with a health check on /healthz", () => {
    const dockerfile = read("Dockerfile");
    const runtime = dockerfile.split(/^FROM .* AS runtime$/m)[1] ?? "";
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(runtime).toMatch(/^CMD \["node", "--enable-source-maps", "dist\/server\.js"\]$/m);
  });
});
