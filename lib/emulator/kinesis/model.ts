/**
 * Kinesis Data Streams' state: streams made of shards, each shard a hash key range and an append-only list of
 * records in sequence-number order. Pure state: the service validates input and brings the time.
 */
import { createHash } from 'node:crypto';

/** AWS: hash keys are 128-bit unsigned integers; the MD5 of a partition key is one. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** A record as a shard keeps it. */
export interface StoredRecord {
  /** Stream-wide arrival order: the part of the sequence number that orders records. */
  readonly counter: number;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Buffer;
  /** Epoch milliseconds (ApproximateArrivalTimestamp). */
  readonly arrivedAt: number;
  /** Data and partition key bytes: what throughput limits and metrics count. */
  readonly bytes: number;
}

/**
 * A sequence number: `49`, the 40-digit stream-wide counter, the 14-digit shard index. 56 decimal digits as on
 * AWS, increasing within a shard, and telling which shard it belongs to.
 */
export function sequenceNumberOf(counter: number, shardIndex: number): string {
  return `49${String(counter).padStart(40, '0')}${String(shardIndex).padStart(14, '0')}`;
}

/** The counter and shard index of a sequence number this emulator issued, or undefined. */
export function parseSequenceNumber(text: string): { counter: number; shardIndex: number } | undefined {
  if (text.length !== 56 || !/^49\d{54}$/.test(text)) return undefined;
  const counter = Number(text.slice(2, 42));
  const shardIndex = Number(text.slice(42));
  return Number.isSafeInteger(counter) && Number.isSafeInteger(shardIndex)
    ? { counter, shardIndex }
    : undefined;
}

