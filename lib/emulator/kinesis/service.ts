/**
 * Amazon Kinesis Data Streams: one method per AWS operation. Validates all input before changing state, throws
 * AwsError with AWS's codes, and takes time from the Clock (retention, iterator expiry, throughput windows).
 * Stream status changes (CREATING, UPDATING, DELETING) complete at once: every stream answers ACTIVE.
 */
import type {
  AddTagsToStreamInput,
  ChildShard,
  CreateStreamInput,
  DecreaseStreamRetentionPeriodInput,
  DeleteStreamInput,
  DescribeStreamInput,
  DescribeStreamOutput,
  DescribeStreamSummaryInput,
  DescribeStreamSummaryOutput,
  GetRecordsInput,
  GetRecordsOutput,
  GetShardIteratorInput,
  GetShardIteratorOutput,
  IncreaseStreamRetentionPeriodInput,
  ListShardsInput,
  ListShardsOutput,
  ListStreamsInput,
  ListStreamsOutput,
  ListTagsForResourceInput,
  ListTagsForResourceOutput,
  ListTagsForStreamInput,
  ListTagsForStreamOutput,
  MergeShardsInput,
  PutRecordInput,
  PutRecordOutput,
  PutRecordsInput,
  PutRecordsOutput,
  PutRecordsResultEntry,
  RemoveTagsFromStreamInput,
  Shard as ShardShape,
  SplitShardInput,
  StartStreamEncryptionInput,
  StopStreamEncryptionInput,
  TagResourceInput,
  UntagResourceInput,
  UpdateShardCountInput,
  UpdateShardCountOutput,
  UpdateStreamModeInput,
} from '@aws-sdk/client-kinesis';
import type { Clock } from '../clock';
import { AwsError } from '../errors';
import {
  evenRanges,
  hashKeyOf,
  MAX_HASH_KEY,
  parseSequenceNumber,
  type Shard,
  type StoredRecord,
  Stream,
  type StreamMode,
} from './model';
import { decodeShardIterator, encodeShardIterator, ITERATOR_LIFETIME_MS } from './shard-iterator';

/** AWS's per-shard throughput limits; tests lower them to see ProvisionedThroughputExceededException. */
export interface KinesisLimits {
  /** @default 1 MiB */
  readonly writeBytesPerSecond?: number;
  /** @default 1000 */
  readonly writeRecordsPerSecond?: number;
  /** @default 5 */
  readonly readCallsPerSecond?: number;
  /** @default 2 MiB */
  readonly readBytesPerSecond?: number;
}

export interface KinesisServiceOptions {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  readonly limits?: KinesisLimits;
}

/** What CloudWatch's AWS/Kinesis metrics count, told by the service as it happens (set with `observeMetrics`). */
export interface KinesisMetricsListener {
  /** A PutRecord or PutRecords call: records and bytes stored, records refused for throughput. */
  put(
    stream: Stream,
    operation: 'PutRecord' | 'PutRecords',
    stored: number,
    bytes: number,
    throttled: number,
  ): void;
  /** A GetRecords call answered `records` of `bytes`, `millisBehind` behind the tip; or was throttled. */
  got(stream: Stream, records: number, bytes: number, millisBehind: number, throttled: boolean): void;
}

const MiB = 1_048_576;
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const STREAM_ARN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128})$/;
/** AWS: an on-demand stream starts with four shards' capacity. */
const ON_DEMAND_SHARDS = 4;
/** AWS's default shard quota per account and region. */
const MAX_SHARDS = 500;
const MAX_RECORD_BYTES = MiB;
const MAX_PUT_RECORDS = 500;
const MAX_PUT_RECORDS_BYTES = 5 * MiB;
/** AWS: GetRecords returns at most 10,000 records or 10 MiB. */
const MAX_GET_RECORDS = 10_000;
const MAX_GET_BYTES = 10 * MiB;
const MIN_RETENTION_HOURS = 24;
const MAX_RETENTION_HOURS = 8760;
const MAX_TAGS = 50;
const SHARD_ID = /^shardId-\d{12}$/;

export class KinesisService {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  private readonly limits: Required<KinesisLimits>;
  private readonly streams = new Map<string, Stream>();
  private metrics: KinesisMetricsListener | undefined;
  private readonly streamListeners = new Set<(stream: Stream) => void>();

  constructor(options: KinesisServiceOptions) {
    this.clock = options.clock;
    this.region = options.region;
    this.accountId = options.accountId;
    this.limits = {
      writeBytesPerSecond: options.limits?.writeBytesPerSecond ?? MiB,
      writeRecordsPerSecond: options.limits?.writeRecordsPerSecond ?? 1000,
      readCallsPerSecond: options.limits?.readCallsPerSecond ?? 5,
      readBytesPerSecond: options.limits?.readBytesPerSecond ?? 2 * MiB,
    };
  }

  /** Sets (or clears) the listener behind the AWS/Kinesis metrics. */
  observeMetrics(listener: KinesisMetricsListener | undefined): void {
    this.metrics = listener;
  }

  /** Runs `listener` after records land in a stream (event source mappings wake on it); returns its remover. */
  onRecords(listener: (stream: Stream) => void): () => void {
    this.streamListeners.add(listener);
    return () => this.streamListeners.delete(listener);
  }

  // ===== streams =============================================================================================

