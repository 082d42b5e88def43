/**
 * Kinesis Data Streams through @aws-sdk/client-kinesis over HTTP: ordering per key across a reshard, replay from
 * TRIM_HORIZON and AT_TIMESTAMP, retention on the manual clock, partial PutRecords failures at a lowered
 * throughput limit, iterator expiry, and AWS's errors.
 */
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  AddTagsToStreamCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  SplitShardCommand,
  StartStreamEncryptionCommand,
  UpdateShardCountCommand,
  type _Record,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createHash } from 'node:crypto';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { awsErrorOf, TEST_CREDENTIALS } from '../../helpers/emulator';

let emu: Emulator;
let clock: ManualClock;
let kinesis: KinesisClient;

async function start(options: Parameters<typeof startEmulator>[0] = {}): Promise<void> {
  clock = new ManualClock();
  emu = await startEmulator({ port: 0, clock, ...options });
  kinesis = new KinesisClient({
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    // the SDK's default for Kinesis is HTTP/2; the emulator speaks HTTP/1.1
    requestHandler: new NodeHttpHandler(),
  });
}

afterEach(async () => {
  kinesis.destroy();
  await emu.stop();
});

const text = (record: _Record) => Buffer.from(record.Data as Uint8Array).toString('utf8');

/** Every record of a shard from an iterator type, following NextShardIterator until caught up. */
async function readShard(
  StreamName: string,
  ShardId: string,
  type: ShardIteratorType = 'TRIM_HORIZON',
  extra: { Timestamp?: Date; StartingSequenceNumber?: string } = {},
): Promise<{ records: _Record[]; childShards: string[] }> {
  let { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName, ShardId, ShardIteratorType: type, ...extra }),
  );
  const records: _Record[] = [];
  for (;;) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 3 }));
    // AWS: five reads a second per shard; the reader keeps within it
    clock.advance(200);
    records.push(...(page.Records ?? []));
    if (page.ChildShards) return { records, childShards: page.ChildShards.map((c) => c.ShardId as string) };
    if ((page.Records ?? []).length === 0) return { records, childShards: [] };
    ShardIterator = page.NextShardIterator;
  }
}

/** Reads a whole stream as a consumer must: parents to their end before their children. */
async function readStream(StreamName: string): Promise<_Record[]> {
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName }));
  const done = new Set<string>();
  const all: _Record[] = [];
  const pending = [...Shards];
  while (pending.length > 0) {
    const index = pending.findIndex(
      (s) =>
        (!s.ParentShardId ||
          done.has(s.ParentShardId) ||
          !Shards.some((p) => p.ShardId === s.ParentShardId)) &&
        (!s.AdjacentParentShardId || done.has(s.AdjacentParentShardId)),
    );
    const [shard] = pending.splice(index, 1);
    all.push(...(await readShard(StreamName, shard.ShardId as string)).records);
    done.add(shard.ShardId as string);
  }
  return all;
}

test('records of one key keep their order across SplitShard and MergeShards; shards name their parents', async () => {
  // Prepare
  await start();
  await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 1 }));
  const put = (key: string, value: string) =>
    kinesis.send(new PutRecordCommand({ StreamName: 'clicks', PartitionKey: key, Data: Buffer.from(value) }));
  for (const n of [1, 2]) for (const key of ['s-a', 's-b', 's-c']) await put(key, `${key}:${n}`);
  // Act: split the only shard in the middle, write, merge the children back, write again
  await kinesis.send(
    new SplitShardCommand({
      StreamName: 'clicks',
      ShardToSplit: 'shardId-000000000000',
      NewStartingHashKey: (1n << 127n).toString(),
    }),
  );
  for (const n of [3, 4]) for (const key of ['s-a', 's-b', 's-c']) await put(key, `${key}:${n}`);
  await kinesis.send(
    new MergeShardsCommand({
      StreamName: 'clicks',
      ShardToMerge: 'shardId-000000000001',
      AdjacentShardToMerge: 'shardId-000000000002',
    }),
  );
  for (const n of [5]) for (const key of ['s-a', 's-b', 's-c']) await put(key, `${key}:${n}`);
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: 'clicks' }));
  const records = await readStream('clicks');
  // Assess
  expect(Shards.map((s) => [s.ShardId, s.ParentShardId, s.AdjacentParentShardId])).toEqual([
    ['shardId-000000000000', undefined, undefined],
    ['shardId-000000000001', 'shardId-000000000000', undefined],
    ['shardId-000000000002', 'shardId-000000000000', undefined],
    ['shardId-000000000003', 'shardId-000000000001', 'shardId-000000000002'],
  ]);
  expect(Shards[0].SequenceNumberRange?.EndingSequenceNumber).toMatch(/^\d{56}$/);
  expect(Shards[3].HashKeyRange).toEqual({
    StartingHashKey: '0',
    EndingHashKey: ((1n << 128n) - 1n).toString(),
  });
  for (const key of ['s-a', 's-b', 's-c']) {
    expect(records.filter((r) => r.PartitionKey === key).map(text)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `${key}:${n}`),
    );
  }
});

