/**
 * A Kinesis event source mapping made through @aws-sdk/client-lambda onto a real function: AWS's settings come
 * back in the description, a failing record is bisected into the on-failure queue, and an SQS mapping refuses
 * the stream-only members by name.
 */
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { awsErrorOf, sqsClientFor, TEST_CREDENTIALS } from '../../helpers/emulator';

const root = mkdtempSync(path.join(tmpdir(), 'decoupled-kinesis-esm-'));
let emu: Emulator;
let clock: ManualClock;
let kinesis: KinesisClient;
let lambda: LambdaClient;
let sqs: SQSClient;

beforeAll(async () => {
  clock = new ManualClock();
  emu = await startEmulator({ port: 0, clock, onFunctionLog: () => undefined });
  const config = {
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  };
  kinesis = new KinesisClient({ ...config, requestHandler: new NodeHttpHandler() });
  lambda = new LambdaClient(config);
  sqs = sqsClientFor(emu.endpoint);
  // fails every batch holding a "poison" record
  writeFileSync(
    path.join(root, 'index.js'),
    `exports.handler = async (event) => {
      const data = event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString());
      if (data.includes('poison')) throw new Error('poison in ' + data.join(','));
      return null;
    };`,
  );
  await emu.lambda.createFunction({
    functionName: 'consumer',
    codeDirectory: root,
    handler: 'index.handler',
    runtime: 'nodejs24.x',
  });
});
afterAll(async () => {
  kinesis.destroy();
  lambda.destroy();
  sqs.destroy();
  await emu.stop();
  rmSync(root, { recursive: true, force: true });
});

test('CreateEventSourceMapping on a stream: bisect lands the failing record in the on-failure queue', async () => {
  // Prepare
  await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 1 }));
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'clicks-failed' }));
  const streamArn = `arn:aws:kinesis:${emu.region}:000000000000:stream/clicks`;
  const dlqArn = `arn:aws:sqs:${emu.region}:000000000000:clicks-failed`;
  // Act
  const mapping = await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: 'consumer',
      EventSourceArn: streamArn,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 4,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: dlqArn } },
    }),
  );
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: 'clicks',
      Records: ['a', 'b', 'poison', 'c'].map((v) => ({ PartitionKey: 's1', Data: Buffer.from(v) })),
    }),
  );
  let failures: string[] = [];
  // each emulated second is one poll; the function runs in a real worker, so wait for it between seconds
  for (let i = 0; i < 200 && failures.length === 0; i++) {
    clock.advance(1000);
    await new Promise((resolve) => setTimeout(resolve, 25));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl }));
    failures = Messages.map((m) => m.Body as string);
  }
  // Assess
  expect(mapping).toMatchObject({
    EventSourceArn: streamArn,
    StartingPosition: 'TRIM_HORIZON',
    BatchSize: 4,
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: 0,
    DestinationConfig: { OnFailure: { Destination: dlqArn } },
  });
  expect(failures).toHaveLength(1);
  expect(JSON.parse(failures[0]).KinesisBatchInfo).toMatchObject({ batchSize: 1, streamArn });
});

test('an SQS mapping refuses StartingPosition by name; a Kinesis mapping requires it', async () => {
  // Prepare
  await sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
  // Act
  const onQueue = await awsErrorOf(
    lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'consumer',
        EventSourceArn: `arn:aws:sqs:${emu.region}:000000000000:jobs`,
        StartingPosition: 'LATEST',
      }),
    ),
  );
  const noPosition = await awsErrorOf(
    lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'consumer',
        EventSourceArn: `arn:aws:kinesis:${emu.region}:000000000000:stream/clicks`,
      }),
    ),
  );
  // Assess
  expect(onQueue.message).toContain('StartingPosition is not supported for SQS event sources');
  expect(noPosition.message).toContain('StartingPosition is required');
});