  createStream(input: CreateStreamInput): void {
    const name = requireStreamName(input.StreamName);
    const mode = streamModeOf(input.StreamModeDetails);
    let shardCount: number;
    if (mode === 'ON_DEMAND') {
      if (input.ShardCount !== undefined)
        throw invalidArgument('ShardCount is not supported for streams in ON_DEMAND mode.');
      shardCount = ON_DEMAND_SHARDS;
    } else {
      if (input.ShardCount === undefined)
        throw invalidArgument('ShardCount is required for streams in PROVISIONED mode.');
      shardCount = requireCount(input.ShardCount, 'shardCount', 1, 100_000);
    }
    const tags = tagEntries(input.Tags);
    if (this.streams.has(name)) {
      throw new AwsError(
        'ResourceInUseException',
        `Stream ${name} under account ${this.accountId} already exists.`,
      );
    }
    this.checkShardQuota(shardCount);
    const stream = new Stream(name, this.arnOf(name), this.clock.now(), shardCount, mode);
    for (const [key, value] of tags) stream.tags.set(key, value);
    this.streams.set(name, stream);
  }

  deleteStream(input: DeleteStreamInput): void {
    const stream = this.streamOf(input);
    // AWS: EnforceConsumerDeletion matters for registered (enhanced fan-out) consumers; there are none here
    this.streams.delete(stream.name);
  }

  describeStream(input: DescribeStreamInput): DescribeStreamOutput {
    const stream = this.streamOf(input);
    const limit = optionalCount(input.Limit, 'limit', 1, 10_000) ?? 100;
    const shards = this.shardsOf(stream);
    let start = 0;
    if (input.ExclusiveStartShardId !== undefined) {
      const after = requireShardId(input.ExclusiveStartShardId, 'exclusiveStartShardId');
      start = shards.findIndex((s) => s.id > after);
      if (start < 0) start = shards.length;
    }
    const page = shards.slice(start, start + limit);
    return {
      StreamDescription: {
        ...this.summaryFields(stream),
        Shards: page.map(shardShape),
        HasMoreShards: start + limit < shards.length,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
      },
    };
  }

  describeStreamSummary(input: DescribeStreamSummaryInput): DescribeStreamSummaryOutput {
    const stream = this.streamOf(input);
    this.refresh(stream);
    return {
      StreamDescriptionSummary: {
        ...this.summaryFields(stream),
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        OpenShardCount: stream.openShardCount,
        ConsumerCount: 0,
      },
    };
  }

  listStreams(input: ListStreamsInput): ListStreamsOutput {
    const limit = optionalCount(input.Limit, 'limit', 1, 10_000) ?? 100;
    const names = [...this.streams.keys()].sort();
    let after = input.ExclusiveStartStreamName;
    if (input.NextToken !== undefined) {
      if (input.ExclusiveStartStreamName !== undefined)
        throw invalidArgument('NextToken and ExclusiveStartStreamName cannot be provided together.');
      after = decodeToken(input.NextToken, 'stream');
    }
    if (after !== undefined) requireStreamName(after);
    const start = after === undefined ? 0 : names.findIndex((n) => n > after);
    const page = start < 0 ? [] : names.slice(start, start + limit);
    const more = start >= 0 && start + limit < names.length;
    return {
      StreamNames: page,
      HasMoreStreams: more,
      ...(more ? { NextToken: encodeToken('stream', page[page.length - 1], this.clock.now()) } : {}),
      StreamSummaries: page.map((name) => {
        const stream = this.streams.get(name) as Stream;
        return {
          StreamName: stream.name,
          StreamARN: stream.arn,
          StreamStatus: stream.status,
          StreamModeDetails: { StreamMode: stream.mode },
          StreamCreationTimestamp: new Date(stream.createdAt),
        };
      }),
    };
  }

  listShards(input: ListShardsInput): ListShardsOutput {
    const limit = optionalCount(input.MaxResults, 'maxResults', 1, 10_000) ?? 1000;
    let stream: Stream;
    let after: string | undefined;
    if (input.NextToken !== undefined) {
      // AWS: NextToken carries the stream; naming it again is refused
      if (
        input.StreamName !== undefined ||
        input.StreamARN !== undefined ||
        input.ExclusiveStartShardId !== undefined
      ) {
        throw invalidArgument(
          'NextToken and StreamName or ExclusiveStartShardId cannot be provided together.',
        );
      }
      const [name, shardId] = decodeListShardsToken(input.NextToken, this.clock.now());
      stream = this.streamOf({ StreamName: name });
      after = shardId;
    } else {
      stream = this.streamOf(input);
      if (input.ExclusiveStartShardId !== undefined)
        after = requireShardId(input.ExclusiveStartShardId, 'exclusiveStartShardId');
    }
    let shards = this.shardsOf(stream);
    if (input.ShardFilter !== undefined) shards = filterShards(shards, input.ShardFilter);
    if (after !== undefined) shards = shards.filter((s) => s.id > after);
    const page = shards.slice(0, limit);
    const more = shards.length > limit;
    return {
      Shards: page.map(shardShape),
      ...(more
        ? { NextToken: encodeToken('shards', `${stream.name}/${page[page.length - 1].id}`, this.clock.now()) }
        : {}),
    };
  }

  increaseStreamRetentionPeriod(input: IncreaseStreamRetentionPeriodInput): void {
    const stream = this.streamOf(input);
    const hours = retentionHours(input.RetentionPeriodHours);
    if (hours < stream.retentionHours) {
      throw invalidArgument(
        `Requested retention period (${hours} hours) for stream ${stream.name} can not be shorter than existing retention period (${stream.retentionHours} hours). Use DecreaseRetentionPeriod API.`,
      );
    }
    stream.retentionHours = hours;
  }

