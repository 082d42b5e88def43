/**
 * The Kinesis event source mapping: records written through the real SDK, delivered in per-shard ordered batches
 * to an in-process function; bisect on error lands the failing record in the on-failure queue with AWS's record
 * shape; ReportBatchItemFailures retries from the reported sequence number; LATEST skips what was there.
 */
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamRecord } from 'aws-lambda';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import {
  KinesisEventSourceMapping,
  type KinesisEventSourceSettings,
} from '../../../lib/emulator/lambda/kinesis-event-source';
import { sqsClientFor, TEST_CREDENTIALS } from '../../helpers/emulator';

let emu: Emulator;
let clock: ManualClock;
let kinesis: KinesisClient;
let sqs: SQSClient;
const mappings: KinesisEventSourceMapping[] = [];

beforeEach(async () => {
  clock = new ManualClock();
  emu = await startEmulator({ port: 0, clock });
  kinesis = new KinesisClient({
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  sqs = sqsClientFor(emu.endpoint);
});
afterEach(async () => {
  await Promise.all(mappings.splice(0).map((m) => m.stop()));
  kinesis.destroy();
  sqs.destroy();
  await emu.stop();
});

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:consumer';
const decode = (r: KinesisStreamRecord) => Buffer.from(r.kinesis.data, 'base64').toString();

/** A mapping onto an in-process handler; `batches` holds each batch's decoded data in the order invoked. */
function map(
  settings: Omit<KinesisEventSourceSettings, 'uuid' | 'functionName' | 'functionArn' | 'streamArn'>,
  handler: (records: KinesisStreamRecord[]) => unknown,
) {
  const batches: string[][] = [];
  const events: KinesisStreamRecord[][] = [];
  const mapping = new KinesisEventSourceMapping(
    {
      uuid: 'test',
      functionName: 'consumer',
      functionArn: FUNCTION_ARN,
      streamArn: `arn:aws:kinesis:${emu.region}:000000000000:stream/clicks`,
      ...settings,
    },
    {
      kinesis: emu.kinesis,
      sqs: emu.sqs,
      clock,
      region: emu.region,
      async invoke(_name, event) {
        batches.push(event.Records.map(decode));
        events.push(event.Records);
        try {
          return { ok: true, requestId: 'r', payload: (await handler(event.Records)) ?? null, durationMs: 1 };
        } catch (error) {
          return {
            ok: false,
            requestId: 'r',
            error: { errorType: 'Error', errorMessage: (error as Error).message },
            durationMs: 1,
          };
        }
      },
    },
  );
  mappings.push(mapping);
  return { mapping, batches, events };
}

async function put(values: string[], key = 'session-1'): Promise<void> {
  const result = await kinesis.send(
    new PutRecordsCommand({
      StreamName: 'clicks',
      Records: values.map((v) => ({ PartitionKey: key, Data: Buffer.from(v) })),
    }),
  );
  expect(result.FailedRecordCount).toBe(0);
}

/** Lets the mapping poll `times` seconds of emulator time. */
async function polls(mapping: KinesisEventSourceMapping, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    clock.advance(1000);
    await mapping.poll();
  }
}

test('ordered batches of BatchSize carry the record shape AWS sends', async () => {
  // Prepare
  await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 1 }));
  await put(['a', 'b', 'c', 'd', 'e']);
  const { mapping, batches, events } = map({ startingPosition: 'TRIM_HORIZON', batchSize: 2 }, () => null);
  // Act
  mapping.start();
  await polls(mapping, 4);
  // Assess
  expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  const record = events[0][0];
  expect(record).toEqual({
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'session-1',
      sequenceNumber: expect.stringMatching(/^\d{56}$/),
      data: Buffer.from('a').toString('base64'),
      approximateArrivalTimestamp: clock.now() / 1000 - 4,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${record.kinesis.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: '',
    awsRegion: emu.region,
    eventSourceARN: `arn:aws:kinesis:${emu.region}:000000000000:stream/clicks`,
  });
});

test('bisect on error narrows to the failing record, which lands in the on-failure queue', async () => {
  // Prepare
  await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 1 }));
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'clicks-failures' }));
  await put(['ok1', 'ok2', 'poison', 'ok3']);
  const { mapping, batches } = map(
    {
      startingPosition: 'TRIM_HORIZON',
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 0,
      onFailureQueueArn: `arn:aws:sqs:${emu.region}:000000000000:clicks-failures`,
    },
    (records) => {
      if (records.some((r) => decode(r) === 'poison')) throw new Error('bad record');
      return null;
    },
  );
  // Act
  mapping.start();
  await polls(mapping, 2);
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MaxNumberOfMessages: 10 }),
  );
  // Assess
  expect(batches).toEqual([
    ['ok1', 'ok2', 'poison', 'ok3'],
    ['ok1', 'ok2'],
    ['poison', 'ok3'],
    ['poison'],
    ['ok3'],
  ]);
  expect(Messages).toHaveLength(1);
  const failure = JSON.parse(Messages[0].Body as string);
  expect(failure).toMatchObject({
    requestContext: {
      functionArn: FUNCTION_ARN,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 1,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    KinesisBatchInfo: {
      shardId: 'shardId-000000000000',
      batchSize: 1,
      streamArn: `arn:aws:kinesis:${emu.region}:000000000000:stream/clicks`,
    },
  });
  expect(failure.KinesisBatchInfo.startSequenceNumber).toBe(failure.KinesisBatchInfo.endSequenceNumber);
});

test('ReportBatchItemFailures retries from the reported record; LATEST skips what the shard held', async () => {
  // Prepare
  await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 1 }));
  await put(['old']);
  let failOnce = true;
  const { mapping, batches } = map(
    { startingPosition: 'LATEST', reportBatchItemFailures: true, maximumRetryAttempts: 2 },
    (records) => {
      const c = records.find((r) => decode(r) === 'c');
      if (c && failOnce) {
        failOnce = false;
        return { batchItemFailures: [{ itemIdentifier: c.kinesis.sequenceNumber }] };
      }
      return { batchItemFailures: [] };
    },
  );
  // Act
  mapping.start();
  await put(['a', 'b', 'c', 'd']);
  await polls(mapping, 3);
  // Assess
  expect(batches).toEqual([
    ['a', 'b', 'c', 'd'],
    ['c', 'd'],
  ]);
});

test('a retried batch holds back the shard until MaximumRecordAgeInSeconds gives it up', async () => {
  // Prepare
  await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 1 }));
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'aged' }));
  await put(['stuck']);
  const { mapping, batches } = map(
    {
      startingPosition: 'TRIM_HORIZON',
      maximumRecordAgeSeconds: 60,
      onFailureQueueArn: `arn:aws:sqs:${emu.region}:000000000000:aged`,
    },
    (records) => {
      if (records.some((r) => decode(r) === 'stuck')) throw new Error('always fails');
      return null;
    },
  );
  // Act
  mapping.start();
  await polls(mapping, 3);
  await put(['next']);
  const held = batches.length;
  await polls(mapping, 62);
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl }));
  // Assess
  expect(held).toBe(3);
  expect(batches.filter((b) => b.includes('next'))).toEqual([['next']]);
  expect(batches.every((b) => b.length === 1)).toBe(true);
  expect(JSON.parse(Messages[0].Body as string).requestContext.condition).toBe('RecordAgeExceeded');
});
