/**
 * Everything the Redis adapter writes: key names, the publish script, and the pub/sub message
 * formats. One place, so that every instance of every version reads what the others write.
 */

export const DEFAULT_PREFIX = "wf:events:";

export function keys(prefix: string) {
  return {
    /** The history's epoch: every event id starts with it; it changes when Redis loses its data or its primary. */
    epoch: `${prefix}epoch`,
    /** The `run_id` of the Redis process that started the epoch (see READ_EPOCH). */
    epochPrimary: `${prefix}epoch-primary`,
    seq: (name: string) => `${prefix}seq:${name}`,
    /** Every name that has a sequence in this epoch: what a catch-up must look at. */
    names: `${prefix}names`,
    stream: (name: string) => `${prefix}stream:${name}`,
    instance: (id: string) => `${prefix}instance:${id}`,
    instancePattern: `${prefix}instance:*`,
    /** Every event of the cluster, in the order Redis assigned their ids. */
    busChannel: `${prefix}bus`,
    traceChannel: `${prefix}trace`,
    /** Presence: a hash of members per name (`<instance>/<connection>` → info), the names, and the channel of joins and leaves. */
    presence: (name: string) => `${prefix}presence:${name}`,
    presenceNames: `${prefix}presence-names`,
    presenceChannel: `${prefix}presence`,
    requestChannel: (instance: string) => `${prefix}req:${instance}`,
    replyChannel: (instance: string) => `${prefix}rep:${instance}`,
  };
}
export type Keys = ReturnType<typeof keys>;

/**
 * Lua: `epoch` = the history's epoch in KEYS[1] (`<prefix>epoch`), started anew with the proposed
 * one (`proposed`, an ARGV) on an empty Redis — and on a Redis process other than the one that
 * started it.
 *
 * Why the process: replication is asynchronous. A primary acknowledges a write (an id, a stream
 * entry) before its replica has it; when it dies and the replica is promoted, the last ids it gave
 * out are unknown to the new primary, which would give them out again, to other events — a
 * browser resuming from such an id would silently skip or mix events. A restart from an AOF or
 * RDB file can lose the last writes the same way. So the history belongs to the process that
 * wrote it (`run_id`, new for every process, kept beside the epoch): on any other, the scripts
 * drop the old history (sequences, streams, the names) and start a new epoch, which every
 * instance takes as "history lost" and tells its subscribers as a gap. Every instance's writes
 * go through these scripts, so no id of the new process is given out before this check.
 *
 * The other keys are named from the prefix (KEYS[1] less "epoch"): these scripts touch keys they
 * are not given, one more reason they cannot run on Redis Cluster (see the README).
 */
const READ_EPOCH = (proposed: string) => `
local prefix = string.sub(KEYS[1], 1, -6)
local runId = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
local epoch = redis.call('GET', KEYS[1])
if epoch and redis.call('GET', prefix .. 'epoch-primary') ~= runId then
  for _, name in ipairs(redis.call('SMEMBERS', prefix .. 'names')) do
    redis.call('DEL', prefix .. 'seq:' .. name, prefix .. 'stream:' .. name)
  end
  redis.call('DEL', prefix .. 'names')
  epoch = false
end
if not epoch then
  redis.call('SET', KEYS[1], ${proposed})
  redis.call('SET', prefix .. 'epoch-primary', runId)
  epoch = ${proposed}
end`;

/** KEYS: epoch. ARGV: proposed epoch. Returns the epoch (see READ_EPOCH). */
export const EPOCH_SCRIPT = `${READ_EPOCH("ARGV[1]")}
return epoch
`;

/**
 * What a `subscribe` with `since` needs, read at one instant: the epoch, the name's newest
 * sequence number, and its stream. KEYS: epoch, seq, stream. ARGV: proposed epoch.
 */
export const SINCE_SCRIPT = `${READ_EPOCH("ARGV[1]")}
return { epoch, tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('XRANGE', KEYS[3], '-', '+') }
`;