  decreaseStreamRetentionPeriod(input: DecreaseStreamRetentionPeriodInput): void {
    const stream = this.streamOf(input);
    const hours = retentionHours(input.RetentionPeriodHours);
    if (hours > stream.retentionHours) {
      throw invalidArgument(
        `Requested retention period (${hours} hours) for stream ${stream.name} can not be longer than existing retention period (${stream.retentionHours} hours). Use IncreaseRetentionPeriod API.`,
      );
    }
    stream.retentionHours = hours;
    this.refresh(stream);
  }

  updateStreamMode(input: UpdateStreamModeInput): void {
    if (input.StreamARN === undefined) throw validation('streamARN', 'null', 'Member must not be null');
    const stream = this.streamOf({ StreamARN: input.StreamARN });
    const mode = streamModeOf(input.StreamModeDetails ?? ({} as never), true);
    stream.mode = mode;
  }

  startStreamEncryption(input: StartStreamEncryptionInput): void {
    const stream = this.streamOf(input);
    if (input.EncryptionType !== 'KMS')
      throw invalidArgument(`Encryption type ${String(input.EncryptionType)} is not valid: use KMS.`);
    const keyId = requireText(input.KeyId, 'keyId', 1, 2048);
    stream.encryption = { type: 'KMS', keyId };
  }

  stopStreamEncryption(input: StopStreamEncryptionInput): void {
    const stream = this.streamOf(input);
    if (input.EncryptionType !== 'KMS')
      throw invalidArgument(`Encryption type ${String(input.EncryptionType)} is not valid: use KMS.`);
    requireText(input.KeyId, 'keyId', 1, 2048);
    stream.encryption = { type: 'NONE' };
  }

  // ===== resharding ==========================================================================================

  updateShardCount(input: UpdateShardCountInput): UpdateShardCountOutput {
    const stream = this.streamOf(input);
    const target = requireCount(input.TargetShardCount, 'targetShardCount', 1, 100_000);
    if (input.ScalingType !== 'UNIFORM_SCALING')
      throw validation(
        'scalingType',
        String(input.ScalingType),
        'Member must satisfy enum value set: [UNIFORM_SCALING]',
      );
    if (stream.mode === 'ON_DEMAND')
      throw invalidArgument(`UpdateShardCount is not supported for stream ${stream.name} in ON_DEMAND mode.`);
    const current = stream.openShardCount;
    // AWS: one call may at most double the open shards or halve them
    if (target > current * 2 || target < Math.ceil(current / 2)) {
      throw invalidArgument(
        `UpdateShardCount failed for stream ${stream.name} under account ${this.accountId}. Target shard count must be between ${Math.ceil(current / 2)} and ${current * 2} (50% to 200% of the current ${current} open shards).`,
      );
    }
    if (target !== current) {
      this.checkShardQuota(target - current);
      const now = this.clock.now();
      const parents = stream.openShards();
      for (const parent of parents) stream.close(parent, now);
      const ranges = evenRanges(target).map(({ start, end }) => {
        const overlapping = parents.filter((p) => p.startingHashKey <= end && p.endingHashKey >= start);
        return { start, end, parent: overlapping[0]?.id, adjacentParent: overlapping[1]?.id };
      });
      const children = stream.addShards(ranges, now);
      for (const child of children) {
        for (const parent of parents) {
          if (parent.startingHashKey <= child.endingHashKey && parent.endingHashKey >= child.startingHashKey)
            parent.childShardIds.push(child.id);
        }
      }
    }
    return {
      StreamName: stream.name,
      StreamARN: stream.arn,
      CurrentShardCount: current,
      TargetShardCount: target,
    };
  }

  splitShard(input: SplitShardInput): void {
    const stream = this.streamOf(input);
    const shard = this.openShardOf(stream, input.ShardToSplit, 'shardToSplit');
    const text = requireText(input.NewStartingHashKey, 'newStartingHashKey', 1, 128);
    if (!/^\d{1,39}$/.test(text))
      throw invalidArgument(`NewStartingHashKey ${text} is not a valid hash key.`);
    const key = BigInt(text);
    if (key <= shard.startingHashKey || key > shard.endingHashKey) {
      throw invalidArgument(
        `NewStartingHashKey ${text} used in SplitShard() on shard ${shard.id} in stream ${stream.name} under account ${this.accountId} is not both greater than one plus the shard's StartingHashKey ${shard.startingHashKey} and less than the shard's EndingHashKey ${shard.endingHashKey}.`,
      );
    }
    this.checkShardQuota(1);
    const now = this.clock.now();
    stream.close(shard, now);
    const children = stream.addShards(
      [
        { start: shard.startingHashKey, end: key - 1n, parent: shard.id },
        { start: key, end: shard.endingHashKey, parent: shard.id },
      ],
      now,
    );
    shard.childShardIds.push(...children.map((c) => c.id));
  }

  mergeShards(input: MergeShardsInput): void {
    const stream = this.streamOf(input);
    const first = this.openShardOf(stream, input.ShardToMerge, 'shardToMerge');
    const second = this.openShardOf(stream, input.AdjacentShardToMerge, 'adjacentShardToMerge');
    const [low, high] = first.startingHashKey < second.startingHashKey ? [first, second] : [second, first];
    if (first === second || low.endingHashKey + 1n !== high.startingHashKey) {
      throw invalidArgument(
        `Shards ${first.id} and ${second.id} in stream ${stream.name} under account ${this.accountId} are not an adjacent pair of shards eligible for merging`,
      );
    }
    const now = this.clock.now();
    stream.close(first, now);
    stream.close(second, now);
    const [child] = stream.addShards(
      [{ start: low.startingHashKey, end: high.endingHashKey, parent: first.id, adjacentParent: second.id }],
      now,
    );
    first.childShardIds.push(child.id);
    second.childShardIds.push(child.id);
  }

