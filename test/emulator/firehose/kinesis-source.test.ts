/**
 * A Firehose delivery stream reading a Kinesis data stream, through the real SDKs over HTTP: it starts at LATEST
 * (records written before it existed stay out), reads each shard once a second on the clock, hands the transform
 * AWS's Kinesis metadata, and writes what the buffer holds after the interval.
 */
import { CreateDeliveryStreamCommand, type FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import {
  CreateStreamCommand,
  KinesisClient,
  PutRecordCommand as KinesisPutRecord,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { awsErrorOf, type TestEmulator } from '../../helpers/emulator';
import { type FirehoseTestEmulator, startFirehoseTestEmulator } from './firehose-fixture';

const ROLE = 'arn:aws:iam::000000000000:role/firehose';
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks';

/** Keeps each record's Kinesis metadata beside it, one JSON line each. */
const TRANSFORM = `
exports.handler = async (event) => ({
  records: event.records.map((r) => ({
    recordId: r.recordId,
    result: 'Ok',
    data: Buffer.from(JSON.stringify({ text: Buffer.from(r.data, 'base64').toString(), source: event.sourceKinesisStreamArn, meta: r.kinesisRecordMetadata }) + '\\n').toString('base64'),
  })),
});`;

const root = mkdtempSync(path.join(tmpdir(), 'decoupled-firehose-kinesis-'));
let t: TestEmulator;
let firehose: FirehoseClient;
let kinesis: KinesisClient;
let s3: S3Client;

beforeAll(() => writeFileSync(path.join(root, 'index.js'), TRANSFORM));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let fixture: FirehoseTestEmulator;
beforeEach(async () => {
  fixture = await startFirehoseTestEmulator('archive');
  ({ t, firehose, s3 } = fixture);
  // the SDK's default for Kinesis is HTTP/2; the emulator speaks HTTP/1.1
  kinesis = new KinesisClient({ ...fixture.clientConfig, requestHandler: new NodeHttpHandler() });
  await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 2 }));
});
afterEach(async () => {
  kinesis.destroy();
  await fixture.stop();
});

async function advance(ms: number): Promise<void> {
  for (let i = 0; i < ms / 1000; i++) {
    t.clock.advance(1000);
    await t.emulator.idle();
  }
}

async function objects(): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'archive' }));
  return Promise.all(
    (listed.Contents ?? []).map(async ({ Key }) =>
      (await s3.send(new GetObjectCommand({ Bucket: 'archive', Key }))).Body!.transformToString(),
    ),
  );
}

const put = (text: string, key: string) =>
  kinesis.send(
    new KinesisPutRecord({ StreamName: 'clicks', PartitionKey: key, Data: new TextEncoder().encode(text) }),
  );

test('records written after the delivery stream starts reach S3 transformed, with their shard and sequence number', async () => {
  // Prepare
  await put('before', 's-0');
  await t.emulator.lambda.createFunction({
    functionName: 'keep-meta',
    codeDirectory: root,
    handler: 'index.handler',
    runtime: 'nodejs24.x',
  });
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: 'archive',
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: STREAM_ARN, RoleARN: ROLE },
      ExtendedS3DestinationConfiguration: {
        RoleARN: ROLE,
        BucketARN: 'arn:aws:s3:::archive',
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 1 },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'Lambda',
              Parameters: [
                { ParameterName: 'LambdaArn', ParameterValue: t.emulator.lambda.arnOf('keep-meta') },
                { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '0' },
              ],
            },
          ],
        },
      },
    }),
  );
  await t.emulator.idle();
  const written = [await put('one', 's-1'), await put('two', 's-1')];

  // Act
  await advance(2_000);
  const beforeInterval = await objects();
  await advance(60_000);
  const delivered = await objects();

  // Assess
  expect(beforeInterval).toEqual([]);
  expect(delivered).toHaveLength(1);
  const lines = delivered[0]
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines).toEqual([
    {
      text: 'one',
      source: STREAM_ARN,
      meta: expect.objectContaining({
        shardId: written[0].ShardId,
        partitionKey: 's-1',
        sequenceNumber: written[0].SequenceNumber,
        approximateArrivalTimestamp: expect.any(Number),
      }),
    },
    expect.objectContaining({
      text: 'two',
      meta: expect.objectContaining({ sequenceNumber: written[1].SequenceNumber }),
    }),
  ]);
});

test('PutRecord on a KinesisStreamAsSource delivery stream is refused', async () => {
  // Prepare
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: 'from-kinesis',
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: STREAM_ARN, RoleARN: ROLE },
      ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::archive' },
    }),
  );
  // Act
  const error = await awsErrorOf(
    firehose.send(
      new PutRecordCommand({ DeliveryStreamName: 'from-kinesis', Record: { Data: new Uint8Array([1]) } }),
    ),
  );
  // Assess
  expect(error).toMatchObject({
    name: 'InvalidArgumentException',
    message: 'This operation is not permitted on KinesisStreamAsSource type delivery stream.',
  });
});
