import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { MAX_VISITOR_NAME, visitorName } from "./visitor-name";
import { visitorOf } from "./visitors";

const requestWith = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as IncomingMessage;

describe("the /demo visitor name", () => {
  it("comes from its cookie, decoded, among others", () => {
    expect(visitorOf(requestWith("theme=dark; wf_demo_name=Ada%20Lovelace; other=1"))).toEqual({ name: "Ada Lovelace" });
  });

  it("is anonymous without the cookie, with an empty one, or with one that does not decode", () => {
    expect(visitorOf(requestWith())).toBeNull();
    expect(visitorName("theme=dark")).toBeNull();
    expect(visitorName("wf_demo_name=%20%20")).toBeNull();
    expect(visitorName("wf_demo_name=%E0%A4%A")).toBeNull();
  });

  it("loses control characters and is cut to its limit, but keeps markup as text (React escapes it)", () => {
    expect(visitorName(`wf_demo_name=${encodeURIComponent("a\u0000b\nc\u009f")}`)).toBe("abc");
    expect(visitorName(`wf_demo_name=${"x".repeat(500)}`)).toHaveLength(MAX_VISITOR_NAME);
    expect(visitorName(`wf_demo_name=${encodeURIComponent("<img src=x onerror=alert(1)>")}`)).toBe("<img src=x onerror=alert(1)>");
  });
});