  // ===== records =============================================================================================

  putRecord(input: PutRecordInput): PutRecordOutput {
    const stream = this.streamOf(input);
    const { data, partitionKey, hashKey } = recordInput(
      input.Data,
      input.PartitionKey,
      input.ExplicitHashKey,
      '',
    );
    if (input.SequenceNumberForOrdering !== undefined) {
      // AWS: records then get sequence numbers above it; every number given out here already increases
      const text = requireText(input.SequenceNumberForOrdering, 'sequenceNumberForOrdering', 0, 128);
      if (!/^(0|[1-9]\d{0,127})$/.test(text))
        throw invalidArgument(`SequenceNumberForOrdering ${text} is not a valid sequence number.`);
    }
    this.refresh(stream);
    const shard = stream.shardFor(hashKey);
    const bytes = data.length + Buffer.byteLength(partitionKey, 'utf8');
    if (!this.admitWrite(shard, bytes)) {
      this.metrics?.put(stream, 'PutRecord', 0, 0, 1);
      throw new AwsError('ProvisionedThroughputExceededException', this.rateExceeded(stream, shard));
    }
    const record = stream.append(shard, partitionKey, data, this.clock.now());
    this.metrics?.put(stream, 'PutRecord', 1, bytes, 0);
    this.notify(stream);
    return {
      ShardId: shard.id,
      SequenceNumber: record.sequenceNumber,
      ...(stream.encryption.type === 'KMS' ? { EncryptionType: 'KMS' } : {}),
    };
  }

  putRecords(input: PutRecordsInput): PutRecordsOutput {
    const stream = this.streamOf(input);
    const entries = input.Records;
    if (!Array.isArray(entries) || entries.length === 0)
      throw validation('records', '[]', 'Member must have length greater than or equal to 1');
    if (entries.length > MAX_PUT_RECORDS) {
      throw validation(
        'records',
        `${entries.length} records`,
        `Member must have length less than or equal to ${MAX_PUT_RECORDS}`,
      );
    }
    let total = 0;
    const prepared = entries.map((entry, i) => {
      const r = recordInput(
        entry?.Data,
        entry?.PartitionKey,
        entry?.ExplicitHashKey,
        `records.${i + 1}.member.`,
      );
      total += r.data.length + Buffer.byteLength(r.partitionKey, 'utf8');
      return r;
    });
    if (total > MAX_PUT_RECORDS_BYTES) {
      throw invalidArgument(
        `Records size exceeds ${MAX_PUT_RECORDS_BYTES / MiB} MB limit: the request carries ${total} bytes of data and partition keys.`,
      );
    }
    this.refresh(stream);
    const now = this.clock.now();
    const results: PutRecordsResultEntry[] = [];
    let failed = 0;
    let storedBytes = 0;
    for (const { data, partitionKey, hashKey } of prepared) {
      const shard = stream.shardFor(hashKey);
      const bytes = data.length + Buffer.byteLength(partitionKey, 'utf8');
      if (!this.admitWrite(shard, bytes)) {
        failed++;
        results.push({
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: this.rateExceeded(stream, shard),
        });
        continue;
      }
      const record = stream.append(shard, partitionKey, data, now);
      storedBytes += bytes;
      results.push({ ShardId: shard.id, SequenceNumber: record.sequenceNumber });
    }
    this.metrics?.put(stream, 'PutRecords', entries.length - failed, storedBytes, failed);
    if (failed < entries.length) this.notify(stream);
    return {
      FailedRecordCount: failed,
      Records: results,
      ...(stream.encryption.type === 'KMS' ? { EncryptionType: 'KMS' } : {}),
    };
  }

  getShardIterator(input: GetShardIteratorInput): GetShardIteratorOutput {
    const stream = this.streamOf(input);
    const shardId = requireShardId(input.ShardId, 'shardId');
    const type = input.ShardIteratorType;
    const types = ['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER', 'TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'];
    if (typeof type !== 'string' || !types.includes(type)) {
      throw validation(
        'shardIteratorType',
        String(type),
        `Member must satisfy enum value set: [${types.join(', ')}]`,
      );
    }
    this.refresh(stream);
    const shard = this.shardOf(stream, shardId);
    let fromCounter: number;
    let fromTime = 0;
    if (type === 'AT_SEQUENCE_NUMBER' || type === 'AFTER_SEQUENCE_NUMBER') {
      const text = requireText(input.StartingSequenceNumber, 'startingSequenceNumber', 1, 128);
      const parsed = parseSequenceNumber(text);
      if (!parsed || parsed.shardIndex !== shard.index) {
        throw invalidArgument(
          `StartingSequenceNumber ${text} used in GetShardIterator on shard ${shard.id} in stream ${stream.name} under account ${this.accountId} is invalid.`,
        );
      }
      fromCounter = type === 'AT_SEQUENCE_NUMBER' ? parsed.counter : parsed.counter + 1;
    } else if (type === 'AT_TIMESTAMP') {
      if (!(input.Timestamp instanceof Date) || Number.isNaN(input.Timestamp.getTime()))
        throw invalidArgument(
          'Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.',
        );
      fromCounter = 0;
      fromTime = input.Timestamp.getTime();
    } else {
      if (input.StartingSequenceNumber !== undefined || input.Timestamp !== undefined) {
        throw invalidArgument(
          `Request for iterator of type ${type} must not specify a sequence number or timestamp.`,
        );
      }
      fromCounter = type === 'LATEST' ? (shard.open ? stream.nextCounter : Number.MAX_SAFE_INTEGER) : 0;
    }
    return {
      ShardIterator: encodeShardIterator({
        stream: stream.name,
        streamCreatedAt: stream.createdAt,
        shardIndex: shard.index,
        fromCounter,
        fromTime,
        issuedAt: this.clock.now(),
      }),
    };
  }

