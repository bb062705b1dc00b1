import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPayload } from "./payload";
import { runCli } from "./program";
import { resolveTarget } from "./target";
import { colorEnabled } from "./terminal";

/** Runs the CLI in-process with captured streams; only commands that fail before connecting. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env: {} });
  return { code, stdout, stderr };
}

describe("the command line", () => {
  it("prints help with examples on --help, for the program and every command, and exits 0", async () => {
    const top = await run("--help");
    expect(top.code).toBe(0);
    expect(top.stdout).toContain("Usage: webfluid-events [options] [command]");
    for (const command of ["tail", "fire", "request", "ls", "connections", "listen"]) {
      const help = await run(command, "--help");
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`Usage: webfluid-events ${command}[\\s\\S]*Examples:\\n  # `));
    }
  });

  it("exits 2 with the error and the command's help on bad usage", async () => {
    for (const argv of [["fire"], ["tail", "--kind", "event"], ["nonsense"], ["ls", "--bogus"], ["listen", "model:*"], ["request", "x", "--timeout", "soon"], []]) {
      const result = await run(...argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr, argv.join(" ")).toMatch(/Usage: webfluid-events/);
      expect(result.stdout, argv.join(" ")).toBe("");
    }
    expect((await run("fire")).stderr).toMatch(/^error: missing required argument 'name'/);
  });

  it("exits 2 for a payload that is not JSON, naming where, before connecting anywhere", async () => {
    const result = await run("--url", "http://127.0.0.1:9", "fire", "demo:ping", '{"message":}');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: The payload is not JSON: Expected a value, found "}" \(line 1, column 12\)/);
  });

  it("exits 2 for a --url that is not an app's address, or that carries a token", async () => {
    expect((await run("--url", "ftp://x", "ls")).stderr).toMatch(/--url is "ftp:\/\/x": expected an http:\/\/ or https:\/\/ address/);
    expect((await run("--url", "http://h/?token=x", "ls")).code).toBe(2);
  });

  it("exits 1 with the code and message when the app cannot be reached", async () => {
    const result = await run("--url", "http://127.0.0.1:9", "ls");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: unreachable: Cannot (reach http:\/\/127\.0\.0\.1:9|open ws:\/\/127\.0\.0\.1:9\/ws\/events): connect ECONNREFUSED/);
  });
});

describe("--url", () => {
  it("names the app: its origin for the token route, /ws/events on it for the events", () => {
    expect(resolveTarget("http://localhost:3000")).toEqual({ origin: "http://localhost:3000", events: "ws://localhost:3000/ws/events" });
    expect(resolveTarget("https://app.example.com/dashboard")).toEqual({ origin: "https://app.example.com", events: "wss://app.example.com/ws/events" });
    expect(resolveTarget("wss://app.example.com:8443")).toEqual({ origin: "https://app.example.com:8443", events: "wss://app.example.com:8443/ws/events" });
  });
});

describe("payloads", () => {
  it("come from the argument, a file or nothing, never from two places", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "wf-cli-")), "payload.json");
    writeFileSync(file, '{\n  "message": "from a file"\n}\n');
    expect((await readPayload('{"a":1}', undefined)).value).toEqual({ a: 1 });
    expect((await readPayload(undefined, file)).value).toEqual({ message: "from a file" });
    expect((await readPayload(undefined, "-", async () => "[1, 2]")).value).toEqual([1, 2]);
    expect((await readPayload(undefined, undefined)).value).toBeUndefined();
    await expect(readPayload("{}", file)).rejects.toThrow(/not both/);
    await expect(readPayload(undefined, `${file}.missing`)).rejects.toThrow(/cannot read it \(ENOENT\)/);
    writeFileSync(file, '{\n  "message": oops\n}');
    await expect(readPayload(undefined, file)).rejects.toThrow(/The payload in .* is not JSON: .*\(line 2, column 14\)/);
  });
});

describe("colours", () => {
  const tty = { write: () => true, isTTY: true };
  const pipe = { write: () => true };
  it("are on for a terminal only, and never with NO_COLOR, --no-color or TERM=dumb", () => {
    expect(colorEnabled(tty, {})).toBe(true);
    expect(colorEnabled(pipe, {})).toBe(false);
    expect(colorEnabled(pipe, { CI: "true" })).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: "" })).toBe(true);
    expect(colorEnabled(tty, {}, true)).toBe(false);
    expect(colorEnabled(tty, { TERM: "dumb" })).toBe(false);
    expect(colorEnabled(pipe, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled(tty, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(false);
  });
});