test('a partition key lands on the shard whose hash key range holds its MD5; ExplicitHashKey overrides it', async () => {
  // Prepare
  await start();
  await kinesis.send(new CreateStreamCommand({ StreamName: 'hashing', ShardCount: 4 }));
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: 'hashing' }));
  const expectedShard = (key: string) => {
    const hash = BigInt(`0x${createHash('md5').update(key).digest('hex')}`);
    return Shards.find(
      (s) =>
        BigInt(s.HashKeyRange!.StartingHashKey!) <= hash && hash <= BigInt(s.HashKeyRange!.EndingHashKey!),
    )?.ShardId;
  };
  // Act
  const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
  const placed = await Promise.all(
    keys.map((key) =>
      kinesis.send(
        new PutRecordCommand({ StreamName: 'hashing', PartitionKey: key, Data: Buffer.from(key) }),
      ),
    ),
  );
  const explicit = await kinesis.send(
    new PutRecordCommand({
      StreamName: 'hashing',
      PartitionKey: 'alpha',
      ExplicitHashKey: '0',
      Data: Buffer.from('x'),
    }),
  );
  // Assess
  expect(placed.map((p) => p.ShardId)).toEqual(keys.map(expectedShard));
  expect(placed[0].SequenceNumber).toMatch(/^\d{56}$/);
  expect(explicit.ShardId).toBe('shardId-000000000000');
  expect(Shards[3].HashKeyRange?.EndingHashKey).toBe('340282366920938463463374607431768211455');
});

test('a consumer replays from TRIM_HORIZON, from a timestamp and after a sequence number', async () => {
  // Prepare: records a minute apart
  await start();
  await kinesis.send(new CreateStreamCommand({ StreamName: 'replay', ShardCount: 1 }));
  const seqs: string[] = [];
  for (const n of [1, 2, 3, 4]) {
    const r = await kinesis.send(
      new PutRecordCommand({ StreamName: 'replay', PartitionKey: 'k', Data: Buffer.from(`r${n}`) }),
    );
    seqs.push(r.SequenceNumber as string);
    clock.advance(60_000);
  }
  const third = new Date(clock.now() - 2 * 60_000);
  // Act
  const all = await readShard('replay', 'shardId-000000000000');
  const again = await readShard('replay', 'shardId-000000000000');
  const fromTime = await readShard('replay', 'shardId-000000000000', 'AT_TIMESTAMP', { Timestamp: third });
  const after = await readShard('replay', 'shardId-000000000000', 'AFTER_SEQUENCE_NUMBER', {
    StartingSequenceNumber: seqs[1],
  });
  const at = await readShard('replay', 'shardId-000000000000', 'AT_SEQUENCE_NUMBER', {
    StartingSequenceNumber: seqs[1],
  });
  const latest = await readShard('replay', 'shardId-000000000000', 'LATEST');
  // Assess
  expect(all.records.map(text)).toEqual(['r1', 'r2', 'r3', 'r4']);
  expect(again.records.map(text)).toEqual(['r1', 'r2', 'r3', 'r4']);
  expect(all.records[0].ApproximateArrivalTimestamp?.getTime()).toBe(Date.UTC(2026, 0, 1));
  expect(fromTime.records.map(text)).toEqual(['r3', 'r4']);
  expect(after.records.map(text)).toEqual(['r3', 'r4']);
  expect(at.records.map(text)).toEqual(['r2', 'r3', 'r4']);
  expect(latest.records).toEqual([]);
});

test('MillisBehindLatest counts from the oldest unread record; an iterator expires after 5 minutes', async () => {
  // Prepare
  await start();
  await kinesis.send(new CreateStreamCommand({ StreamName: 'lag', ShardCount: 1 }));
  for (const n of [1, 2]) {
    await kinesis.send(
      new PutRecordCommand({ StreamName: 'lag', PartitionKey: 'k', Data: Buffer.from(`r${n}`) }),
    );
    clock.advance(10_000);
  }
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: 'lag',
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  // Act
  const first = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 1 }));
  const second = await kinesis.send(
    new GetRecordsCommand({ ShardIterator: first.NextShardIterator, Limit: 1 }),
  );
  clock.advance(300_001);
  const expired = await awsErrorOf(
    kinesis.send(new GetRecordsCommand({ ShardIterator: second.NextShardIterator })),
  );
  // Assess
  expect(first.MillisBehindLatest).toBe(10_000);
  expect(second.MillisBehindLatest).toBe(0);
  expect(expired.name).toBe('ExpiredIteratorException');
  expect(expired.message).toContain('tolerated delay of 300000 milliseconds');
});

