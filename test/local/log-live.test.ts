/**
 * npm start's live log as units: real events of an in-process emulator (through the SDK) in, printed lines out.
 * Bursts end on a short real-time quiet (the log's own timer), which the tests await as a printed line.
 */
import { PutMetricAlarmCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { ManualClock } from '../../lib/emulator/clock';
import type { LocalDeployment } from '../../lib/emulator/deploy/local-deployment';
import { type Emulator, startEmulator } from '../../lib/emulator/emulator';
import { LiveLog } from '../../lib/local/log-live';
import { parseStructuredLine, readableLine } from '../../lib/local/log-lines';
import { reasonGist, ResourceLabels } from '../../lib/local/report';
import { cloudWatchClientFor } from '../emulator/cloudwatch/cloudwatch-fixture';
import { sqsClientFor, TEST_CREDENTIALS } from '../helpers/emulator';
import { zipOf } from '../helpers/zip';

/** Labels of no deployment: every resource goes by its own name. */
const NO_LABELS = new ResourceLabels({ stacks: [] } as unknown as LocalDeployment);

describe("npm start's live log", () => {
  let emu: Emulator;
  let clock: ManualClock;
  let sqs: SQSClient;
  let lines: string[];
  let log: LiveLog;
  let waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }>;

  /** Resolves with the first printed line matching, printed already or later. */
  function printed(pattern: RegExp): Promise<string> {
    const found = lines.find((l) => pattern.test(l));
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => waiters.push({ pattern, resolve }));
  }

  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-11-21T09:00:00Z'));
    lines = [];
    waiters = [];
    const print = (line: string) => {
      lines.push(line);
      for (const w of waiters.filter((w) => w.pattern.test(line))) w.resolve(line);
      waiters = waiters.filter((w) => !w.pattern.test(line));
    };
    // a short quiet ends a burst; a long hold keeps a function's late output before its invocation on a busy CI
    log = new LiveLog({
      labels: NO_LABELS,
      now: () => clock.now(),
      print,
      quietMs: 1000,
      invocationHoldMs: 1000,
    });
    emu = await startEmulator({ port: 0, clock, onFunctionLog: (line) => log.functionLog(line) });
    emu.activity.listen((event) => log.activity(event));
    sqs = sqsClientFor(emu.endpoint);
  });
  afterEach(async () => {
    log.close();
    sqs.destroy();
    await emu.stop();
  });

  test('a burst of sends prints its first lines, then one line that sums it up, with no further event', async () => {
    // Prepare
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));

    // Act: 25 messages, 10 a batch
    for (let i = 0; i < 25; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: Array.from({ length: Math.min(10, 25 - i) }, (_, j) => ({
            Id: `m${j}`,
            MessageBody: 'x',
          })),
        }),
      );
    }

    // Assess: the summary comes from the log's own timer
    expect(await printed(/sent \d+ messages/)).toBe('09:00:00  sqs     sent 25 messages to jobs in 0.0 s');
    expect(lines.filter((l) => / sent to jobs$/.test(l))).toHaveLength(3);
    expect(lines).toHaveLength(4);
  });

  test('a single event gets its line and no summary', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'one' }));

    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    log.close();

    expect(lines).toEqual([`09:00:00  sqs     message ${MessageId} sent to one`]);
  });

  test("an alarm's change of state gets its own line, with the gist of AWS's reason", async () => {
    // Prepare
    const cw = cloudWatchClientFor(emu.endpoint);
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'backlog',
        Namespace: 'App',
        MetricName: 'Depth',
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );

    // Act: a datapoint over the threshold, then the minute ends
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'App',
        MetricData: [{ MetricName: 'Depth', Value: 42, Timestamp: new Date(clock.now()) }],
      }),
    );
    clock.advance(60_000);
    cw.destroy();

    // Assess
    expect(await printed(/alarm {3}backlog/)).toBe(
      '09:01:00  alarm   backlog INSUFFICIENT_DATA → ALARM: Threshold Crossed: 1 out of the last 1 datapoints ' +
        '[42.0 (21/11/26 09:00:00)] was greater than or equal to the threshold (10.0)',
    );
  });

  test('a redrive of a dead-letter queue gets a line when it starts and when it is done', async () => {
    // Prepare: two messages dead-lettered after one receive each
    await sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }));
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'orders',
        Attributes: {
          VisibilityTimeout: '0',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:${emu.region}:000000000000:orders-dlq`,
            maxReceiveCount: 1,
          }),
        },
      }),
    );
    for (const body of ['a', 'b']) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));

    // Act
    await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: `arn:aws:sqs:${emu.region}:000000000000:orders-dlq` }),
    );

    // Assess
    expect(lines).toContain(
      '09:00:00  sqs     redrive orders-dlq → their source queues started: 2 messages to move',
    );
    expect(lines).toContain('09:00:00  sqs     redrive orders-dlq → their source queues done: 2 of 2 moved');
    expect(lines.filter((l) => /DEAD-LETTERED: orders → orders-dlq after 1 receives/.test(l))).toHaveLength(
      2,
    );
  });

  test("a function's JSON log lines read as level, message and key fields, before its invocation, with its request id", async () => {
    // Prepare: a handler that logs as Powertools Logger does, a plain line, and a warning
    const lambda = new LambdaClient({
      endpoint: emu.endpoint,
      region: emu.region,
      credentials: TEST_CREDENTIALS,
    });
    const code = `exports.handler = async () => {
      console.log(JSON.stringify({ level: 'INFO', message: 'order processed', timestamp: new Date().toISOString(),
        service: 'orders', sampling_rate: 0, messageId: 'm-1', orderId: 'o-7', total: 25.5 }));
      console.log('plain text');
      console.log(JSON.stringify({ level: 'WARN', message: 'invalid order', problems: ['items must not be empty'] }));
      return 'done';
    };`;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'consumer',
        Runtime: 'nodejs22.x',
        Role: 'arn:aws:iam::000000000000:role/r',
        Handler: 'index.handler',
        Code: { ZipFile: zipOf({ 'index.js': code }) },
      }),
    );

    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'after' }));

    // Act: the invocation, and right after it something else
    await lambda.send(new InvokeCommand({ FunctionName: 'consumer' }));
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    const invoked = await printed(/lambda {2}consumer \S{8} ← invoke: ok in \d+ ms/);
    await printed(/ sent to after$/);
    lambda.destroy();

    // Assess: the same request id on every line, the invocation's line after them, what came next after it
    const id = /consumer (\S{8})/.exec(invoked)?.[1] ?? '';
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(lines).toEqual([
      `09:00:00  lambda  consumer ${id}  INFO  order processed  orderId=o-7 messageId=m-1 total=25.5`,
      `09:00:00  lambda  consumer ${id}  plain text`,
      `09:00:00  lambda  consumer ${id}  WARN  invalid order  problems=["items must not be empty"]`,
      invoked,
      `09:00:00  sqs     message ${MessageId} sent to after`,
    ]);
  });
});

describe('structured log lines', () => {
  test('an error field reads as its name and message; long values are cut; control characters are spaces', () => {
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'order failed',
      error: { name: 'TypeError', message: 'x is undefined', stack: 'TypeError: x\n    at handler' },
      note: `${'n'.repeat(100)}`,
      detail: 'two\nlines',
    });

    expect(readableLine(line).text).toBe(
      `ERROR order failed  error=TypeError: x is undefined note=${'n'.repeat(59)}… detail=two lines`,
    );
  });

  test('lines that are not structured stay as they are', () => {
    expect(parseStructuredLine('{"no":"level"}')).toBeUndefined();
    expect(parseStructuredLine('{not json')).toBeUndefined();
    expect(parseStructuredLine(`{"level":"INFO","message":"${'x'.repeat(20_000)}"}`)).toBeUndefined();
    expect(readableLine('START RequestId: 1').text).toBe('START RequestId: 1');
  });

  test("the request id a line names (Lambda's JSON log format) is the one it shows", () => {
    expect(parseStructuredLine('{"level":"info","requestId":"abc","message":"hi"}')).toEqual({
      level: 'INFO',
      message: 'hi',
      fields: '',
      requestId: 'abc',
    });
  });

  test("an alarm's reason keeps the latest datapoint and drops the configuration AWS repeats", () => {
    expect(
      reasonGist(
        'Threshold Crossed: 5 out of the last 5 datapoints [0.0 (21/11/26 09:24:00), 0.0 (21/11/26 09:23:00), ' +
          '0.0 (21/11/26 09:22:00)] was less than or equal to the threshold (0.0) (minimum 5 datapoints for OK -> ALARM transition).',
      ),
    ).toBe(
      'Threshold Crossed: 5 out of the last 5 datapoints [0.0 (21/11/26 09:24:00), …] was less than or equal to the threshold (0.0)',
    );
  });
});
