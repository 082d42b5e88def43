/**
 * Messages by sequence number, in O(1) with no hashing: fixed-size chunks of slots, keyed by `seq >>> 12`.
 * A Map with a million churning entries rehashes its whole table now and then (and feeds the GC big
 * arrays); sequence numbers only grow, so a chunked array does the same job at a steady cost.
 */
const CHUNK_BITS = 12;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const SLOT_MASK = CHUNK_SIZE - 1;

interface Chunk<T> {
  slots: (T | undefined)[];
  live: number;
}

export class MessageIndex<T extends { readonly seq: number }> {
  private readonly chunks = new Map<number, Chunk<T>>();
  private count = 0;
  /** The chunk new sequence numbers fall into; kept even when empty, so a busy empty queue does not churn. */
  private writeChunk = -1;

  get size(): number {
    return this.count;
  }

  set(item: T): void {
    const key = item.seq >>> CHUNK_BITS;
    let chunk = this.chunks.get(key);
    if (chunk === undefined) {
      chunk = { slots: new Array<T | undefined>(CHUNK_SIZE).fill(undefined), live: 0 };
      this.chunks.set(key, chunk);
    }
    if (key > this.writeChunk) this.writeChunk = key;
    if (chunk.slots[item.seq & SLOT_MASK] === undefined) {
      chunk.live++;
      this.count++;
    }
    chunk.slots[item.seq & SLOT_MASK] = item;
  }

  get(seq: number): T | undefined {
    if (!Number.isSafeInteger(seq) || seq < 0) return undefined;
    return this.chunks.get(seq >>> CHUNK_BITS)?.slots[seq & SLOT_MASK];
  }

  delete(seq: number): void {
    const key = seq >>> CHUNK_BITS;
    const chunk = this.chunks.get(key);
    if (chunk === undefined || chunk.slots[seq & SLOT_MASK] === undefined) return;
    chunk.slots[seq & SLOT_MASK] = undefined;
    this.count--;
    if (--chunk.live === 0 && key !== this.writeChunk) this.chunks.delete(key);
  }

  /** The item with the lowest sequence number in [from, end), skipping empty chunks whole. */
  firstFrom(from: number, end: number): T | undefined {
    let seq = from;
    while (seq < end) {
      const chunk = this.chunks.get(seq >>> CHUNK_BITS);
      if (chunk === undefined || chunk.live === 0) {
        seq = ((seq >>> CHUNK_BITS) + 1) << CHUNK_BITS;
        continue;
      }
      const item = chunk.slots[seq & SLOT_MASK];
      if (item !== undefined) return item;
      seq++;
    }
    return undefined;
  }

  forEach(callback: (item: T) => void): void {
    for (const chunk of this.chunks.values()) {
      for (const item of chunk.slots) if (item !== undefined) callback(item);
    }
  }

  clear(): void {
    this.chunks.clear();
    this.count = 0;
  }
}
