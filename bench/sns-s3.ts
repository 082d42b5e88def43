/**
 * SNS and S3 rows of `npm run bench`, through the real SDK clients over loopback HTTP, each against the same-run
 * ceiling (a canned-response server in its own process): SNS Publish fanned out to 10 SQS subscribers, and S3
 * PutObject of 1 KiB and 1 MiB. Run alone: tsx bench/sns-s3.ts
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type BenchServer, startEmulatorProcess, startNodeServer } from './servers';

const CREDENTIALS = { accessKeyId: 'AKIABENCHMARK', secretAccessKey: 'benchmark' };
const SUBSCRIBERS = 10;
const MESSAGE = 'x'.repeat(100);

export interface SnsS3Result {
  publish: number;
  /** Publishes per second until every subscriber queue held its copy (emulator only). */
  publishDelivered?: number;
  put1KiB: number;
  put1MiB: number;
}

async function parallel(concurrency: number, total: number, task: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) await task();
    }),
  );
  return (performance.now() - started) / 1000;
}

async function rate(concurrency: number, total: number, task: () => Promise<unknown>): Promise<number> {
  await parallel(concurrency, Math.min(100, total), task); // warm-up
  return total / (await parallel(concurrency, total, task));
}

async function measure(server: BenchServer, canned: boolean, scale: number): Promise<SnsS3Result> {
  const config = { endpoint: server.endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 };
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  try {
    let topicArn = 'arn:aws:sns:us-east-1:000000000000:bench';
    const queueUrls: string[] = [];
    if (!canned) {
      topicArn = (await sns.send(new CreateTopicCommand({ Name: 'bench' }))).TopicArn as string;
      for (let i = 0; i < SUBSCRIBERS; i++) {
        const name = `fanout-${i}`;
        queueUrls.push((await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string);
        await sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'sqs',
            Endpoint: `arn:aws:sqs:us-east-1:000000000000:${name}`,
          }),
        );
      }
      await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    }
    const publishes = Math.round(3000 * scale);
    const publish = () => sns.send(new PublishCommand({ TopicArn: topicArn, Message: MESSAGE }));
    const started = performance.now();
    const publishRate = await rate(16, publishes, publish);
    let publishDelivered: number | undefined;
    if (!canned) {
      // every publish (warm-up included) lands once in each queue; wait for the last copy
      const expected = publishes + Math.min(100, publishes);
      for (;;) {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrls[SUBSCRIBERS - 1],
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        if (Number(Attributes?.ApproximateNumberOfMessages) >= expected) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      publishDelivered = expected / ((performance.now() - started) / 1000);
    }
    const small = Buffer.alloc(1024, 'k');
    const large = Buffer.alloc(1024 * 1024, 'm');
    let key = 0;
    const put = (body: Buffer) => () =>
      s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `k${key++ % 500}`, Body: body }));
    const put1KiB = await rate(16, Math.round(3000 * scale), put(small));
    const put1MiB = await rate(4, Math.round(200 * scale), put(large));
    return { publish: publishRate, publishDelivered, put1KiB, put1MiB };
  } finally {
    sns.destroy();
    sqs.destroy();
    s3.destroy();
  }
}

/** Measures the ceiling and the emulator (each in its own process) and returns the table rows. */
export async function benchSnsS3(scale = 1): Promise<{ header: string[]; rows: string[][] }> {
  const ceilingServer = await startNodeServer('canned SNS/S3 (ceiling)', 'bench/canned-sns-s3-server.ts');
  const emulatorServer = await startEmulatorProcess();
  let ceiling: SnsS3Result;
  let emulator: SnsS3Result;
  try {
    ceiling = await measure(ceilingServer, true, scale);
    emulator = await measure(emulatorServer, false, scale);
  } finally {
    await Promise.all([ceilingServer.stop(), emulatorServer.stop()]);
  }
  const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const row = (label: string, key: keyof SnsS3Result) => [
    label,
    fmt(ceiling[key] as number),
    fmt(emulator[key] as number),
    ratio(emulator[key] as number, ceiling[key] as number),
  ];
  return {
    header: ['SDK over HTTP', 'ceiling', 'emulator', 'emulator / ceiling'],
    rows: [
      row(`SNS Publish, ${SUBSCRIBERS} SQS subscribers, publishes/s (16 concurrent)`, 'publish'),
      [
        '  … until all copies are in the queues, publishes/s',
        '',
        fmt(emulator.publishDelivered as number),
        ratio(emulator.publishDelivered as number, ceiling.publish),
      ],
      row('S3 PutObject 1 KiB, requests/s (16 concurrent)', 'put1KiB'),
      row('S3 PutObject 1 MiB, requests/s (4 concurrent)', 'put1MiB'),
    ],
  };
}

if (require.main === module) {
  benchSnsS3().then(
    ({ header, rows }) => {
      console.log(header.join(' | '));
      for (const r of rows) console.log(r.join(' | '));
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
