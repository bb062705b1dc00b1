import { describe, expect, it } from "vitest";
import type { CliError } from "./exit";
import type { HttpAnswer, PostOptions } from "./http-post";
import { fetchMonitorToken, monitorTokenSource } from "./monitor-token";

const target = { origin: "http://app.test", events: "ws://app.test/ws/events" };
const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer => ({ status, statusText: "", headers, body: JSON.stringify(body) });

/** A fake app: answers each POST with the next answer (or throws it), and records what was sent. */
function app(...answers: (HttpAnswer | Error)[]) {
  const sent: { url: string; options: PostOptions }[] = [];
  const post = async (url: string, options: PostOptions) => {
    sent.push({ url, options });
    const answer = answers.shift();
    if (!answer) throw new Error("no more answers");
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { post, sent };
}

describe("the token exchange", () => {
  it("posts the dashboard token as a bearer header to /api/events/token, never in the URL", async () => {
    const fake = app(json(200, { token: "t1", expiresAt: 1 }));
    expect(await fetchMonitorToken({ target, dashboardToken: "secret-dashboard-token", post: fake.post })).toEqual({ token: "t1", expiresAt: 1 });
    expect(fake.sent[0]!.url).toBe("http://app.test/api/events/token");
    expect(fake.sent[0]!.options.headers).toEqual({ authorization: "Bearer secret-dashboard-token" });
  });

  it("sends no header without a token (a development server needs none)", async () => {
    const fake = app(json(200, { token: "t1", expiresAt: 1 }));
    await fetchMonitorToken({ target, dashboardToken: undefined, post: fake.post });
    expect(fake.sent[0]!.options.headers).toEqual({});
  });

  it("fails with the server's code and message, a hint, or what went wrong on the way", async () => {
    const refused = app(json(401, { error: { code: "unauthorized", message: "That is not the dashboard token" } }));
    await expect(fetchMonitorToken({ target, dashboardToken: "wrong", post: refused.post })).rejects.toMatchObject({
      code: "unauthorized",
      message: "That is not the dashboard token",
      hint: expect.stringContaining("check --token or WEBFLUID_EVENTS_TOKEN"),
    });
    const unreachable = app(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:3000"), { code: "ECONNREFUSED" }));
    await expect(fetchMonitorToken({ target, dashboardToken: undefined, post: unreachable.post })).rejects.toMatchObject({
      code: "unreachable",
      message: "Cannot reach http://app.test: connect ECONNREFUSED 127.0.0.1:3000",
    });
    const redirected = app({ status: 308, statusText: "", headers: { location: "https://app.test/api/events/token" }, body: "" });
    await expect(fetchMonitorToken({ target, dashboardToken: "t", post: redirected.post })).rejects.toMatchObject({ code: "redirected" });
    const starting = app({ status: 503, statusText: "Service Unavailable", headers: {}, body: "Starting…" });
    await expect(fetchMonitorToken({ target, dashboardToken: undefined, post: starting.post })).rejects.toMatchObject({ code: "unavailable" });
    const notOurs = app({ status: 404, statusText: "Not Found", headers: {}, body: "<html>" });
    await expect(fetchMonitorToken({ target, dashboardToken: undefined, post: notOurs.post })).rejects.toMatchObject({ code: "bad_response" });
  });
});

describe("the token function", () => {
  const noWait = async () => {};

  it("fails the first token at once, but asks again for a renewal while the app is restarting", async () => {
    const fake = app(new Error("connect ECONNREFUSED"), json(200, { token: "t1", expiresAt: 1 }), new Error("connect ECONNREFUSED"), { status: 503, statusText: "", headers: {}, body: "Starting…" }, json(200, { token: "t2", expiresAt: 2 }));
    const token = monitorTokenSource({ target, dashboardToken: undefined, post: fake.post }, () => {}, noWait);
    await expect(token()).rejects.toMatchObject({ code: "unreachable" });
    expect(await token()).toBe("t1");
    expect(await token()).toBe("t2");
    expect(fake.sent).toHaveLength(5);
  });

  it("reports a refusal, which asking again cannot change, and does not retry it", async () => {
    const refusals: CliError[] = [];
    const fake = app(json(200, { token: "t1", expiresAt: 1 }), json(401, { error: { code: "unauthorized", message: "That is not the dashboard token" } }));
    const token = monitorTokenSource({ target, dashboardToken: "changed", post: fake.post }, (error) => refusals.push(error), noWait);
    await token();
    await expect(token()).rejects.toMatchObject({ code: "unauthorized" });
    expect(refusals.map((error) => error.code)).toEqual(["unauthorized"]);
    expect(fake.sent).toHaveLength(2);
  });
});