test('a record past retention is gone; a longer retention keeps it', async () => {
  // Prepare
  await start();
  await kinesis.send(new CreateStreamCommand({ StreamName: 'short', ShardCount: 1 }));
  await kinesis.send(new CreateStreamCommand({ StreamName: 'long', ShardCount: 1 }));
  await kinesis.send(
    new IncreaseStreamRetentionPeriodCommand({ StreamName: 'long', RetentionPeriodHours: 48 }),
  );
  for (const StreamName of ['short', 'long'])
    await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: 'k', Data: Buffer.from('old') }));
  // Act
  clock.advance(24 * 3_600_000 + 1);
  const short = await readShard('short', 'shardId-000000000000');
  const long = await readShard('long', 'shardId-000000000000');
  const tooShort = await awsErrorOf(
    kinesis.send(
      new IncreaseStreamRetentionPeriodCommand({ StreamName: 'long', RetentionPeriodHours: 8761 }),
    ),
  );
  // Assess
  expect(short.records).toEqual([]);
  expect(long.records.map(text)).toEqual(['old']);
  expect(tooShort).toMatchObject({ name: 'InvalidArgumentException', status: 400 });
  expect(tooShort.message).toContain('Maximum allowed retention period is 8760 hours');
});

test('PutRecords fails the records over the lowered per-shard limit, one by one, and the next second takes them', async () => {
  // Prepare: three records a second per shard
  await start({ kinesisLimits: { writeRecordsPerSecond: 3 } });
  await kinesis.send(new CreateStreamCommand({ StreamName: 'busy', ShardCount: 1 }));
  const Records = [1, 2, 3, 4, 5].map((n) => ({ PartitionKey: 'k', Data: Buffer.from(`r${n}`) }));
  // Act
  const result = await kinesis.send(new PutRecordsCommand({ StreamName: 'busy', Records }));
  const single = await awsErrorOf(
    kinesis.send(new PutRecordCommand({ StreamName: 'busy', PartitionKey: 'k', Data: Buffer.from('x') })),
  );
  clock.advance(1000);
  const retried = await kinesis.send(
    new PutRecordsCommand({ StreamName: 'busy', Records: Records.slice(3) }),
  );
  // Assess
  expect(result.FailedRecordCount).toBe(2);
  expect(result.Records?.slice(0, 3).every((r) => /^\d{56}$/.test(r.SequenceNumber ?? ''))).toBe(true);
  expect(result.Records?.[3]).toEqual({
    ErrorCode: 'ProvisionedThroughputExceededException',
    ErrorMessage: 'Rate exceeded for shard shardId-000000000000 in stream busy under account 000000000000.',
  });
  expect(single.name).toBe('ProvisionedThroughputExceededException');
  expect(retried.FailedRecordCount).toBe(0);
});

test('GetRecords past five calls a second on a shard is throttled', async () => {
  // Prepare
  await start();
  await kinesis.send(new CreateStreamCommand({ StreamName: 'reads', ShardCount: 1 }));
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: 'reads',
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'LATEST',
    }),
  );
  // Act
  for (let i = 0; i < 5; i++) await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  const sixth = await awsErrorOf(kinesis.send(new GetRecordsCommand({ ShardIterator })));
  clock.advance(1000);
  const later = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  // Assess
  expect(sixth.name).toBe('ProvisionedThroughputExceededException');
  expect(later.Records).toEqual([]);
});

