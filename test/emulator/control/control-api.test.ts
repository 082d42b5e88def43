/** The control API under /_emulator/: clock, reset, queues and peek, over HTTP with fetch; SQS through the SDK. */
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { DescribeParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { FastClock, ManualClock, SystemClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { sqsClientFor, startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../../helpers/emulator';
import { rawRequest } from '../../helpers/raw-http';

let t: TestEmulator;
let base: string;

beforeEach(async () => {
  t = await startTestEmulator();
  base = `${t.emulator.endpoint}/_emulator`;
});
afterEach(() => t.stop());

async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}/${path}`);
  return { status: response.status, body: await response.json() };
}

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl as string;
}

describe('the clock', () => {
  it('reads the manual clock, and moves only on advance', async () => {
    // Prepare
    const start = t.clock.now();

    // Act
    const before = await get('clock');
    const advanced = await post('clock', { advance: '1h30m' });
    const after = await get('clock');

    // Assess
    expect(before).toEqual({
      status: 200,
      body: { mode: 'manual', factor: 1, now: new Date(start).toISOString(), epochMillis: start },
    });
    expect(advanced.body.epochMillis).toBe(start + 90 * 60_000);
    expect(after.body.epochMillis).toBe(start + 90 * 60_000);
  });

  it('fires the timers due on the way: a delayed message becomes visible, a visibility timeout ends', async () => {
    // Prepare
    const url = await createQueue('timers');
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 120 }));
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now' }));
    const taken = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 60 }));
    expect(taken.Messages?.map((m) => m.Body)).toEqual(['now']);
    const counts = async () => (await get('queues')).body.queues[0];

    // Act
    const atStart = await counts();
    await post('clock', { advance: '59s' });
    const before = await counts();
    await post('clock', { advance: '2m' });
    const after = await counts();

    // Assess
    expect(atStart).toMatchObject({ visible: 0, inFlight: 1, delayed: 1 });
    expect(before).toMatchObject({ visible: 0, inFlight: 1, delayed: 1 });
    expect(after).toMatchObject({ visible: 2, inFlight: 0, delayed: 0 });
  });

  it('ends a long poll waiting on the clock, in order with the other timers', async () => {
    // Prepare
    const url = await createQueue('poll');
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'soon', DelaySeconds: 5 }));
    const polled = t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    for (let i = 0; i < 200 && t.emulator.sqs.waitingReceivers() === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    // Act
    await post('clock', { advance: '10s' });

    // Assess: the delay (5 s) ended before the poll's 20 s
    expect((await polled).Messages?.map((m) => m.Body)).toEqual(['soon']);
  });

  it('refuses bad durations, other members and other content types', async () => {
    const bad = await Promise.all([
      post('clock', { advance: '10 minutes' }),
      post('clock', { advance: '30m1h' }),
      post('clock', { advance: '31d' }),
      post('clock', { advance: 600 }),
      post('clock', {}),
      post('clock', { advance: '1m', to: 'noon' }),
    ]);
    const text = await fetch(`${base}/clock`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"advance":"1h"}',
    });
    const broken = await fetch(`${base}/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"advance":',
    });

    expect(bad.map((r) => [r.status, r.body.error.code])).toEqual([
      [400, 'InvalidParameterValue'],
      [400, 'InvalidParameterValue'],
      [400, 'InvalidParameterValue'],
      [400, 'InvalidParameterValue'],
      [400, 'MissingParameter'],
      [400, 'InvalidParameter'],
    ]);
    expect(bad[0].body.error.message).toContain("'10 minutes' is not a duration");
    expect(bad[5].body.error.message).toContain("'to' is not supported");
    expect(text.status).toBe(415);
    expect(await text.json()).toEqual({
      error: { code: 'UnsupportedMediaType', message: expect.any(String) },
    });
    expect(broken.status).toBe(400);
    expect(t.clock.now()).toBe(new ManualClock().now());
  });

  it('answers 409 ClockNotMovable on the real clock, naming the flags that make it movable', async () => {
    const emulator = await startEmulator({ port: 0, clock: new SystemClock() });
    try {
      const read = await fetch(`${emulator.endpoint}/_emulator/clock`);
      const moved = await fetch(`${emulator.endpoint}/_emulator/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"advance":"10m"}',
      });

      expect(await read.json()).toMatchObject({ mode: 'real', factor: 1 });
      expect(moved.status).toBe(409);
      const { error } = await moved.json();
      expect(error.code).toBe('ClockNotMovable');
      expect(error.message).toContain('--clock manual');
      expect(error.message).toContain('--clock fast:N');
    } finally {
      await emulator.stop();
    }
  });
});

describe('a fast clock (--clock fast:N)', () => {
  it('runs N times real time over HTTP: a delayed message arrives after the scaled delay; advance jumps', async () => {
    // Prepare
    const emulator = await startEmulator({ port: 0, clock: new FastClock(50) });
    const sqs = sqsClientFor(emulator.endpoint);
    const clock = () => fetch(`${emulator.endpoint}/_emulator/clock`).then((r) => r.json());
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'fast' }));
      const realStart = performance.now();
      const first = await clock();

      // Act: 10 emulated seconds of delay are 200 real milliseconds
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', DelaySeconds: 10 }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
      const realMs = performance.now() - realStart;
      const second = await clock();
      // the real interval holds the emulated one: the ratio is at most 50, less by the requests' own time
      const ratio = (second.epochMillis - first.epochMillis) / (performance.now() - realStart);
      const jumped = await fetch(`${emulator.endpoint}/_emulator/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"advance":"2h"}',
      }).then((r) => r.json());

      // Assess: generous bounds on a loaded machine
      expect(first).toMatchObject({ mode: 'fast', factor: 50 });
      expect(Messages?.map((m) => m.Body)).toEqual(['x']);
      expect(realMs).toBeGreaterThanOrEqual(150);
      expect(realMs).toBeLessThan(5_000);
      expect(ratio).toBeGreaterThan(20);
      expect(ratio).toBeLessThanOrEqual(51);
      expect(jumped.epochMillis - second.epochMillis).toBeGreaterThanOrEqual(7_200_000);
      expect(jumped.epochMillis - second.epochMillis).toBeLessThan(7_200_000 + 60_000);
    } finally {
      sqs.destroy();
      await emulator.stop();
    }
  });
});

