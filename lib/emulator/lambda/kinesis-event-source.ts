/**
 * A Kinesis event source mapping, as Lambda runs one: each shard is read once a second on the emulator clock, in
 * order, one batch in flight per shard, through the Kinesis service's own operations. A shard's position (its
 * checkpoint) moves past a batch only once the batch succeeded or was given up; a reshard's children are read once
 * their parents are read to their end, so records of one partition key keep their order.
 *
 * On a function error, AWS's rules: with BisectBatchOnFunctionError the batch is split in two and each half tried
 * on its own (halves do not count against the retries); otherwise it is retried until MaximumRetryAttempts or
 * MaximumRecordAgeInSeconds is exhausted, then its description goes to the OnFailure destination (SQS) and the
 * shard moves on. With ReportBatchItemFailures the records before the first reported sequence number succeed and
 * the retry starts at it.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { Clock, Timer } from '../clock';
import type { StoredRecord } from '../kinesis/model';
import type { KinesisService } from '../kinesis/service';
import type { SqsService } from '../sqs/service';
import { AwsError, invalidParameterValue } from '../errors';
import type { InvocationResult } from './function-runtime';

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

export interface KinesisEventSourceSettings {
  readonly uuid: string;
  readonly streamArn: string;
  readonly functionName: string;
  /** The function's ARN, for the on-failure record's requestContext. */
  readonly functionArn: string;
  readonly startingPosition: StartingPosition;
  /** AT_TIMESTAMP: epoch milliseconds. */
  readonly startingPositionTimestamp?: number;
  /** @default 100 */
  readonly batchSize?: number;
  /** @default 0 */
  readonly maximumBatchingWindowSeconds?: number;
  /** @default false */
  readonly bisectBatchOnFunctionError?: boolean;
  /** -1 retries until the records expire. @default -1 */
  readonly maximumRetryAttempts?: number;
  /** -1 keeps records however old. @default -1 */
  readonly maximumRecordAgeSeconds?: number;
  /** @default false */
  readonly reportBatchItemFailures?: boolean;
  /** DestinationConfig.OnFailure.Destination: an SQS queue ARN. */
  readonly onFailureQueueArn?: string;
  /** The function's execution role, which records name as invokeIdentityArn. */
  readonly roleArn?: string;
}

export interface KinesisEventSourceHost {
  readonly kinesis: KinesisService;
  readonly sqs: SqsService;
  readonly clock: Clock;
  readonly region: string;
  invoke(functionName: string, event: { Records: KinesisStreamRecord[] }): Promise<InvocationResult>;
}

/** The Kinesis members of CreateEventSourceMapping, as the Lambda service keeps them. */
export interface KinesisMappingInput {
  readonly eventSourceArn: string;
  readonly batchSize?: number;
  readonly maximumBatchingWindowInSeconds?: number;
  readonly functionResponseTypes?: readonly string[];
  readonly filterPatterns?: readonly string[];
  readonly maximumConcurrency?: number;
  readonly startingPosition?: string;
  readonly startingPositionTimestamp?: number;
  readonly bisectBatchOnFunctionError?: boolean;
  readonly maximumRetryAttempts?: number;
  readonly maximumRecordAgeInSeconds?: number;
  readonly onFailureDestination?: string;
}

function validation(member: string, value: unknown, constraint: string): AwsError {
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function checkWhole(value: number | undefined, member: string, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max)
    throw validation(member, value, `Member must have value between ${min} and ${max}`);
}

