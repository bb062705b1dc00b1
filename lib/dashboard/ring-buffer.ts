/**
 * A fixed-capacity ring: pushing into a full ring evicts the oldest item. The dashboard keeps the
 * last traces in one, so its memory stays bounded however fast traffic arrives.
 *
 * @example
 * const ring = createRing<number>(3);
 * [1, 2, 3, 4].forEach((n) => ring.push(n));
 * ring.newestFirst(); // [4, 3, 2]
 */
export interface Ring<T> {
  readonly capacity: number;
  readonly size: number;
  /** Adds an item; returns the one evicted to make room, if any. */
  push(item: T): T | undefined;
  /** Every item, newest first (a fresh array). */
  newestFirst(): T[];
  clear(): void;
}

export function createRing<T>(capacity: number): Ring<T> {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`A ring's capacity is ${String(capacity)}: expected a positive integer`);
  }
  const slots: (T | undefined)[] = new Array(capacity);
  let next = 0; // where the next push goes
  let size = 0;
  return {
    capacity,
    get size() {
      return size;
    },
    push(item) {
      const evicted = size === capacity ? slots[next] : undefined;
      slots[next] = item;
      next = (next + 1) % capacity;
      if (size < capacity) size++;
      return evicted;
    },
    newestFirst() {
      const items: T[] = new Array(size);
      for (let i = 0; i < size; i++) items[i] = slots[(next - 1 - i + capacity) % capacity] as T;
      return items;
    },
    clear() {
      slots.fill(undefined);
      next = 0;
      size = 0;
    },
  };
}