  getRecords(input: GetRecordsInput): GetRecordsOutput {
    const now = this.clock.now();
    const limit = optionalCount(input.Limit, 'limit', 1, MAX_GET_RECORDS) ?? MAX_GET_RECORDS;
    const iterator = decodeShardIterator(requireText(input.ShardIterator, 'shardIterator', 1, 512));
    if (iterator === undefined) throw invalidArgument('Invalid ShardIterator.');
    if (now - iterator.issuedAt > ITERATOR_LIFETIME_MS) {
      throw new AwsError(
        'ExpiredIteratorException',
        `Iterator expired. The iterator was created at time ${new Date(iterator.issuedAt).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`,
      );
    }
    const stream = this.streams.get(iterator.stream);
    if (!stream || stream.createdAt !== iterator.streamCreatedAt) throw this.notFound(iterator.stream);
    if (input.StreamARN !== undefined && input.StreamARN !== stream.arn)
      throw invalidArgument(`StreamARN ${input.StreamARN} does not match the stream of the ShardIterator.`);
    this.refresh(stream);
    const shard = stream.shardByIndex(iterator.shardIndex);
    if (!shard) {
      throw new AwsError(
        'ResourceNotFoundException',
        `Shard ${iterator.shardIndex} in stream ${stream.name} under account ${this.accountId} does not exist`,
      );
    }
    if (!this.admitRead(shard)) {
      this.metrics?.got(stream, 0, 0, 0, true);
      throw new AwsError('ProvisionedThroughputExceededException', this.rateExceeded(stream, shard));
    }
    let index =
      iterator.fromTime > 0
        ? Math.max(shard.indexFrom(iterator.fromCounter), shard.indexAtTime(iterator.fromTime))
        : shard.indexFrom(iterator.fromCounter);
    const records: StoredRecord[] = [];
    let bytes = 0;
    while (records.length < limit && index < shard.length) {
      const record = shard.recordAt(index) as StoredRecord;
      // AWS: a single record over the remaining budget still comes back when it is the first
      if (records.length > 0 && bytes + record.bytes > MAX_GET_BYTES) break;
      records.push(record);
      bytes += record.bytes;
      index++;
    }
    shard.readBytes += bytes;
    const next = shard.recordAt(index);
    const millisBehind = next ? Math.max(0, now - next.arrivedAt) : 0;
    const lastCounter = records.length > 0 ? records[records.length - 1].counter : iterator.fromCounter - 1;
    const atEnd = !shard.open && next === undefined;
    const kms = stream.encryption.type === 'KMS';
    this.metrics?.got(
      stream,
      records.length,
      bytes,
      records.length > 0 ? now - records[records.length - 1].arrivedAt : millisBehind,
      false,
    );
    return {
      Records: records.map((r) => ({
        SequenceNumber: r.sequenceNumber,
        ApproximateArrivalTimestamp: new Date(r.arrivedAt),
        Data: r.data,
        PartitionKey: r.partitionKey,
        ...(kms ? { EncryptionType: 'KMS' as const } : {}),
      })),
      MillisBehindLatest: millisBehind,
      // AWS: at the end of a closed shard there is no next iterator; the child shards say where to go on
      ...(atEnd
        ? { ChildShards: this.childShards(stream, shard) }
        : {
            NextShardIterator: encodeShardIterator({
              ...iterator,
              fromCounter: Math.max(iterator.fromCounter, lastCounter + 1),
              issuedAt: now,
            }),
          }),
    };
  }

  // ===== tags ================================================================================================

  addTagsToStream(input: AddTagsToStreamInput): void {
    const stream = this.streamOf(input);
    this.tag(stream, tagEntries(input.Tags, true));
  }

  removeTagsFromStream(input: RemoveTagsFromStreamInput): void {
    const stream = this.streamOf(input);
    const keys = tagKeys(input.TagKeys);
    for (const key of keys) stream.tags.delete(key);
  }

  listTagsForStream(input: ListTagsForStreamInput): ListTagsForStreamOutput {
    const stream = this.streamOf(input);
    const limit = optionalCount(input.Limit, 'limit', 1, 50) ?? 50;
    const after = input.ExclusiveStartTagKey;
    const keys = [...stream.tags.keys()].sort().filter((k) => after === undefined || k > after);
    return {
      Tags: keys.slice(0, limit).map((Key) => ({ Key, Value: stream.tags.get(Key) })),
      HasMoreTags: keys.length > limit,
    };
  }

  tagResource(input: TagResourceInput): void {
    const stream = this.streamOf({ StreamARN: requireText(input.ResourceARN, 'resourceARN', 1, 2048) });
    this.tag(stream, tagEntries(input.Tags, true));
  }

  untagResource(input: UntagResourceInput): void {
    const stream = this.streamOf({ StreamARN: requireText(input.ResourceARN, 'resourceARN', 1, 2048) });
    for (const key of tagKeys(input.TagKeys)) stream.tags.delete(key);
  }

