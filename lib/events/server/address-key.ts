import { isIPv6 } from "node:net";

/**
 * The key that per-address limits count by: an IPv4 address as is, an IPv6 address by its /64
 * prefix (one subscriber's usual allocation: counting single IPv6 addresses would let one client
 * pick a new one per connection). IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as its IPv4 address.
 */
export function addressKey(remoteAddress: string | undefined): string {
  if (!remoteAddress) return "unknown";
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remoteAddress);
  if (mapped) return mapped[1]!;
  if (!isIPv6(remoteAddress)) return remoteAddress;
  return `${expandIPv6(remoteAddress).slice(0, 4).join(":")}::/64`;
}

/** The first four 16-bit groups of an IPv6 address (its /64), in lower case without leading zeros. */
function expandIPv6(address: string): string[] {
  const withoutZone = address.split("%")[0]!.toLowerCase();
  const [head = "", tail] = withoutZone.split("::");
  const groupsOf = (part: string) => (part ? part.split(":").flatMap((group) => (group.includes(".") ? ["0", "0"] : [group])) : []);
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return groups.map((group) => parseInt(group, 16).toString(16));
}
