/**
 * A `KinesisStreamAsSource` delivery stream's reader: once a second on the emulator clock it reads each shard of
 * the source stream through the Kinesis service's own operations (ListShards, GetShardIterator, GetRecords), as
 * Firehose does on AWS. AWS starts at LATEST when the delivery stream is created (TRIM_HORIZON is not offered to
 * Firehose); shards that appear later (a reshard's children) are read from their start, each once its parents are
 * read to their end, so records of one partition key keep their order across a reshard.
 */
import type {
  GetRecordsInput,
  GetRecordsOutput,
  GetShardIteratorInput,
  GetShardIteratorOutput,
  ListShardsInput,
  ListShardsOutput,
  Shard,
} from '@aws-sdk/client-kinesis';
import { randomBytes } from 'node:crypto';
import type { Clock, Timer } from '../clock';
import type { DeliveryTracker } from '../event-delivery';
import type { IncomingRecord } from './model';

/** The Kinesis operations a delivery stream reads its source with (the emulator's Kinesis service has them). */
export interface KinesisStreamReader {
  listShards(input: ListShardsInput): ListShardsOutput | Promise<ListShardsOutput>;
  getShardIterator(input: GetShardIteratorInput): GetShardIteratorOutput | Promise<GetShardIteratorOutput>;
  getRecords(input: GetRecordsInput): GetRecordsOutput | Promise<GetRecordsOutput>;
}

/** AWS: Firehose reads each shard about once a second. */
const POLL_INTERVAL_MS = 1_000;

interface ShardPosition {
  iterator: string | undefined;
  /** Read to its end (a closed shard whose GetRecords gave no next iterator). */
  finished: boolean;
}

export class KinesisSourceReader {
  private readonly shards = new Map<string, ShardPosition>();
  private timer: Timer | undefined;
  private polling = false;
  private started = false;
  private closed = false;

  constructor(
    private readonly streamArn: string,
    private readonly reader: () => KinesisStreamReader | undefined,
    private readonly clock: Clock,
    private readonly deliveries: DeliveryTracker,
    private readonly deliver: (records: IncomingRecord[]) => void,
  ) {}

  /** Takes the LATEST position of every open shard now, then polls on the clock. */
  start(): void {
    this.deliveries.run(() => this.poll());
    this.schedule();
  }

  close(): void {
    this.closed = true;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = this.clock.setTimer(this.clock.now() + POLL_INTERVAL_MS, () => {
      this.timer = undefined;
      // one poll at a time: a slow one is not stacked on
      if (!this.polling) this.deliveries.run(() => this.poll());
      this.schedule();
    });
  }

  private async poll(): Promise<void> {
    const kinesis = this.reader();
    if (!kinesis || this.closed || this.polling) return;
    this.polling = true;
    try {
      const shards = await this.listShards(kinesis);
      const firstLook = !this.started;
      this.started = true;
      for (const shard of shards) {
        const id = shard.ShardId as string;
        let position = this.shards.get(id);
        if (!position) {
          position = { iterator: undefined, finished: false };
          this.shards.set(id, position);
          const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
          // shards already closed when Firehose started hold only records from before it: nothing to read
          if (firstLook && !open) {
            position.finished = true;
            continue;
          }
          const type = firstLook ? 'LATEST' : 'TRIM_HORIZON';
          position.iterator = (
            await kinesis.getShardIterator({
              StreamARN: this.streamArn,
              ShardId: id,
              ShardIteratorType: type,
            })
          ).ShardIterator;
        }
      }
      for (const shard of shards) {
        const id = shard.ShardId as string;
        const position = this.shards.get(id)!;
        if (position.finished || position.iterator === undefined) continue;
        if (!this.parentsRead(shard)) continue;
        await this.readShard(kinesis, id, position);
      }
    } catch {
      // the stream may be gone or throttled: AWS keeps trying, so does the next poll
    } finally {
      this.polling = false;
    }
  }

  private parentsRead(shard: Shard): boolean {
    for (const parent of [shard.ParentShardId, shard.AdjacentParentShardId]) {
      if (parent === undefined) continue;
      const position = this.shards.get(parent);
      if (position && !position.finished) return false;
    }
    return true;
  }

  private async readShard(
    kinesis: KinesisStreamReader,
    shardId: string,
    position: ShardPosition,
  ): Promise<void> {
    const output = await kinesis.getRecords({ StreamARN: this.streamArn, ShardIterator: position.iterator });
    position.iterator = output.NextShardIterator;
    if (position.iterator === undefined) position.finished = true;
    const records = output.Records ?? [];
    if (records.length === 0 || this.closed) return;
    const now = this.clock.now();
    this.deliver(
      records.map((r) => ({
        recordId: recordIdOf(),
        data: Buffer.from(r.Data ?? new Uint8Array()),
        arrivedAt: now,
        kinesis: {
          shardId,
          partitionKey: r.PartitionKey ?? '',
          approximateArrivalTimestamp: r.ApproximateArrivalTimestamp?.getTime() ?? now,
          sequenceNumber: r.SequenceNumber ?? '',
          subsequenceNumber: 0,
        },
      })),
    );
  }

  private async listShards(kinesis: KinesisStreamReader): Promise<Shard[]> {
    const shards: Shard[] = [];
    let token: string | undefined;
    do {
      const page = await kinesis.listShards(token ? { NextToken: token } : { StreamARN: this.streamArn });
      shards.push(...(page.Shards ?? []));
      token = page.NextToken;
    } while (token !== undefined);
    return shards;
  }
}

/** A record id in AWS's style: a long opaque base64 text. */
export function recordIdOf(): string {
  return randomBytes(84).toString('base64');
}