/**
 * Gives an event its id and shares it, atomically: the epoch (created on first use), the next
 * sequence number of the name, the stream entry `0-<seq>` for public events (capped at the
 * history size), and one message on the bus channel. Because Redis runs it as one step, every
 * instance sees the events of a name in id order.
 *
 * KEYS: epoch, seq, stream, names. ARGV: json, maxlen, mode ("p" public, "i" internal shared, "n" not
 * shared), bus channel, origin instance, name, proposed epoch.
 */
export const PUBLISH_SCRIPT = `${READ_EPOCH("ARGV[7]")}
local seq = redis.call('INCR', KEYS[2])
if seq == 1 then redis.call('SADD', KEYS[4], ARGV[6]) end
if ARGV[3] == 'p' and tonumber(ARGV[2]) > 0 then
  redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[2], '0-' .. seq, 'd', ARGV[1])
end
local id = epoch .. '-' .. seq
if ARGV[3] ~= 'n' then
  redis.call('PUBLISH', ARGV[4], 'E\\n' .. ARGV[5] .. '\\n' .. ARGV[6] .. '\\n' .. id .. '\\n' .. ARGV[3] .. '\\n' .. ARGV[1])
end
return id
`;

/**
 * Events an instance delivered alone while Redis was away never reached the others. When it is
 * back it reserves that many sequence numbers for them, with no stream entries, and says so on the
 * bus: instances listening now report a gap at once, and anyone who later reads across the range
 * (a catch-up, a browser's `since`) counts the hole as missed. The notice can then never be lost
 * by an instance that was not listening when it went out.
 *
 * KEYS: epoch, seq, names. ARGV: missed, bus channel, origin instance, name, proposed epoch.
 * Returns the id of the last reserved number.
 */
export const RESERVE_SCRIPT = `${READ_EPOCH("ARGV[5]")}
local missed = tonumber(ARGV[1])
local upTo = redis.call('INCRBY', KEYS[2], missed)
if upTo == missed then redis.call('SADD', KEYS[3], ARGV[4]) end
local id = epoch .. '-' .. upTo
redis.call('PUBLISH', ARGV[2], 'G\\n' .. ARGV[3] .. '\\n' .. ARGV[4] .. '\\n' .. id .. '\\n' .. missed)
return id
`;

/** A message on the bus channel. A gap covers the `missed` sequence numbers up to and including `id`'s. */
export type BusMessage =
  | { type: "event"; origin: string; name: string; id: string; internal: boolean; json: string }
  | { type: "gap"; origin: string; name: string; id: string; missed: number };

/** Reads a bus message; undefined for anything else (a newer version's message is skipped, not fatal). */
export function decodeBusMessage(text: string): BusMessage | undefined {
  const kind = text.slice(0, 2);
  if (kind === "E\n") {
    const parts = splitFirst(text.slice(2), 4);
    if (!parts) return undefined;
    const [origin, name, id, mode, json] = parts;
    return { type: "event", origin: origin!, name: name!, id: id!, internal: mode === "i", json: json! };
  }
  if (kind === "G\n") {
    const [origin, name, id, missed] = text.slice(2).split("\n");
    const count = Number(missed);
    return origin && name && id && Number.isSafeInteger(count) && count > 0 ? { type: "gap", origin, name, id, missed: count } : undefined;
  }
  return undefined;
}

/** Splits off the first `count` newline-separated fields; the rest (the JSON) is the last item. */
function splitFirst(text: string, count: number): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = text.indexOf("\n", start);
    if (end === -1) return undefined;
    parts.push(text.slice(start, end));
    start = end + 1;
  }
  parts.push(text.slice(start));
  return parts;
}

/** Stream entries are `0-<seq>`: the entry id is the event's sequence number. */
export function seqOfEntry(entryId: string): number {
  return Number(entryId.slice(entryId.indexOf("-") + 1));
}