/** Checks a Kinesis mapping's input as Lambda does, before anything starts. */
export function checkKinesisMapping(
  input: KinesisMappingInput,
  kinesis: KinesisService | undefined,
  sqs: SqsService,
): void {
  if (!kinesis?.streamByArn(input.eventSourceArn))
    throw invalidParameterValue(`Stream not found: ${input.eventSourceArn}`);
  const position = input.startingPosition;
  if (position === undefined)
    throw invalidParameterValue('StartingPosition is required for Kinesis event source mappings.');
  if (!['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'].includes(position))
    throw validation(
      'startingPosition',
      position,
      'Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]',
    );
  if ((position === 'AT_TIMESTAMP') !== (input.startingPositionTimestamp !== undefined))
    throw invalidParameterValue(
      'StartingPositionTimestamp is required with, and only with, StartingPosition AT_TIMESTAMP.',
    );
  // AWS: Kinesis batches are 1..10,000 records, gathered up to 300 seconds
  checkWhole(input.batchSize, 'batchSize', 1, 10_000);
  checkWhole(input.maximumBatchingWindowInSeconds, 'maximumBatchingWindowInSeconds', 0, 300);
  checkWhole(input.maximumRetryAttempts, 'maximumRetryAttempts', -1, 10_000);
  if (input.maximumRecordAgeInSeconds !== undefined && input.maximumRecordAgeInSeconds !== -1)
    checkWhole(input.maximumRecordAgeInSeconds, 'maximumRecordAgeInSeconds', 60, 604_800);
  for (const type of input.functionResponseTypes ?? []) {
    if (type !== 'ReportBatchItemFailures')
      throw validation(
        'functionResponseTypes',
        `[${type}]`,
        'Member must satisfy enum value set: [ReportBatchItemFailures]',
      );
  }
  // not emulated for streams: refused by name rather than ignored
  if (input.filterPatterns?.length)
    throw invalidParameterValue('FilterCriteria on a Kinesis source is not supported by the local emulator');
  if (input.maximumConcurrency !== undefined)
    throw invalidParameterValue('ScalingConfig on a Kinesis source is not supported by the local emulator');
  const destination = input.onFailureDestination;
  if (destination !== undefined && !(destination.startsWith('arn:aws:sqs:') && sqs.queueByArn(destination))) {
    throw invalidParameterValue(
      destination.startsWith('arn:aws:sqs:')
        ? `The destination queue ${destination} does not exist.`
        : `The OnFailure destination ${destination} is not supported by the local emulator (SQS queues only).`,
    );
  }
}

/** The mapping's settings from a checked input. */
export function kinesisSettingsOf(
  input: KinesisMappingInput,
): Omit<KinesisEventSourceSettings, 'uuid' | 'streamArn' | 'functionName' | 'functionArn'> {
  return {
    startingPosition: input.startingPosition as StartingPosition,
    startingPositionTimestamp: input.startingPositionTimestamp,
    batchSize: input.batchSize,
    maximumBatchingWindowSeconds: input.maximumBatchingWindowInSeconds,
    bisectBatchOnFunctionError: input.bisectBatchOnFunctionError,
    maximumRetryAttempts: input.maximumRetryAttempts,
    maximumRecordAgeSeconds: input.maximumRecordAgeInSeconds,
    reportBatchItemFailures: input.functionResponseTypes?.includes('ReportBatchItemFailures') ?? false,
    onFailureQueueArn: input.onFailureDestination,
  };
}

/** AWS: Lambda reads each shard of a Kinesis source about once a second. */
const POLL_INTERVAL_MS = 1_000;
const DEFAULT_BATCH_SIZE = 100;

/** A batch in flight: its records, and how many times it has been invoked and failed. */
interface PendingBatch {
  records: StoredRecord[];
  attempts: number;
}

interface ShardState {
  readonly shardId: string;
  /** Sequence number of the last record done with (succeeded or given up); undefined: start as the mapping says. */
  checkpoint: string | undefined;
  /** Whether this shard existed when the mapping started (it starts at the mapping's position; others at their start). */
  readonly initial: boolean;
  finished: boolean;
  pending: PendingBatch[];
  readonly parents: readonly string[];
}

