/** The last few event ids of one subscription. */
export interface RecentIds {
  /** Remembers `id`. False when it was remembered already: the event is a duplicate. */
  add(id: string): boolean;
}

/**
 * After a resubscribe with `since`, the server may replay an event the client already handled (an
 * answer crossed a disconnect). Remembering a bounded window of ids lets the client drop it,
 * without its memory growing with the stream.
 */
export function createRecentIds(limit: number): RecentIds {
  // A Set iterates in insertion order, so its first value is always the oldest id.
  const ids = new Set<string>();
  return {
    add(id) {
      if (ids.has(id)) return false;
      ids.add(id);
      if (ids.size > limit) ids.delete(ids.values().next().value!);
      return true;
    },
  };
}
