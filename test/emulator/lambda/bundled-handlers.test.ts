import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { buildSync } from 'esbuild';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { FunctionRuntime } from '../../../lib/emulator/lambda/function-runtime';
import { lambdaContext, s3PutEvent, sqsEvent } from '../../helpers/lambda-events';
import { sqsClientFor } from '../../helpers/emulator';

const ROOT = path.join(__dirname, '..', '..', '..');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Bundles a handler as the stack does (esbuild, everything inside), into an asset directory of its own. */
function bundle(name: string, outdir: string): string {
  const dir = path.join(outdir, name);
  buildSync({
    entryPoints: [path.join(ROOT, 'lambda', name, 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: path.join(dir, 'index.js'),
    logLevel: 'silent',
  });
  return dir;
}

describe('the bundled handlers, run by the function runtime against the emulator', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'decoupled-bundles-'));
  const runtime = new FunctionRuntime({ onLog: () => {} });
  let emu: Emulator;
  let s3: S3Client;
  let sqs: SQSClient;
  let environment: Record<string, string>;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    s3 = new S3Client({ endpoint: emu.endpoint, region: emu.region, credentials, forcePathStyle: true });
    sqs = sqsClientFor(emu.endpoint);
    // What local mode gives every function: the SDK's default configuration finds the emulator through these.
    environment = {
      AWS_ENDPOINT_URL: emu.endpoint,
      AWS_REGION: emu.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
  });
  afterAll(async () => {
    await runtime.close();
    s3.destroy();
    sqs.destroy();
    await emu.stop();
    rmSync(outdir, { recursive: true, force: true });
  });

  test('the consumer writes results/<orderId>.json and reports only the malformed record', async () => {
    // Prepare
    await s3.send(new CreateBucketCommand({ Bucket: 'orders' }));
    await runtime.define({
      functionName: 'consumer',
      functionArn: `arn:aws:lambda:${emu.region}:000000000000:function:consumer`,
      codeDirectory: bundle('consumer', outdir),
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      timeoutSeconds: 30,
      memorySize: 256,
      environment: { ...environment, BUCKET_NAME: 'orders' },
      concurrency: 1,
    });
    const order = JSON.stringify({
      orderId: 'o-1',
      customerId: 'c-1',
      items: [{ sku: 'A', quantity: 2, unitPrice: 9.5 }],
    });
    const event = sqsEvent([order, '{"orderId":"o-2"}']);

    // Act
    const result = await runtime.invoke('consumer', { ...event }, lambdaContext().awsRequestId);

    // Assess
    expect(result).toMatchObject({
      ok: true,
      payload: { batchItemFailures: [{ itemIdentifier: event.Records[1].messageId }] },
    });
    const written = await s3.send(new GetObjectCommand({ Bucket: 'orders', Key: 'results/o-1.json' }));
    expect(JSON.parse(await (written.Body?.transformToString() ?? ''))).toEqual({
      orderId: 'o-1',
      customerId: 'c-1',
      itemCount: 2,
      total: 19,
    });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'orders', Prefix: 'results/' }));
    expect(listed.KeyCount).toBe(1);
  });

  test('the producer sends one SQS message per order of the uploaded file', async () => {
    // Prepare
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'work' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads-bucket' }));
    const orders = Array.from({ length: 12 }, (_, i) => ({ orderId: `o-${i}`, customerId: 'c', items: [] }));
    await s3.send(
      new PutObjectCommand({
        Bucket: 'uploads-bucket',
        Key: 'uploads/day 1.json',
        Body: JSON.stringify(orders),
      }),
    );
    await runtime.define({
      functionName: 'producer',
      functionArn: `arn:aws:lambda:${emu.region}:000000000000:function:producer`,
      codeDirectory: bundle('producer', outdir),
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      timeoutSeconds: 30,
      memorySize: 256,
      environment: { ...environment, QUEUE_URL: QueueUrl as string },
      concurrency: 1,
    });

    // Act
    const result = await runtime.invoke('producer', s3PutEvent('uploads-bucket', ['uploads/day+1.json']));

    // Assess
    expect(result).toMatchObject({
      ok: true,
      payload: { uploads: [{ key: 'uploads/day 1.json', messagesSent: 12 }] },
    });
    const received = [];
    for (let i = 0; i < 3; i++) {
      const batch = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
      );
      received.push(...(batch.Messages ?? []));
    }
    expect(received.map((m) => JSON.parse(m.Body ?? '').orderId).sort()).toEqual(
      orders.map((o) => o.orderId).sort(),
    );
    expect(received[0].MessageAttributes?.sourceKey?.StringValue).toBe('uploads/day 1.json');
  });
});
