/**
 * Shard iterators: opaque to clients, they hold where reading goes on (the stream, which incarnation of it, the
 * shard, the next record's counter, an AT_TIMESTAMP bound) and when they were issued, as AWS's expire 5 minutes
 * after. Nothing is kept per iterator on the server, so any number of readers costs nothing.
 */

/** AWS: a shard iterator expires five minutes after it is returned. */
export const ITERATOR_LIFETIME_MS = 300_000;

export interface ShardPosition {
  readonly stream: string;
  /** The stream's creation time: an iterator of a deleted and re-created stream is refused. */
  readonly streamCreatedAt: number;
  readonly shardIndex: number;
  /** The counter of the next record to read (records below it were read). */
  readonly fromCounter: number;
  /** AT_TIMESTAMP: records that arrived before this are skipped; 0 for none. */
  readonly fromTime: number;
  readonly issuedAt: number;
}

const PREFIX = 'AAAAAAAAAA';

export function encodeShardIterator(p: ShardPosition): string {
  const text = [p.streamCreatedAt, p.shardIndex, p.fromCounter, p.fromTime, p.issuedAt, p.stream].join('|');
  return `${PREFIX}${Buffer.from(text, 'utf8').toString('base64')}`;
}

/** The position an iterator holds, or undefined for text this emulator did not hand out. */
export function decodeShardIterator(iterator: string): ShardPosition | undefined {
  if (!iterator.startsWith(PREFIX) || iterator.length > 512) return undefined;
  const parts = Buffer.from(iterator.slice(PREFIX.length), 'base64').toString('utf8').split('|');
  if (parts.length !== 6) return undefined;
  const numbers = parts.slice(0, 5).map((p) => (/^\d{1,16}$/.test(p) ? Number(p) : Number.NaN));
  if (numbers.some((n) => !Number.isSafeInteger(n))) return undefined;
  const [streamCreatedAt, shardIndex, fromCounter, fromTime, issuedAt] = numbers;
  return { stream: parts[5], streamCreatedAt, shardIndex, fromCounter, fromTime, issuedAt };
}
