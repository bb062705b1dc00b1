import { describe, expect, it } from "vitest";
import { ConfigError } from "@/lib/events";
import { listenAddress } from "./listen-address";

describe("listenAddress", () => {
  it("defaults to localhost:3000 and ignores the shell's HOSTNAME", () => {
    expect(listenAddress({ HOSTNAME: "build-machine-7" })).toEqual({ host: "localhost", port: 3000 });
  });

  it("reads HOST and PORT, and PORT=0 for a free port", () => {
    expect(listenAddress({ HOST: "127.0.0.1", PORT: "0" })).toEqual({ host: "127.0.0.1", port: 0 });
  });

  it.each(["abc", "70000", "-1", "3.5"])("refuses PORT=%s naming the key and what is allowed", (port) => {
    expect(() => listenAddress({ PORT: port })).toThrow(ConfigError);
    expect(() => listenAddress({ PORT: port })).toThrow(`PORT = "${port}" is not allowed: expected an integer from 0 to 65535`);
  });
});