describe('the request log', () => {
  it('names control calls like operations, with their error code', async () => {
    const lines: string[] = [];
    const emulator = await startEmulator({
      port: 0,
      clock: new ManualClock(),
      requestLog: 'requests',
      onRequestLog: (line) => lines.push(line),
    });
    try {
      const send = (body: string) =>
        fetch(`${emulator.endpoint}/_emulator/clock`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      await send('{"advance":"1m"}');
      await send('{"advance":"1 minute"}');

      expect(lines).toEqual([
        expect.stringMatching(/ emulator AdvanceClock - 200 \d+ms$/),
        expect.stringMatching(/ emulator AdvanceClock - 400 InvalidParameterValue \d+ms$/),
      ]);
    } finally {
      await emulator.stop();
    }
  });
});

describe('the request guard', () => {
  it('refuses a page of another site (403) and a Host of another name (403)', async () => {
    const { host } = new URL(t.emulator.endpoint);
    const foreign = await rawRequest(`${base}/reset`, {
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    const rebound = await rawRequest(`${base}/queues`, { method: 'GET', headers: { host: 'evil.example' } });
    const own = await rawRequest(`${base}/queues`, { method: 'GET', headers: { origin: `http://${host}` } });

    expect(foreign.status).toBe(403);
    expect(rebound.status).toBe(403);
    expect(own.status).toBe(200);
  });
});

describe('queues and peek', () => {
  it('lists every queue with its counts and dead-letter relations', async () => {
    // Prepare
    const dlqUrl = await createQueue('orders-dlq');
    const dlqArn = `arn:aws:sqs:us-east-1:000000000000:orders-dlq`;
    const url = await createQueue('orders', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }),
    });
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    t.clock.advance(90_000);
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b', DelaySeconds: 30 }));

    // Act
    const { status, body } = await get('queues');

    // Assess
    expect(status).toBe(200);
    expect(body.queues).toEqual([
      {
        name: 'orders',
        url,
        arn: 'arn:aws:sqs:us-east-1:000000000000:orders',
        fifo: false,
        visible: 1,
        inFlight: 0,
        delayed: 1,
        oldestAgeSeconds: 90,
        deadLetterQueue: 'orders-dlq',
        deadLetterSourceQueues: [],
      },
      {
        name: 'orders-dlq',
        url: dlqUrl,
        arn: dlqArn,
        fifo: false,
        visible: 0,
        inFlight: 0,
        delayed: 0,
        oldestAgeSeconds: null,
        deadLetterQueue: null,
        deadLetterSourceQueues: ['orders'],
      },
    ]);
  });

  it('shows messages in every state without receiving them: the receive count stays as it was', async () => {
    // Prepare
    const url = await createQueue('jobs.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    await t.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'first',
        MessageGroupId: 'g1',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'encode' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
        },
      }),
    );
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'second', MessageGroupId: 'g2' }));
    const received = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 30 }));
    expect(received.Messages).toHaveLength(1);
    await t.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: received.Messages?.[0].ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );

    // Act
    const peeked = await get(`queues/jobs.fifo/messages?max=5`);
    const again = await get(`queues/jobs.fifo/messages`);
    const next = await t.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );

    // Assess
    expect(peeked.status).toBe(200);
    expect(peeked.body).toEqual(again.body);
    expect(peeked.body).toEqual({
      queue: 'jobs.fifo',
      messages: [
        {
          messageId: received.Messages?.[0].MessageId,
          body: 'first',
          md5OfBody: received.Messages?.[0].MD5OfBody,
          state: 'visible',
          receiveCount: 1,
          sentTimestamp: new Date(t.clock.now()).toISOString(),
          firstReceiveTimestamp: new Date(t.clock.now()).toISOString(),
          visibleAt: null,
          messageGroupId: 'g1',
          messageDeduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/),
          messageAttributes: {
            kind: { DataType: 'String', StringValue: 'encode' },
            blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi').toString('base64') },
          },
        },
        expect.objectContaining({
          body: 'second',
          state: 'visible',
          receiveCount: 0,
          firstReceiveTimestamp: null,
        }),
      ],
    });
    expect(
      Object.fromEntries((next.Messages ?? []).map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])),
    ).toEqual({ first: '2', second: '1' });
  });

  it('shows in-flight and delayed messages with the time they become visible', async () => {
    const url = await createQueue('work');
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 45 }));
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b', DelaySeconds: 10 }));

    const { body } = await get('queues/work/messages');

    const now = t.clock.now();
    expect(body.messages).toEqual([
      expect.objectContaining({
        body: 'a',
        state: 'inFlight',
        visibleAt: new Date(now + 45_000).toISOString(),
      }),
      expect.objectContaining({
        body: 'b',
        state: 'delayed',
        visibleAt: new Date(now + 10_000).toISOString(),
      }),
    ]);
    const attributes = await t.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('1');
  });

  it('answers 404 for an unknown queue or path, 400 for max out of range, 405 for a wrong method', async () => {
    await createQueue('known');
    const answers = await Promise.all([
      get('queues/unknown/messages'),
      get('queues/known/messages?max=0'),
      get('queues/known/messages?max=101'),
      get('queues/known/messages?max=ten'),
      get('queues/known/messages?wait=1'),
      get('nothing-here'),
      get('reset'),
      get('queues/%E0%A4%A/messages'),
    ]);

    expect(answers.map((a) => [a.status, a.body.error.code])).toEqual([
      [404, 'QueueDoesNotExist'],
      [400, 'InvalidParameterValue'],
      [400, 'InvalidParameterValue'],
      [400, 'InvalidParameterValue'],
      [400, 'InvalidParameter'],
      [404, 'NotFound'],
      [405, 'MethodNotAllowed'],
      [404, 'QueueDoesNotExist'],
    ]);
  });
});