test('streams describe, list, tag, reshard uniformly, take on-demand mode and store encryption', async () => {
  // Prepare
  await start();
  await kinesis.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 2, Tags: { team: 'a' } }));
  await kinesis.send(
    new CreateStreamCommand({ StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }),
  );
  // Act
  await kinesis.send(new AddTagsToStreamCommand({ StreamName: 'orders', Tags: { env: 'dev' } }));
  const scaled = await kinesis.send(
    new UpdateShardCountCommand({
      StreamName: 'orders',
      TargetShardCount: 3,
      ScalingType: 'UNIFORM_SCALING',
    }),
  );
  const arn = `arn:aws:kinesis:${emu.region}:000000000000:stream/orders`;
  await kinesis.send(
    new StartStreamEncryptionCommand({ StreamARN: arn, EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }),
  );
  const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: arn }));
  const described = await kinesis.send(new DescribeStreamCommand({ StreamName: 'orders', Limit: 2 }));
  const onDemand = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'od' }));
  const list = await kinesis.send(new ListStreamsCommand({ Limit: 1 }));
  const rest = await kinesis.send(new ListStreamsCommand({ NextToken: list.NextToken }));
  const tags = await kinesis.send(new ListTagsForStreamCommand({ StreamName: 'orders' }));
  const open = await kinesis.send(
    new ListShardsCommand({ StreamName: 'orders', ShardFilter: { Type: 'AT_LATEST' } }),
  );
  const duplicate = await awsErrorOf(
    kinesis.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 })),
  );
  const missing = await awsErrorOf(kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'nope' })));
  // Assess
  expect(scaled).toMatchObject({ CurrentShardCount: 2, TargetShardCount: 3, StreamName: 'orders' });
  expect(summary.StreamDescriptionSummary).toMatchObject({
    StreamName: 'orders',
    StreamARN: arn,
    StreamStatus: 'ACTIVE',
    RetentionPeriodHours: 24,
    OpenShardCount: 3,
    EncryptionType: 'KMS',
    KeyId: 'alias/aws/kinesis',
    StreamModeDetails: { StreamMode: 'PROVISIONED' },
  });
  expect(described.StreamDescription?.Shards).toHaveLength(2);
  expect(described.StreamDescription?.HasMoreShards).toBe(true);
  expect(onDemand.StreamDescriptionSummary).toMatchObject({
    OpenShardCount: 4,
    StreamModeDetails: { StreamMode: 'ON_DEMAND' },
  });
  expect([...(list.StreamNames ?? []), ...(rest.StreamNames ?? [])]).toEqual(['od', 'orders']);
  expect(list.HasMoreStreams).toBe(true);
  expect(rest.StreamSummaries?.[0]).toMatchObject({ StreamName: 'orders', StreamARN: arn });
  expect(tags.Tags).toEqual([
    { Key: 'env', Value: 'dev' },
    { Key: 'team', Value: 'a' },
  ]);
  expect(open.Shards?.map((s) => s.ShardId)).toEqual([
    'shardId-000000000002',
    'shardId-000000000003',
    'shardId-000000000004',
  ]);
  expect(duplicate).toMatchObject({ name: 'ResourceInUseException', status: 400 });
  expect(missing).toMatchObject({
    name: 'ResourceNotFoundException',
    message: 'Stream nope under account 000000000000 not found.',
  });
});

test('bad input gets AWS errors and changes nothing', async () => {
  // Prepare
  await start();
  await kinesis.send(new CreateStreamCommand({ StreamName: 'strict', ShardCount: 1 }));
  // Act
  const tooMany = await awsErrorOf(
    kinesis.send(
      new PutRecordsCommand({
        StreamName: 'strict',
        Records: Array.from({ length: 501 }, () => ({ PartitionKey: 'k', Data: Buffer.from('x') })),
      }),
    ),
  );
  const longKey = await awsErrorOf(
    kinesis.send(
      new PutRecordCommand({ StreamName: 'strict', PartitionKey: 'k'.repeat(257), Data: Buffer.from('x') }),
    ),
  );
  const big = await awsErrorOf(
    kinesis.send(
      new PutRecordCommand({ StreamName: 'strict', PartitionKey: 'k', Data: Buffer.alloc(1_048_577) }),
    ),
  );
  const badIterator = await awsErrorOf(kinesis.send(new GetRecordsCommand({ ShardIterator: 'garbage' })));
  const noShard = await awsErrorOf(
    kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'strict',
        ShardId: 'shardId-000000000009',
        ShardIteratorType: 'LATEST',
      }),
    ),
  );
  const notAdjacent = await awsErrorOf(
    kinesis.send(
      new MergeShardsCommand({
        StreamName: 'strict',
        ShardToMerge: 'shardId-000000000000',
        AdjacentShardToMerge: 'shardId-000000000000',
      }),
    ),
  );
  const partlyBad = await awsErrorOf(
    kinesis.send(
      new PutRecordsCommand({
        StreamName: 'strict',
        Records: [
          { PartitionKey: 'k', Data: Buffer.from('ok') },
          { PartitionKey: '', Data: Buffer.from('bad') },
        ],
      }),
    ),
  );
  const stored = await readShard('strict', 'shardId-000000000000');
  // Assess
  expect(tooMany.name).toBe('ValidationException');
  expect(longKey.name).toBe('ValidationException');
  expect(big.name).toBe('ValidationException');
  expect(badIterator.name).toBe('InvalidArgumentException');
  expect(noShard.name).toBe('ResourceNotFoundException');
  expect(notAdjacent.name).toBe('InvalidArgumentException');
  expect(partlyBad.name).toBe('ValidationException');
  expect(stored.records).toEqual([]);
});
