/**
 * The streams chapter of the workshop, end to end in local mode: the real Streams template and its bundled Lambda
 * code. A bad page view is bisected out and recorded in the on-failure queue while its shard moves on; Firehose
 * writes the transformed batch to the archive bucket once the buffer interval has passed on the manual clock; and
 * the same page views through Kinesis, an SQS FIFO queue and an SNS topic show ordering, replay and deletion.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { PageView } from '../../lambda/shared/clickstream';
import { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../lib/emulator/clock';
import { readCloudAssembly } from '../../lib/emulator/deploy/cloud-assembly';
import { deployStacks, type LocalDeployment } from '../../lib/emulator/deploy/local-deployment';
import { type Emulator, startEmulator } from '../../lib/emulator/emulator';
import { eventually, sqsClientFor, TEST_CREDENTIALS } from '../helpers/emulator';
import { TEST_ASSEMBLY_TIMEOUT_MS, testAssembly } from '../helpers/test-assembly';

/** The Streams stack of the real app, alone in an emulator on a manual clock (the chapter needs no other). */
interface StreamsApp {
  readonly emulator: Emulator;
  readonly clock: ManualClock;
  readonly deployment: LocalDeployment;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
}

async function startStreamsApp(): Promise<StreamsApp> {
  const clock = new ManualClock(Date.parse('2026-11-21T09:00:00Z'));
  const emulator = await startEmulator({ port: 0, clock, onFunctionLog: () => {} });
  const stacks = readCloudAssembly(await testAssembly()).filter((s) => s.stackName.endsWith('-streams'));
  const deployment = await deployStacks(emulator, stacks);
  const config = { endpoint: emulator.endpoint, region: emulator.region, credentials: TEST_CREDENTIALS };
  return {
    emulator,
    clock,
    deployment,
    sqs: sqsClientFor(emulator.endpoint),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

describe('workshop chapter 5, streams, in local mode', () => {
  let app: StreamsApp;
  let kinesis: KinesisClient;
  let sns: SNSClient;
  const out = (key: string) => app.deployment.output('Streams', key);

  beforeAll(async () => {
    app = await startStreamsApp();
    const config = { endpoint: app.emulator.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
    // the SDK's default for Kinesis is HTTP/2; the emulator speaks HTTP/1.1
    kinesis = new KinesisClient({ ...config, requestHandler: new NodeHttpHandler() });
    sns = new SNSClient(config);
  }, TEST_ASSEMBLY_TIMEOUT_MS);
  afterAll(async () => {
    kinesis?.destroy();
    sns?.destroy();
    app?.sqs.destroy();
    app?.s3.destroy();
    await app?.emulator.stop();
  });

  const views = (sessionId: string, count: number, extra: Partial<PageView> = {}): PageView[] =>
    Array.from({ length: count }, (_, i) => ({
      sessionId,
      seq: i + 1,
      page: `/page/${i + 1}`,
      viewedAt: new Date(app.clock.now()).toISOString(),
      ...extra,
    }));

  async function putAll(records: Array<{ key: string; text: string }>) {
    const put = await kinesis.send(
      new PutRecordsCommand({
        StreamName: out('StreamName'),
        Records: records.map((r) => ({ PartitionKey: r.key, Data: new TextEncoder().encode(r.text) })),
      }),
    );
    expect(put.FailedRecordCount).toBe(0);
    return put.Records ?? [];
  }

  /** Moves the clock a second at a time, letting what each second set off finish. */
  async function advance(ms: number): Promise<void> {
    for (let done = 0; done < ms; done += 1_000) {
      app.clock.advance(1_000);
      await app.emulator.idle();
    }
  }

  async function drain(queueUrl: string): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const { Messages = [] } = await app.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return all;
      all.push(...Messages);
      await app.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }

  async function archived(prefix: string): Promise<Array<{ key: string; text: string }>> {
    const bucket = out('ArchiveBucketName');
    const listed = await app.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return Promise.all(
      (listed.Contents ?? []).map(async ({ Key }) => ({
        key: Key as string,
        text: await (
          await app.s3.send(new GetObjectCommand({ Bucket: bucket, Key }))
        ).Body!.transformToString(),
      })),
    );
  }

  test('a bad page view is bisected out and recorded in the on-failure queue; the good ones are archived transformed', async () => {
    // Prepare: one session, a record that is not a page view in the middle, and a crawler's view
    const good = views('s-bisect', 4);
    const records = [
      ...good.slice(0, 2).map((v) => ({ key: v.sessionId, text: JSON.stringify(v) })),
      { key: 's-bisect', text: 'not a page view' },
      ...good.slice(2).map((v) => ({ key: v.sessionId, text: JSON.stringify(v) })),
      { key: 's-bot', text: JSON.stringify(views('s-bot', 1, { userAgent: 'Googlebot/2.1' })[0]) },
    ];
    const written = await putAll(records);
    const badSequence = written[2].SequenceNumber;

    // Act: the consumer's retries, then Firehose's buffer interval (60 s)
    let failures: Message[] = [];
    await eventually(
      async () => {
        await advance(5_000);
        failures = await drain(out('FailedRecordsQueueUrl'));
        return failures.length > 0 ? true : undefined;
      },
      { clock: app.clock },
    );
    await advance(61_000);
    const pageViews = await archived('page-views/');
    const refused = await archived('errors/processing-failed/');

    // Assess: AWS's on-failure record names the bad record alone
    expect(failures).toHaveLength(1);
    const record = JSON.parse(failures[0].Body ?? '{}');
    expect(record.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: badSequence,
      endSequenceNumber: badSequence,
      batchSize: 1,
      streamArn: out('StreamArn'),
    });
    expect(pageViews.map((o) => o.key)).toEqual([expect.stringMatching(/^page-views\/2026\/11\/21\/09\//)]);
    const lines = pageViews[0].text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.sessionId, l.seq, l.day])).toEqual(
      good.map((v) => [v.sessionId, v.seq, '2026-11-21']),
    );
    expect(refused).toHaveLength(1);
    expect(JSON.parse(refused[0].text)).toMatchObject({
      errorCode: 'Lambda.ProcessingFailedStatus',
      rawData: Buffer.from('not a page view').toString('base64'),
    });
  });

  test('the same page views through the three families: ordered per session, replayable only on the stream', async () => {
    // Prepare
    const session = views('s-compare', 5);
    const texts = session.map((v) => JSON.stringify(v));

    // Act: the stream, the FIFO queue (group = session) and the topic
    const written = await putAll(texts.map((text) => ({ key: 's-compare', text })));
    await app.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: out('ClickQueueUrl'),
        Entries: texts.map((text, i) => ({ Id: String(i), MessageBody: text, MessageGroupId: 's-compare' })),
      }),
    );
    await sns.send(
      new PublishBatchCommand({
        TopicArn: out('ClickTopicArn'),
        PublishBatchRequestEntries: texts.map((text, i) => ({ Id: String(i), Message: text })),
      }),
    );
    await app.emulator.idle();
    const readShard = async () => {
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: out('StreamName'),
          ShardId: written[0].ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
      return Records.filter((r) => r.PartitionKey === 's-compare').map(
        (r) => JSON.parse(Buffer.from(r.Data!).toString()).seq,
      );
    };
    const firstRead = await readShard();
    const replay = await readShard();
    const fifo = (await drain(out('ClickQueueUrl'))).map((m) => JSON.parse(m.Body ?? '{}').seq);
    const fifoAgain = await drain(out('ClickQueueUrl'));
    const topicCopy = (await drain(out('TopicCopyQueueUrl')))
      .map((m) => JSON.parse(m.Body ?? '{}').seq)
      .sort();
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: out('StreamName') }));

    // Assess
    expect(new Set(written.map((r) => r.ShardId)).size).toBe(1);
    expect(firstRead).toEqual([1, 2, 3, 4, 5]);
    expect(replay).toEqual(firstRead);
    expect(fifo).toEqual([1, 2, 3, 4, 5]);
    expect(fifoAgain).toEqual([]);
    expect(topicCopy).toEqual([1, 2, 3, 4, 5]);
    expect(shards.Shards?.length).toBeGreaterThan(0);
  });
});