describe('reset', () => {
  function clients(emulator: Emulator) {
    const config = { endpoint: emulator.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
    return {
      s3: new S3Client({ ...config, forcePathStyle: true }),
      sns: new SNSClient(config),
      cloudwatch: new CloudWatchClient(config),
      ssm: new SSMClient(config),
    };
  }

  it('empties every service; the same names can be created again at once', async () => {
    // Prepare
    const { s3, sns, cloudwatch, ssm } = clients(t.emulator);
    const url = await createQueue('kept');
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'a.txt', Body: 'a' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/stage', Value: 'dev', Type: 'String' }));
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'depth',
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    t.clock.advance(120_000);
    expect(t.emulator.cloudwatch.store.list({}).length).toBeGreaterThan(0);

    // Act
    const reset = await post('reset', {});

    // Assess
    expect(reset).toEqual({ status: 200, body: { reset: true } });
    expect((await t.sqs.send(new ListQueuesCommand({}))).QueueUrls).toBeUndefined();
    expect((await sns.send(new ListTopicsCommand({}))).Topics).toEqual([]);
    expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    expect((await ssm.send(new DescribeParametersCommand({}))).Parameters).toEqual([]);
    expect((await cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([]);
    expect(t.emulator.cloudwatch.store.list({})).toEqual([]);
    expect((await get('queues')).body).toEqual({ queues: [] });
    // AWS refuses a queue name for 60 s after its deletion; after a reset the emulator is new
    await expect(createQueue('kept')).resolves.toBe(url);
    for (const client of [s3, sns, cloudwatch, ssm]) client.destroy();
  });

  it('requires a JSON POST', async () => {
    const plain = await rawRequest(`${base}/reset`, {
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    const form = await rawRequest(`${base}/reset`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    const member = await post('reset', { keep: true });

    expect([plain.status, form.status, member.status]).toEqual([415, 415, 400]);
  });
});