  listTagsForResource(input: ListTagsForResourceInput): ListTagsForResourceOutput {
    const stream = this.streamOf({ StreamARN: requireText(input.ResourceARN, 'resourceARN', 1, 2048) });
    return {
      Tags: [...stream.tags].sort(([a], [b]) => (a < b ? -1 : 1)).map(([Key, Value]) => ({ Key, Value })),
    };
  }

  // ===== in-process API (event source mappings, Firehose, metrics, console) ===================================

  /** Every stream, in name order. */
  allStreams(): Stream[] {
    return [...this.streams.keys()].sort().map((name) => this.streams.get(name) as Stream);
  }

  /** The stream of an ARN, if it exists (retention applied). */
  streamByArn(arn: string): Stream | undefined {
    const match = STREAM_ARN.exec(arn);
    const stream = match ? this.streams.get(match[2]) : undefined;
    if (stream && stream.arn === arn) {
      this.refresh(stream);
      return stream;
    }
    return undefined;
  }

  /** Deletes every stream (a reset). */
  deleteAllStreams(): void {
    this.streams.clear();
  }

  // ===== private =============================================================================================

  private tag(stream: Stream, tags: ReadonlyArray<[string, string]>): void {
    const keys = new Set([...stream.tags.keys(), ...tags.map(([k]) => k)]);
    if (keys.size > MAX_TAGS) {
      throw new AwsError(
        'LimitExceededException',
        `Failed to add tags to stream ${stream.name} under account ${this.accountId} because a given stream cannot have more than ${MAX_TAGS} tags.`,
      );
    }
    for (const [key, value] of tags) stream.tags.set(key, value);
  }

  private notify(stream: Stream): void {
    for (const listener of this.streamListeners) listener(stream);
  }

  /** Applies retention: records (and closed shards) past it are gone. */
  private refresh(stream: Stream): void {
    stream.expire(this.clock.now());
  }

  private shardsOf(stream: Stream): Shard[] {
    this.refresh(stream);
    return [...stream.shards].sort((a, b) => a.index - b.index);
  }

  private childShards(stream: Stream, shard: Shard): ChildShard[] {
    return shard.childShardIds.flatMap((id) => {
      const child = stream.shard(id);
      if (!child) return [];
      return [
        {
          ShardId: child.id,
          ParentShards: [child.parentShardId, child.adjacentParentShardId].filter((p): p is string => !!p),
          HashKeyRange: {
            StartingHashKey: child.startingHashKey.toString(),
            EndingHashKey: child.endingHashKey.toString(),
          },
        },
      ];
    });
  }

  /** Counts a record against the shard's second; false when it would pass a write limit. */
  private admitWrite(shard: Shard, bytes: number): boolean {
    const second = Math.floor(this.clock.now() / 1000);
    if (shard.writeSecond !== second) {
      shard.writeSecond = second;
      shard.writeBytes = 0;
      shard.writeRecords = 0;
    }
    if (
      shard.writeRecords + 1 > this.limits.writeRecordsPerSecond ||
      shard.writeBytes + bytes > this.limits.writeBytesPerSecond
    )
      return false;
    shard.writeRecords++;
    shard.writeBytes += bytes;
    return true;
  }

  /** Counts a GetRecords call against the shard's second; false past 5 calls or 2 MiB read in it. */
  private admitRead(shard: Shard): boolean {
    const second = Math.floor(this.clock.now() / 1000);
    if (shard.readSecond !== second) {
      shard.readSecond = second;
      shard.readCalls = 0;
      // AWS: a read over the per-second budget is paid back in the following seconds
      shard.readBytes = Math.max(0, shard.readBytes - this.limits.readBytesPerSecond);
    }
    if (
      shard.readCalls >= this.limits.readCallsPerSecond ||
      shard.readBytes >= this.limits.readBytesPerSecond
    )
      return false;
    shard.readCalls++;
    return true;
  }

  private rateExceeded(stream: Stream, shard: Shard): string {
    return `Rate exceeded for shard ${shard.id} in stream ${stream.name} under account ${this.accountId}.`;
  }

  private checkShardQuota(adding: number): void {
    const open = [...this.streams.values()].reduce((n, s) => n + s.openShardCount, 0);
    if (open + adding > MAX_SHARDS) {
      throw new AwsError(
        'LimitExceededException',
        `This request would exceed the shard limit for the account ${this.accountId} in ${this.region}. Current limit of shards is ${MAX_SHARDS}. Number of shards that would have resulted from this request is ${open + adding}.`,
      );
    }
  }

  private arnOf(name: string): string {
    return `arn:aws:kinesis:${this.region}:${this.accountId}:stream/${name}`;
  }

  private notFound(name: string): AwsError {
    return new AwsError(
      'ResourceNotFoundException',
      `Stream ${name} under account ${this.accountId} not found.`,
    );
  }

  /** The stream a request names, by StreamName or StreamARN (AWS: either; both must agree). */
  private streamOf(input: { StreamName?: string; StreamARN?: string }): Stream {
    let name: string | undefined;
    if (input.StreamARN !== undefined) {
      const match = typeof input.StreamARN === 'string' ? STREAM_ARN.exec(input.StreamARN) : null;
      if (!match) {
        throw validation(
          'streamARN',
          String(input.StreamARN),
          'Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+',
        );
      }
      if (match[1] !== this.accountId) throw this.notFound(match[2]);
      name = match[2];
      if (input.StreamName !== undefined && input.StreamName !== name)
        throw invalidArgument('StreamARN and StreamName do not refer to the same stream.');
    } else if (input.StreamName !== undefined) {
      name = requireStreamName(input.StreamName);
    } else {
      throw invalidArgument('Either StreamName or StreamARN should be provided.');
    }
    const stream = this.streams.get(name);
    if (!stream) throw this.notFound(name);
    return stream;
  }

