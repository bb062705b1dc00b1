import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The shipped configuration: tests run this very file, with its placeholders filled in. */
export const NGINX_CONF = resolve(import.meta.dirname, "../../deploy/nginx.conf");

export interface TlsFiles {
  cert: string;
  key: string;
}

export interface Nginx {
  /** The port nginx listens on (TLS). */
  port: number;
  /** The configuration as nginx read it. */
  config: string;
  /** What nginx wrote to stderr (its error log). */
  errors: string[];
  stop(): Promise<void>;
}

/**
 * Fills in `${WF_…}` placeholders, as envsubst would with the list of names, and refuses a file
 * that names one it was not given (a placeholder left in would be a broken config) or is given
 * one the file does not use (a test that thinks it set something it did not).
 */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const used = new Set<string>();
  const rendered = template.replace(/\$\{(WF_[A-Z0-9_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`deploy/nginx.conf names \${${name}}, which was not given`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`deploy/nginx.conf does not use ${unused.join(", ")}`);
  return rendered;
}

/** A self-signed certificate for localhost and 127.0.0.1, valid for a day, made with openssl. */
export function selfSignedCertificate(dir: string): TlsFiles {
  const files = { cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
  const made = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", files.key, "-out", files.cert],
    { encoding: "utf8" },
  );
  if (made.error || made.status !== 0) throw new Error(`openssl could not make a certificate (install Debian's openssl): ${made.error?.message ?? made.stderr}`);
  return files;
}

/**
 * nginx (Debian's package) with deploy/nginx.conf in front of `upstreams`, terminating TLS with
 * `tls`, on a free port. Everything it writes (pid, temp files) goes to a temporary prefix, so
 * it runs beside any other nginx and without root.
 */
export async function startNginx(upstreams: [string, string], tls: TlsFiles): Promise<Nginx> {
  const binary = findNginx();
  const prefix = mkdtempSync(join(tmpdir(), "wf-nginx-"));
  const port = await freePort();
  const config = renderTemplate(readFileSync(NGINX_CONF, "utf8"), {
    WF_LISTEN: `127.0.0.1:${port}`,
    WF_UPSTREAM_A: upstreams[0],
    WF_UPSTREAM_B: upstreams[1],
    WF_TLS_CERT: tls.cert,
    WF_TLS_KEY: tls.key,
  });
  const file = join(prefix, "nginx.conf");
  writeFileSync(file, config);
  // -e: the error log before the file is read (Debian's default needs root); pid in the prefix.
  const child: ChildProcess = spawn(binary, ["-p", prefix, "-c", file, "-e", "stderr", "-g", `daemon off; pid ${join(prefix, "nginx.pid")};`], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  const errors: string[] = [];
  child.stderr!.on("data", (chunk: Buffer) => errors.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGQUIT is nginx's graceful stop; the group takes its workers along.
      process.kill(-child.pid!, "SIGKILL");
      await exited;
    }
    rmSync(prefix, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, errors);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, config, errors, stop };
}

function findNginx(): string {
  const found = spawnSync("sh", ["-c", "command -v nginx || ls /usr/sbin/nginx"], { encoding: "utf8" }).stdout.trim().split("\n")[0];
  if (!found) throw new Error("nginx is not installed: these tests start their own. Install Debian's package: `apt-get install -y nginx` (.ci/run does).");
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, errors: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${errors.join("\n")}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        done(true);
      });
      socket.once("error", () => done(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port} within 10 s:\n${errors.join("\n")}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}
