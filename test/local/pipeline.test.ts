/** The pipeline chapter of the workshop, end to end in local mode: the real templates, the bundled Lambda code. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { formatResourceTable } from '../../lib/local/report';
import { eventually } from '../helpers/emulator';
import { type LocalApp, startLocalApp } from '../helpers/local-app';
import { TEST_ASSEMBLY_TIMEOUT_MS } from '../helpers/test-assembly';

const SAMPLES = path.join(__dirname, '..', '..', 'docs', 'workshop', 'samples');

describe('workshop chapter 2, the pipeline, in local mode', () => {
  let app: LocalApp;
  let bucket: string;

  beforeAll(async () => {
    app = await startLocalApp();
    bucket = app.output('Pipeline', 'BucketName');
  }, TEST_ASSEMBLY_TIMEOUT_MS);
  afterAll(() => app.stop());

  async function upload(key: string, sample: string) {
    await app.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(path.join(SAMPLES, sample)) }),
    );
  }

  async function results(): Promise<string[]> {
    const listed = await app.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'results/' }));
    return (listed.Contents ?? []).map((o) => o.Key as string).sort();
  }

  test('valid orders uploaded under uploads/ produce their results under results/', async () => {
    // Act
    await upload('uploads/orders.json', 'orders.json');

    // Assess
    const keys = await eventually(
      async () => {
        const found = await results();
        return found.length === 3 ? found : undefined;
      },
      { clock: app.clock },
    );
    expect(keys).toEqual(['results/o-1.json', 'results/o-2.json', 'results/o-3.json']);
    const result = await app.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'results/o-1.json' }));
    expect(JSON.parse((await result.Body?.transformToString()) ?? '')).toMatchObject({ orderId: 'o-1' });
  });

  test("the producer's onSuccess destination receives its invocation record", async () => {
    const records = app.output('Pipeline', 'DestinationQueueUrl');

    const received = await eventually(async () => {
      const { Messages } = await app.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: records, MaxNumberOfMessages: 10 }),
      );
      return Messages?.length ? Messages : undefined;
    });

    const record = JSON.parse(received[0].Body ?? '{}');
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        condition: 'Success',
        functionArn: expect.stringContaining(
          `:function:${app.output('Pipeline', 'ProducerFunctionName')}:$LATEST`,
        ),
      },
      requestPayload: {
        Records: [{ eventSource: 'aws:s3', s3: { object: { key: 'uploads/orders.json' } } }],
      },
      responseContext: { statusCode: 200 },
    });
  });

  test('a malformed order reaches the dead-letter queue after maxReceiveCount, while the others succeed', async () => {
    // Prepare
    const dlq = app.output('Pipeline', 'DeadLetterQueueUrl');

    // Act: o-11 is malformed; each failed receive returns after the visibility timeout, on the manual clock
    await upload('uploads/mixed-orders.json', 'mixed-orders.json');
    await eventually(async () => ((await results()).includes('results/o-12.json') ? true : undefined), {
      clock: app.clock,
    });
    for (let receive = 1; receive <= 3; receive++) {
      const failedBatches = () =>
        app.events.filter((e) => e.kind === 'function-invoked' && e.trigger === 'sqs' && e.failedRecords);
      await eventually(() => (failedBatches().length >= receive ? true : undefined), { clock: app.clock });
      app.clock.advance(181_000); // the work queue's visibility timeout (6 × the consumer's 30 s) has passed
    }
    const deadLettered = await eventually(() => app.events.find((e) => e.kind === 'message-dead-lettered'), {
      clock: app.clock,
    });

    // Assess
    expect(deadLettered).toMatchObject({ receiveCount: 3 });
    const { Messages } = await app.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10 }),
    );
    expect(Messages?.map((m) => JSON.parse(m.Body ?? '{}').orderId)).toEqual(['o-11']);
    expect(await results()).toEqual(expect.arrayContaining(['results/o-10.json', 'results/o-12.json']));
    expect(await results()).not.toContain('results/o-11.json');
  });

  test('the dead-letter alarm goes to ALARM within a minute and notifies the alarm topic', async () => {
    // Prepare: the previous test left o-11 in the dead-letter queue
    const alarmTopic = app.output('Pipeline', 'AlarmTopicArn');

    // Act: emulated minutes end (the DLQ receive above hid o-11 for 30 s); AWS/SQS metrics are published and the
    // alarm is evaluated at each minute's end
    const published = await eventually(
      () =>
        app.events.find((e) => e.kind === 'notification-published' && alarmTopic.endsWith(`:${e.topicName}`)),
      { clock: app.clock, stepMs: 10_000 },
    );

    // Assess
    const { MetricAlarms } = app.mode.emulator.cloudwatch.describeAlarms({});
    const alarm = MetricAlarms?.find((a) => a.AlarmName?.startsWith('decoupled-sandbox-pipeline-'));
    expect(alarm).toMatchObject({
      StateValue: 'ALARM',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      AlarmActions: [alarmTopic],
    });
    expect(published).toBeDefined();
  });

  test('an images/ upload lands directly in its queue as an S3 event', async () => {
    const images = app.output('Pipeline', 'ImagesQueueUrl');
    await app.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'images/cat.png', Body: 'png' }));

    const events = await eventually(async () => {
      const { Messages } = await app.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: images, MaxNumberOfMessages: 10 }),
      );
      const records = (Messages ?? []).flatMap((m) => JSON.parse(m.Body ?? '{}').Records ?? []);
      return records.length > 0 ? records : undefined;
    });

    expect(events).toEqual([
      expect.objectContaining({
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: expect.objectContaining({
          bucket: expect.objectContaining({ name: bucket }),
          object: expect.objectContaining({ key: 'images/cat.png', size: 3 }),
        }),
      }),
    ]);
  });

  test('npm start printed the summary (the table with --verbose), the next commands and live lines', () => {
    const printed = app.lines.join('\n');
    expect(printed).toMatch(/^ {2}Pipeline +\d+ resources: \d+ queues, 1 topic, 2 buckets, 2 functions/m);
    const table = formatResourceTable(app.mode.deployment);
    expect(table).toContain('Stack decoupled-sandbox-pipeline (Pipeline):');
    expect(table).toMatch(/AWS::Lambda::Function\s+ProducerFunction\s+emulated/);
    expect(table).toMatch(
      /AWS::IAM::Role\s+ProducerRole\s+kept .*\(its policies are evaluated \(--iam enforce\)\)/,
    );
    expect(printed).toContain(
      `aws s3 cp docs/workshop/samples/orders.json s3://${bucket}/uploads/orders.json`,
    );
    expect(printed).toMatch(/s3 {6}uploaded s3:\/\/OrderBucket\/uploads\/orders\.json \(\d+ B\)/);
    expect(printed).toMatch(/lambda {2}ProducerFunction [0-9a-f]{8} ← s3: ok in \d+ ms/);
    expect(printed).toMatch(
      /lambda {2}ConsumerFunction [0-9a-f]{8} {2}INFO {2}order processed {2}orderId=o-\d+/,
    );
    expect(printed).toMatch(
      /lambda {2}ConsumerFunction [0-9a-f]{8} ← sqs batch of \d+, 1 failed: ok in \d+ ms/,
    );
    expect(printed).toMatch(
      /sqs {5}message \S+ DEAD-LETTERED: WorkQueue → WorkQueueDeadLetterQueue after 3 receives/,
    );
  });
});