  private shardOf(stream: Stream, id: string): Shard {
    const shard = stream.shard(id);
    if (!shard) {
      throw new AwsError(
        'ResourceNotFoundException',
        `Shard ${id} in stream ${stream.name} under account ${this.accountId} does not exist`,
      );
    }
    return shard;
  }

  private openShardOf(stream: Stream, id: unknown, member: string): Shard {
    const shard = this.shardOf(stream, requireShardId(id, member));
    if (!shard.open) {
      throw new AwsError(
        'ResourceInUseException',
        `Shard ${shard.id} in stream ${stream.name} under account ${this.accountId} has already been merged or split, and thus is not eligible for merging or splitting.`,
      );
    }
    return shard;
  }

  private summaryFields(stream: Stream) {
    return {
      StreamName: stream.name,
      StreamARN: stream.arn,
      StreamStatus: stream.status,
      StreamModeDetails: { StreamMode: stream.mode },
      RetentionPeriodHours: stream.retentionHours,
      StreamCreationTimestamp: new Date(stream.createdAt),
      EncryptionType: stream.encryption.type,
      ...(stream.encryption.keyId !== undefined ? { KeyId: stream.encryption.keyId } : {}),
    };
  }
}

function filterShards(shards: Shard[], filter: NonNullable<ListShardsInput['ShardFilter']>): Shard[] {
  const type = filter.Type;
  const time = filter.Timestamp instanceof Date ? filter.Timestamp.getTime() : undefined;
  const needsTime = type === 'AT_TIMESTAMP' || type === 'FROM_TIMESTAMP';
  if (needsTime && time === undefined)
    throw invalidArgument(`ShardFilter type ${type} requires a Timestamp.`);
  if (type === 'AFTER_SHARD_ID') {
    const after = requireShardId(filter.ShardId, 'shardFilter.shardId');
    return shards.filter((s) => s.id > after);
  }
  if (filter.ShardId !== undefined)
    throw invalidArgument(`ShardFilter type ${String(type)} does not take a ShardId.`);
  const known = new Set(shards.map((s) => s.id));
  switch (type) {
    case 'AT_LATEST':
      return shards.filter((s) => s.open);
    case 'AT_TRIM_HORIZON':
      // the oldest retained generation: shards whose parents are gone
      return shards.filter(
        (s) =>
          !(s.parentShardId && known.has(s.parentShardId)) &&
          !(s.adjacentParentShardId && known.has(s.adjacentParentShardId)),
      );
    case 'FROM_TRIM_HORIZON':
      return shards;
    case 'AT_TIMESTAMP':
      return shards.filter((s) => s.createdAt <= time! && (s.open || s.closedAt! > time!));
    case 'FROM_TIMESTAMP':
      return shards.filter((s) => s.open || s.closedAt! > time!);
    default:
      throw validation(
        'shardFilter.type',
        String(type),
        'Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]',
      );
  }
}

// ----- input checks -------------------------------------------------------------------------------------------

function invalidArgument(message: string): AwsError {
  return new AwsError('InvalidArgumentException', message);
}