export class KinesisEventSourceMapping {
  private readonly shards = new Map<string, ShardState>();
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    readonly settings: KinesisEventSourceSettings,
    private readonly host: KinesisEventSourceHost,
  ) {}

  /** Takes the starting position of every shard now, then polls on the clock. */
  start(): void {
    this.discover(true);
    this.schedule();
  }

  /** Takes over the shards' checkpoints of the mapping this one replaces (UpdateEventSourceMapping). */
  resumeFrom(previous: KinesisEventSourceMapping): void {
    for (const [id, shard] of previous.shards) {
      // a batch in flight is read again from the checkpoint
      this.shards.set(id, { ...shard, initial: false, pending: [] });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.host.clock.clearTimer(this.timer);
    await this.running;
  }

  /** One pass over every readable shard (tests and the poll timer). */
  poll(): Promise<void> {
    this.running ??= this.pollShards().finally(() => (this.running = undefined));
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.host.clock.setTimer(this.host.clock.now() + POLL_INTERVAL_MS, () => {
      void this.poll().then(() => this.schedule());
    });
  }

  private async pollShards(): Promise<void> {
    if (!this.discover(false)) return;
    for (const shard of this.shards.values()) {
      if (this.stopped) return;
      if (shard.finished || !this.parentsDone(shard)) continue;
      try {
        await this.pollShard(shard);
      } catch (error) {
        // a throttled read or a stream being deleted: the shard is tried again on the next poll
        if (!this.stopped) console.error(`event source ${this.settings.uuid}: ${(error as Error).message}`);
      }
    }
  }

  /** Learns new shards (a reshard's children); false when the stream is gone (AWS disables the mapping). */
  private discover(initial: boolean): boolean {
    const stream = this.host.kinesis.streamByArn(this.settings.streamArn);
    if (!stream) return false;
    for (const shard of stream.shards) {
      if (this.shards.has(shard.id)) continue;
      let checkpoint: string | undefined;
      // LATEST: what is in the shard now is skipped
      if (initial && this.settings.startingPosition === 'LATEST') checkpoint = shard.last()?.sequenceNumber;
      this.shards.set(shard.id, {
        shardId: shard.id,
        checkpoint,
        initial,
        finished: false,
        pending: [],
        parents: [shard.parentShardId, shard.adjacentParentShardId].filter((p): p is string => !!p),
      });
    }
    return true;
  }

  private parentsDone(shard: ShardState): boolean {
    return shard.parents.every((id) => {
      const parent = this.shards.get(id);
      // a parent past retention is gone: nothing of it is left to read first
      return parent === undefined || parent.finished;
    });
  }

  private async pollShard(shard: ShardState): Promise<void> {
    if (shard.pending.length === 0) {
      const batch = this.read(shard);
      if (batch === undefined) return;
      if (batch.length === 0) return;
      shard.pending.push({ records: batch, attempts: 0 });
    }
    // bisected halves are tried at once; a batch to retry waits for the next poll
    while (shard.pending.length > 0 && !this.stopped) {
      const retryLater = await this.deliver(shard, shard.pending[0]);
      if (retryLater) return;
    }
  }

  /** The next batch of the shard after its checkpoint; [] when there is none yet (or the window is still open). */
  private read(shard: ShardState): StoredRecord[] | undefined {
    const kinesis = this.host.kinesis;
    const StreamARN = this.settings.streamArn;
    const batchSize = this.settings.batchSize ?? DEFAULT_BATCH_SIZE;
    const position =
      shard.checkpoint !== undefined
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: shard.checkpoint }
        : shard.initial && this.settings.startingPosition === 'AT_TIMESTAMP'
          ? {
              ShardIteratorType: 'AT_TIMESTAMP' as const,
              Timestamp: new Date(this.settings.startingPositionTimestamp ?? 0),
            }
          : { ShardIteratorType: 'TRIM_HORIZON' as const };
    const { ShardIterator } = kinesis.getShardIterator({ StreamARN, ShardId: shard.shardId, ...position });
    const page = kinesis.getRecords({ ShardIterator, Limit: batchSize });
    const records = (page.Records ?? []).map((r) => ({
      counter: 0,
      sequenceNumber: r.SequenceNumber as string,
      partitionKey: r.PartitionKey as string,
      data: Buffer.from(r.Data as Uint8Array),
      arrivedAt: (r.ApproximateArrivalTimestamp as Date).getTime(),
      bytes: 0,
    }));
    if (records.length === 0) {
      // AWS: a closed shard read to its end hands over to its children
      if (page.NextShardIterator === undefined) shard.finished = true;
      return [];
    }
    const window = (this.settings.maximumBatchingWindowSeconds ?? 0) * 1000;
    if (records.length < batchSize && window > 0 && this.host.clock.now() - records[0].arrivedAt < window)
      return [];
    return records;
  }

  /** Invokes the function with the batch; true when the batch stays to be retried on the next poll. */
  private async deliver(shard: ShardState, batch: PendingBatch): Promise<boolean> {
    const now = this.host.clock.now();
    const maxAge = this.settings.maximumRecordAgeSeconds ?? -1;
    if (maxAge >= 0) {
      // AWS: records older than MaximumRecordAgeInSeconds are not sent; they go to the on-failure destination
      const expired = batch.records.filter((r) => now - r.arrivedAt > maxAge * 1000);
      if (expired.length > 0) {
        this.giveUp(shard, { records: expired, attempts: batch.attempts }, 'RecordAgeExceeded');
        batch.records = batch.records.slice(expired.length);
        if (batch.records.length === 0) {
          shard.pending.shift();
          return false;
        }
      }
    }
    const result = await this.host.invoke(this.settings.functionName, {
      Records: batch.records.map((r) => this.event(shard, r)),
    });
    const failedFrom = this.failedFrom(result, batch.records);
    if (failedFrom === undefined) {
      shard.pending.shift();
      shard.checkpoint = batch.records[batch.records.length - 1].sequenceNumber;
      return false;
    }
    // the records before the first failure are done
    if (failedFrom > 0) {
      shard.checkpoint = batch.records[failedFrom - 1].sequenceNumber;
      batch.records = batch.records.slice(failedFrom);
    }
    batch.attempts++;
    if (this.settings.bisectBatchOnFunctionError && batch.records.length > 1) {
      const half = Math.ceil(batch.records.length / 2);
      shard.pending.splice(
        0,
        1,
        { records: batch.records.slice(0, half), attempts: 0 },
        { records: batch.records.slice(half), attempts: 0 },
      );
      return false;
    }
    const maxRetries = this.settings.maximumRetryAttempts ?? -1;
    if (maxRetries >= 0 && batch.attempts > maxRetries) {
      shard.pending.shift();
      this.giveUp(shard, batch, 'RetryAttemptsExhausted', result);
      return false;
    }
    return true;
  }

  /** Index of the first record to retry, or undefined when the batch succeeded. */
  private failedFrom(result: InvocationResult, records: StoredRecord[]): number | undefined {
    if (!result.ok) return 0;
    if (!this.settings.reportBatchItemFailures) return undefined;
    const payload = result.payload as { batchItemFailures?: unknown } | null;
    if (payload === null || typeof payload !== 'object' || payload.batchItemFailures === undefined)
      return undefined;
    // AWS: a response that is not a valid report fails the whole batch
    if (!Array.isArray(payload.batchItemFailures)) return 0;
    let first: number | undefined;
    for (const failure of payload.batchItemFailures) {
      const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      const index = records.findIndex((r) => r.sequenceNumber === id);
      if (typeof id !== 'string' || index < 0) return 0;
      first = first === undefined ? index : Math.min(first, index);
    }
    return first;
  }

  /** Moves the checkpoint past a batch given up, and describes it to the on-failure destination as AWS does. */
  private giveUp(
    shard: ShardState,
    batch: PendingBatch,
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
    result?: InvocationResult,
  ): void {
    const first = batch.records[0];
    const last = batch.records[batch.records.length - 1];
    shard.checkpoint = last.sequenceNumber;
    const queueArn = this.settings.onFailureQueueArn;
    if (queueArn === undefined) return;
    const queue = this.host.sqs.queueByArn(queueArn);
    if (!queue) return;
    const description = {
      requestContext: {
        requestId: result?.requestId ?? '',
        functionArn: this.settings.functionArn,
        condition,
        approximateInvokeCount: batch.attempts,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        functionError: result && !result.ok ? 'Unhandled' : '',
      },
      version: '1.0',
      timestamp: new Date(this.host.clock.now()).toISOString(),
      KinesisBatchInfo: {
        shardId: shard.shardId,
        startSequenceNumber: first.sequenceNumber,
        endSequenceNumber: last.sequenceNumber,
        approximateArrivalOfFirstRecord: new Date(first.arrivedAt).toISOString(),
        approximateArrivalOfLastRecord: new Date(last.arrivedAt).toISOString(),
        batchSize: batch.records.length,
        streamArn: this.settings.streamArn,
      },
    };
    this.host.sqs.sendMessage({ QueueUrl: queue.url, MessageBody: JSON.stringify(description) });
  }

  /** A record in the shape of a Lambda Kinesis event record. */
  private event(shard: ShardState, record: StoredRecord): KinesisStreamRecord {
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        data: record.data.toString('base64'),
        approximateArrivalTimestamp: record.arrivedAt / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shard.shardId}:${record.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: this.settings.roleArn ?? '',
      awsRegion: this.host.region,
      eventSourceARN: this.settings.streamArn,
    };
  }
}
