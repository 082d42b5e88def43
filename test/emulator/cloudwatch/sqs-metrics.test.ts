import {
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  type Statistic,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { untilWaiting } from '../../helpers/emulator';
import { type CloudWatchTestEmulator, minute, startCloudWatchTestEmulator } from './cloudwatch-fixture';

let t: CloudWatchTestEmulator;
beforeEach(async () => {
  t = await startCloudWatchTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

const queue = async (name: string, attributes?: Record<string, string>) =>
  (await t.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl as string;

/** The AWS/SQS metric's statistic for the minute starting at minute `m` of the test, if published. */
async function sqsMetric(
  queueName: string,
  metricName: string,
  m: number,
  statistic: Statistic = 'Sum',
): Promise<number | undefined> {
  const result = await t.cw.send(
    new GetMetricStatisticsCommand({
      Namespace: 'AWS/SQS',
      MetricName: metricName,
      Dimensions: [{ Name: 'QueueName', Value: queueName }],
      StartTime: minute(t, m),
      EndTime: minute(t, m + 1),
      Period: 60,
      Statistics: [statistic],
    }),
  );
  return result.Datapoints?.[0]?.[statistic];
}

async function minuteOf(queueName: string, m: number): Promise<Record<string, number | undefined>> {
  const names = [
    'ApproximateNumberOfMessagesVisible',
    'ApproximateNumberOfMessagesNotVisible',
    'ApproximateNumberOfMessagesDelayed',
    'ApproximateAgeOfOldestMessage',
    'NumberOfMessagesSent',
    'NumberOfMessagesReceived',
    'NumberOfMessagesDeleted',
    'NumberOfEmptyReceives',
  ];
  const values = await Promise.all(names.map((n) => sqsMetric(queueName, n, m)));
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

describe('AWS/SQS metrics', () => {
  it('publishes each minute the gauges and that minute’s counters, with the dimension QueueName', async () => {
    // Prepare
    const url = await queue('jobs', { VisibilityTimeout: '120' });
    t.clock.advance(10_000);
    await t.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'x'.repeat(100) },
          {
            Id: 'b',
            MessageBody: 'y'.repeat(300),
            MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
          },
          { Id: 'c', MessageBody: 'later', DelaySeconds: 600 },
        ],
      }),
    );
    const received = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    await t.sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: received.Messages?.[0].ReceiptHandle }),
    );
    await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
    // Act
    t.atMinute(1);
    const first = await minuteOf('jobs', 0);
    const size = await t.cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/SQS',
        MetricName: 'SentMessageSize',
        Dimensions: [{ Name: 'QueueName', Value: 'jobs' }],
        StartTime: minute(t, 0),
        EndTime: minute(t, 1),
        Period: 60,
        Statistics: ['SampleCount', 'Minimum', 'Maximum', 'Average'],
      }),
    );
    t.atMinute(3);
    const third = await minuteOf('jobs', 2);
    const listed = await t.cw.send(new ListMetricsCommand({ Namespace: 'AWS/SQS' }));
    // Assess
    expect(first).toEqual({
      ApproximateNumberOfMessagesVisible: 0,
      ApproximateNumberOfMessagesNotVisible: 1,
      ApproximateNumberOfMessagesDelayed: 1,
      ApproximateAgeOfOldestMessage: 50,
      NumberOfMessagesSent: 3,
      NumberOfMessagesReceived: 2,
      NumberOfMessagesDeleted: 1,
      NumberOfEmptyReceives: 1,
    });
    // message b: 300 body bytes + attribute name, type and value
    expect(size.Datapoints?.[0]).toMatchObject({
      SampleCount: 3,
      Minimum: 5,
      Maximum: 300 + 1 + 6 + 1,
      Unit: 'Bytes',
    });
    // the 120 s visibility timeout ended: the received message is visible again; counters restart each minute
    expect(third).toMatchObject({
      ApproximateNumberOfMessagesVisible: 1,
      ApproximateNumberOfMessagesNotVisible: 0,
      ApproximateNumberOfMessagesDelayed: 1,
      ApproximateAgeOfOldestMessage: 170,
      NumberOfMessagesSent: 0,
      NumberOfMessagesReceived: 0,
      NumberOfMessagesDeleted: 0,
      NumberOfEmptyReceives: 0,
    });
    expect(listed.Metrics?.map((m) => m.MetricName)).toEqual([
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesDelayed',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesVisible',
      'NumberOfEmptyReceives',
      'NumberOfMessagesDeleted',
      'NumberOfMessagesReceived',
      'NumberOfMessagesSent',
      'SentMessageSize',
    ]);
    expect(listed.Metrics?.[0].Dimensions).toEqual([{ Name: 'QueueName', Value: 'jobs' }]);
  });

  it('counts a long poll that times out as one empty receive, and batch deletes per message', async () => {
    // Prepare
    const url = await queue('polled');
    const poll = t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await untilWaiting(t.emulator, 1);
    t.clock.advance(20_000);
    await poll;
    await t.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: '1', MessageBody: 'one' },
          { Id: '2', MessageBody: 'two' },
        ],
      }),
    );
    const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    await t.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: (got.Messages ?? []).map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    // Act
    t.atMinute(1);
    const counters = await minuteOf('polled', 0);
    // Assess
    expect(counters).toMatchObject({
      NumberOfEmptyReceives: 1,
      NumberOfMessagesSent: 2,
      NumberOfMessagesReceived: 2,
      NumberOfMessagesDeleted: 2,
      ApproximateNumberOfMessagesVisible: 0,
      ApproximateAgeOfOldestMessage: undefined,
    });
  });

  it('does not count dead-letter moves as sends or receives, nor FIFO duplicates as sends', async () => {
    // Prepare
    const dlq = await queue('jobs-dlq');
    const source = await queue('jobs-src', {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:jobs-dlq',
        maxReceiveCount: 1,
      }),
      VisibilityTimeout: '5',
    });
    const fifo = await queue('jobs.fifo', { FifoQueue: 'true' });
    await t.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: 'poison' }));
    await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: source }));
    t.clock.advance(5_000);
    await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: source }));
    for (let i = 0; i < 2; i++) {
      await t.sqs.send(
        new SendMessageCommand({
          QueueUrl: fifo,
          MessageBody: 'once',
          MessageGroupId: 'g',
          MessageDeduplicationId: 'same',
        }),
      );
    }
    // Act
    t.atMinute(1);
    // Assess
    expect(await minuteOf('jobs-src', 0)).toMatchObject({
      NumberOfMessagesSent: 1,
      NumberOfMessagesReceived: 1,
      NumberOfEmptyReceives: 1,
      ApproximateNumberOfMessagesVisible: 0,
    });
    expect(await minuteOf('jobs-dlq', 0)).toMatchObject({
      NumberOfMessagesSent: 0,
      ApproximateNumberOfMessagesVisible: 1,
      ApproximateAgeOfOldestMessage: 55,
    });
    expect(await sqsMetric('jobs.fifo', 'NumberOfMessagesSent', 0)).toBe(1);
    expect(dlq).toContain('jobs-dlq');
  });

  it('stops publishing for a queue idle and empty for six hours, and resumes on activity', async () => {
    // Prepare
    const url = await queue('quiet');
    const busy = await queue('busy');
    await t.sqs.send(new SendMessageCommand({ QueueUrl: busy, MessageBody: 'waiting' }));
    // Act
    t.atMinute(6 * 60 + 2);
    const lastActiveMinute = await sqsMetric('quiet', 'NumberOfMessagesSent', 6 * 60 - 1, 'SampleCount');
    const idleMinute = await sqsMetric('quiet', 'NumberOfMessagesSent', 6 * 60, 'SampleCount');
    const busyMinute = await sqsMetric('busy', 'ApproximateNumberOfMessagesVisible', 6 * 60, 'Maximum');
    await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    t.atMinute(6 * 60 + 3);
    const resumed = await sqsMetric('quiet', 'NumberOfEmptyReceives', 6 * 60 + 2);
    // Assess
    expect(lastActiveMinute).toBe(1);
    expect(idleMinute).toBeUndefined();
    expect(busyMinute).toBe(1);
    expect(resumed).toBe(1);
  });

  it('drives an alarm on ApproximateNumberOfMessagesVisible as the backlog grows and drains', async () => {
    // Prepare
    const url = await queue('backlog');
    await t.cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'backlog-high',
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: 'backlog' }],
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 2,
        Threshold: 100,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    const states: string[] = [];
    const state = async () =>
      (await t.cw.send(new DescribeAlarmsCommand({ AlarmNames: ['backlog-high'] }))).MetricAlarms?.[0]
        .StateValue as string;
    // Act
    t.atMinute(2);
    states.push(await state());
    for (let i = 0; i < 20; i++) {
      await t.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 10 }, (_, k) => ({ Id: `m${k}`, MessageBody: `job ${i}-${k}` })),
        }),
      );
    }
    t.atMinute(3);
    states.push(await state());
    t.atMinute(4);
    states.push(await state());
    for (let i = 0; i < 20; i++) {
      const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      await t.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: (got.Messages ?? []).map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    t.atMinute(5);
    states.push(await state());
    // Assess: two datapoints of 200 are needed; one of 0 ends it
    expect(states).toEqual(['OK', 'OK', 'ALARM', 'OK']);
  });
});
