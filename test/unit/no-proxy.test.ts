import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url);

describe("the app has no Next proxy (middleware)", () => {
  // With a proxy or middleware file Next tees every request body into memory before the route
  // handler runs (getCloneableBody in next/dist/server/body-streams.js, up to 10 MB by default),
  // so the route handlers' body limits (lib/http/read-json-body.ts) would no longer bound
  // memory. Security headers and the CSP nonce are set in server.ts instead.
  it.each(["proxy", "middleware"].flatMap((name) => ["", "src/"].flatMap((dir) => ["ts", "js", "mjs", "tsx"].map((ext) => `${dir}${name}.${ext}`))))(
    "%s does not exist",
    (path) => {
      expect(existsSync(new URL(path, ROOT))).toBe(false);
    },
  );
});