/** AWS: a record goes to the shard whose range holds the MD5 of its partition key, read as a 128-bit integer. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

export class Shard {
  readonly id: string;
  /** Records in order; those before `head` are past retention and no longer readable. */
  private readonly records: StoredRecord[] = [];
  private head = 0;
  /** Set when a reshard closes the shard: it takes no more records and is read to its end. */
  endingSequenceNumber: string | undefined;
  closedAt: number | undefined;
  readonly childShardIds: string[] = [];
  /** Throughput accounting: the second (epoch seconds) the counts below belong to. */
  writeSecond = -1;
  writeBytes = 0;
  writeRecords = 0;
  readSecond = -1;
  readCalls = 0;
  readBytes = 0;

  constructor(
    readonly index: number,
    readonly startingHashKey: bigint,
    readonly endingHashKey: bigint,
    readonly startingSequenceNumber: string,
    readonly createdAt: number,
    readonly parentShardId?: string,
    readonly adjacentParentShardId?: string,
  ) {
    this.id = shardIdOf(index);
  }

  get open(): boolean {
    return this.endingSequenceNumber === undefined;
  }

  holds(hashKey: bigint): boolean {
    return hashKey >= this.startingHashKey && hashKey <= this.endingHashKey;
  }

  append(record: StoredRecord): void {
    this.records.push(record);
  }

  /** Drops records that arrived before `oldestKept` (AWS: a record past retention is gone). */
  expire(oldestKept: number): void {
    while (this.head < this.records.length && this.records[this.head].arrivedAt < oldestKept) this.head++;
    // compact once half the array is dead, so expiry stays O(1) amortised
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Index of the first retained record whose counter is at least `counter` (binary search). */
  indexFrom(counter: number): number {
    let lo = this.head;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.records[mid].counter < counter) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first retained record that arrived at or after `atMs`. */
  indexAtTime(atMs: number): number {
    let lo = this.head;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.records[mid].arrivedAt < atMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  recordAt(index: number): StoredRecord | undefined {
    return index >= this.head ? this.records[index] : undefined;
  }

  get length(): number {
    return this.records.length;
  }

  get retainedCount(): number {
    return this.records.length - this.head;
  }

  /** The newest record, if any is retained. */
  last(): StoredRecord | undefined {
    return this.records.length > this.head ? this.records[this.records.length - 1] : undefined;
  }
}

export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';

export class Stream {
  readonly shards: Shard[] = [];
  readonly tags = new Map<string, string>();
  retentionHours = 24;
  mode: StreamMode;
  encryption: { type: 'NONE' | 'KMS'; keyId?: string } = { type: 'NONE' };
  status: 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING' = 'ACTIVE';
  /** Next stream-wide counter (sequence numbers). */
  private counter = 1;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly createdAt: number,
    shardCount: number,
    mode: StreamMode,
  ) {
    this.mode = mode;
    this.addShards(evenRanges(shardCount), createdAt);
  }

  /** Open shards, in hash key order. */
  openShards(): Shard[] {
    return this.shards.filter((s) => s.open).sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));
  }

  shard(id: string): Shard | undefined {
    return this.shards.find((s) => s.id === id);
  }

  shardByIndex(index: number): Shard | undefined {
    return this.shards.find((s) => s.index === index);
  }

  /** The open shard that takes a record of this hash key. */
  shardFor(hashKey: bigint): Shard {
    const shard = this.shards.find((s) => s.open && s.holds(hashKey));
    if (!shard) throw new Error(`no open shard holds hash key ${hashKey}`);
    return shard;
  }

  /** The counter the next record gets (LATEST iterators start here). */
  get nextCounter(): number {
    return this.counter;
  }

  append(shard: Shard, partitionKey: string, data: Buffer, now: number): StoredRecord {
    const counter = this.counter++;
    const record: StoredRecord = {
      counter,
      sequenceNumber: sequenceNumberOf(counter, shard.index),
      partitionKey,
      data,
      arrivedAt: now,
      bytes: data.length + Buffer.byteLength(partitionKey, 'utf8'),
    };
    shard.append(record);
    return record;
  }

  /** Adds open shards over the given ranges (children name their parents). */
  addShards(
    ranges: ReadonlyArray<{ start: bigint; end: bigint; parent?: string; adjacentParent?: string }>,
    now: number,
  ): Shard[] {
    const added: Shard[] = [];
    for (const range of ranges) {
      const index = this.shards.length === 0 ? 0 : Math.max(...this.shards.map((s) => s.index)) + 1;
      const shard = new Shard(
        index,
        range.start,
        range.end,
        sequenceNumberOf(this.counter, index),
        now,
        range.parent,
        range.adjacentParent,
      );
      this.shards.push(shard);
      added.push(shard);
    }
    return added;
  }

  /** Closes a shard: its ending sequence number is the last one it could have had. */
  close(shard: Shard, now: number): void {
    shard.endingSequenceNumber = sequenceNumberOf(Math.max(0, this.counter - 1), shard.index);
    shard.closedAt = now;
  }

  /** Drops records past retention in every shard, and shards closed longer ago than retention. */
  expire(now: number): void {
    const oldestKept = now - this.retentionHours * 3_600_000;
    for (const shard of this.shards) shard.expire(oldestKept);
    for (let i = this.shards.length - 1; i >= 0; i--) {
      const shard = this.shards[i];
      // AWS: a closed shard is removed once its records are past retention
      if (!shard.open && shard.closedAt! < oldestKept && shard.retainedCount === 0) this.shards.splice(i, 1);
    }
  }

  get openShardCount(): number {
    return this.shards.reduce((n, s) => n + (s.open ? 1 : 0), 0);
  }
}

/** `count` hash key ranges splitting the 128-bit space evenly, as CreateStream and UNIFORM_SCALING do. */
export function evenRanges(count: number): Array<{ start: bigint; end: bigint }> {
  const size = (MAX_HASH_KEY + 1n) / BigInt(count);
  const ranges: Array<{ start: bigint; end: bigint }> = [];
  for (let i = 0; i < count; i++) {
    const start = size * BigInt(i);
    ranges.push({ start, end: i === count - 1 ? MAX_HASH_KEY : start + size - 1n });
  }
  return ranges;
}
