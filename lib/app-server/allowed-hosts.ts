import type { AllowedHosts } from "@/lib/events/config";
import { clipHeader } from "@/lib/events/server/refusal-log";

/** What development serves without EVENTS_ALLOWED_HOSTS: names that always mean this machine. */
export const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"] as const;

export type HostVerdict = { ok: true } | { ok: false; message: string };

/**
 * The `Host` rule, against DNS rebinding: a site whose name an attacker points at 127.0.0.1 is
 * same-origin with a server that answers to any Host, so a development server (which needs no
 * token for its dashboard) answers only to loopback names (and `*.localhost`, which browsers
 * resolve to loopback themselves) plus EVENTS_ALLOWED_HOSTS, as Vite and webpack-dev-server do.
 * In production the list applies when it is set. `*` turns the rule off.
 */
export function hostRule(allowed: AllowedHosts | undefined, development: boolean): (host: string | undefined) => HostVerdict {
  if (allowed === "any" || (!development && allowed === undefined)) return () => ({ ok: true });
  const names = [...(development ? [...LOOPBACK_HOSTS, ".localhost"] : []), ...(allowed ?? [])];
  const exact = new Set(names.filter((name) => !name.startsWith(".")));
  const suffixes = names.filter((name) => name.startsWith("."));
  return (host) => {
    const name = hostName(host);
    if (name !== undefined && (exact.has(name) || suffixes.some((suffix) => name.endsWith(suffix) || name === suffix.slice(1)))) return { ok: true };
    if (host === undefined || name === undefined) return { ok: false, message: "A Host header naming this server is required" };
    return {
      ok: false,
      message:
        `Host ${JSON.stringify(clipHeader(host))} is not allowed: add ${clipHeader(name)} to EVENTS_ALLOWED_HOSTS` +
        (development ? " (development serves only localhost, 127.0.0.1 and [::1] unless others are listed)" : ""),
    };
  };
}

/** The name of a Host header without its port, in lower case and without a trailing dot; undefined when malformed. */
export function hostName(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const lower = host.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(lower);
  if (!match) return undefined;
  return match[1]!.replace(/\.$/, "");
}