/** AWS's front-end validation: `1 validation error detected: Value 'x' at 'member' failed to satisfy …`. */
function validation(member: string, value: string, constraint: string): AwsError {
  const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function requireText(value: unknown, member: string, min: number, max: number): string {
  if (value === undefined || value === null) throw validation(member, 'null', 'Member must not be null');
  if (typeof value !== 'string') throw validation(member, String(value), 'Member must be a string');
  if (value.length < min)
    throw validation(member, value, `Member must have length greater than or equal to ${min}`);
  if (value.length > max)
    throw validation(member, value, `Member must have length less than or equal to ${max}`);
  return value;
}

function requireStreamName(value: unknown): string {
  const name = requireText(value, 'streamName', 1, 128);
  if (!STREAM_NAME.test(name))
    throw validation('streamName', name, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
  return name;
}

function requireShardId(value: unknown, member: string): string {
  const id = requireText(value, member, 1, 128);
  if (!/^[a-zA-Z0-9_.-]+$/.test(id))
    throw validation(member, id, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
  // AWS accepts the bare number too (`1` for shardId-000000000001)
  return SHARD_ID.test(id) || !/^\d{1,12}$/.test(id) ? id : `shardId-${id.padStart(12, '0')}`;
}

function requireCount(value: unknown, member: string, min: number, max: number): number {
  if (value === undefined || value === null) throw validation(member, 'null', 'Member must not be null');
  return optionalCount(value, member, min, max) as number;
}

function optionalCount(value: unknown, member: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw validation(member, String(value), 'Member must be an integer');
  if (value < min)
    throw validation(member, String(value), `Member must have value greater than or equal to ${min}`);
  if (value > max)
    throw validation(member, String(value), `Member must have value less than or equal to ${max}`);
  return value;
}

function retentionHours(value: unknown): number {
  const hours = requireCount(value, 'retentionPeriodHours', 1, 1_000_000);
  if (hours < MIN_RETENTION_HOURS) {
    throw invalidArgument(
      `Minimum allowed retention period is ${MIN_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too short.`,
    );
  }
  if (hours > MAX_RETENTION_HOURS) {
    throw invalidArgument(
      `Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too long.`,
    );
  }
  return hours;
}

function streamModeOf(details: unknown, required = false): StreamMode {
  if (details === undefined || details === null) {
    if (required) throw validation('streamModeDetails', 'null', 'Member must not be null');
    return 'PROVISIONED';
  }
  const mode = (details as { StreamMode?: unknown }).StreamMode;
  if (mode !== 'PROVISIONED' && mode !== 'ON_DEMAND') {
    throw validation(
      'streamModeDetails.streamMode',
      String(mode),
      'Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]',
    );
  }
  return mode;
}

/** A record's data, key and hash key, checked as AWS does (data ≤ 1 MiB with the key, key 1..256 characters). */
function recordInput(
  data: unknown,
  key: unknown,
  explicitHashKey: unknown,
  prefix: string,
): { data: Buffer; partitionKey: string; hashKey: bigint } {
  if (data === undefined || data === null)
    throw validation(`${prefix}data`, 'null', 'Member must not be null');
  if (!(data instanceof Uint8Array))
    throw validation(`${prefix}data`, typeof data, 'Member must be binary data');
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const partitionKey = requireText(key, `${prefix}partitionKey`, 1, 256);
  if (buffer.length > MAX_RECORD_BYTES) {
    throw validation(
      `${prefix}data`,
      'java.nio.HeapByteBuffer',
      `Member must have length less than or equal to ${MAX_RECORD_BYTES}`,
    );
  }
  if (buffer.length + Buffer.byteLength(partitionKey, 'utf8') > MAX_RECORD_BYTES) {
    throw invalidArgument(
      `Record size (data and partition key) exceeds the limit of ${MAX_RECORD_BYTES} bytes.`,
    );
  }
  let hashKey: bigint;
  if (explicitHashKey !== undefined && explicitHashKey !== null) {
    const text = requireText(explicitHashKey, `${prefix}explicitHashKey`, 1, 128);
    if (!/^\d{1,39}$/.test(text) || BigInt(text) > MAX_HASH_KEY) {
      throw invalidArgument(
        `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${text}`,
      );
    }
    hashKey = BigInt(text);
  } else {
    hashKey = hashKeyOf(partitionKey);
  }
  return { data: buffer, partitionKey, hashKey };
}

function tagEntries(tags: unknown, required = false): Array<[string, string]> {
  if (tags === undefined || tags === null) {
    if (required) throw validation('tags', 'null', 'Member must not be null');
    return [];
  }
  const entries = Object.entries(tags as Record<string, unknown>);
  if (required && entries.length === 0)
    throw validation('tags', '{}', 'Member must have length greater than or equal to 1');
  if (entries.length > MAX_TAGS)
    throw validation(
      'tags',
      `${entries.length} tags`,
      `Member must have length less than or equal to ${MAX_TAGS}`,
    );
  return entries.map(([key, value]) => {
    requireText(key, 'tags.key', 1, 128);
    return [key, requireText(value ?? '', 'tags.value', 0, 256)];
  });
}

function tagKeys(keys: unknown): string[] {
  if (!Array.isArray(keys) || keys.length === 0)
    throw validation('tagKeys', String(keys), 'Member must have length greater than or equal to 1');
  if (keys.length > MAX_TAGS)
    throw validation(
      'tagKeys',
      `${keys.length} keys`,
      `Member must have length less than or equal to ${MAX_TAGS}`,
    );
  return keys.map((k) => requireText(k, 'tagKeys.member', 1, 128));
}

function shardShape(shard: Shard): ShardShape {
  return {
    ShardId: shard.id,
    ...(shard.parentShardId ? { ParentShardId: shard.parentShardId } : {}),
    ...(shard.adjacentParentShardId ? { AdjacentParentShardId: shard.adjacentParentShardId } : {}),
    HashKeyRange: {
      StartingHashKey: shard.startingHashKey.toString(),
      EndingHashKey: shard.endingHashKey.toString(),
    },
    SequenceNumberRange: {
      StartingSequenceNumber: shard.startingSequenceNumber,
      ...(shard.endingSequenceNumber ? { EndingSequenceNumber: shard.endingSequenceNumber } : {}),
    },
  };
}

// ----- pagination tokens --------------------------------------------------------------------------------------

/** AWS: ListShards' NextToken is good for 300 seconds. */
const TOKEN_LIFETIME_MS = 300_000;

function encodeToken(kind: string, value: string, now: number): string {
  return Buffer.from(`${kind}|${now}|${value}`, 'utf8').toString('base64url');
}

function decodeToken(token: unknown, kind: string): string {
  const text =
    typeof token === 'string' && token.length <= 1024 ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const [k, at, ...rest] = text.split('|');
  if (k !== kind || !/^\d{1,15}$/.test(at ?? '') || rest.length === 0)
    throw invalidArgument(`NextToken ${String(token).slice(0, 64)} is not valid.`);
  return rest.join('|');
}

function decodeListShardsToken(token: unknown, now: number): [string, string] {
  const text =
    typeof token === 'string' && token.length <= 1024 ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const [k, at, value] = text.split('|');
  const slash = value?.indexOf('/') ?? -1;
  if (k !== 'shards' || !/^\d{1,15}$/.test(at ?? '') || slash < 1)
    throw invalidArgument('Invalid NextToken.');
  if (now - Number(at) > TOKEN_LIFETIME_MS) {
    throw new AwsError(
      'ExpiredNextTokenException',
      'The NextToken has expired. Make a new ListShards call without it.',
    );
  }
  return [value.slice(0, slash), value.slice(slash + 1)];
}
