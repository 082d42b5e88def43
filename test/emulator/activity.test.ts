import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { ActivityEvent } from '../../lib/emulator/activity';
import { ManualClock } from '../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../lib/emulator/emulator';
import { sqsClientFor, TEST_CREDENTIALS } from '../helpers/emulator';
import { cloudWatchClientFor } from './cloudwatch/cloudwatch-fixture';

describe('the activity log', () => {
  let emu: Emulator;
  let sqs: SQSClient;
  let events: ActivityEvent[];

  beforeEach(async () => {
    emu = await startEmulator({ port: 0, clock: new ManualClock() });
    sqs = sqsClientFor(emu.endpoint);
    events = [];
  });
  afterEach(async () => {
    sqs.destroy();
    await emu.stop();
  });

  test('reports sends and the move of a message to its dead-letter queue', async () => {
    // Prepare
    await sqs.send(new CreateQueueCommand({ QueueName: 'dlq' }));
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'work',
        Attributes: {
          VisibilityTimeout: '0',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:${emu.region}:000000000000:dlq`,
            maxReceiveCount: 1,
          }),
        },
      }),
    );
    emu.activity.listen((e) => events.push(e));

    // Act
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl }));

    // Assess
    expect(events).toEqual([
      { kind: 'message-sent', queueName: 'work', messageId: sent.MessageId },
      {
        kind: 'message-dead-lettered',
        queueName: 'work',
        deadLetterQueueName: 'dlq',
        messageId: sent.MessageId,
        receiveCount: 1,
      },
    ]);
  });

  test('reports uploads, deletions and publishes', async () => {
    const s3 = new S3Client({ endpoint: emu.endpoint, region: emu.region, credentials: TEST_CREDENTIALS });
    const sns = new SNSClient({ endpoint: emu.endpoint, region: emu.region, credentials: TEST_CREDENTIALS });
    await s3.send(new CreateBucketCommand({ Bucket: 'orders' }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'quotes' }));
    emu.activity.listen((e) => events.push(e));

    await s3.send(new PutObjectCommand({ Bucket: 'orders', Key: 'uploads/a.json', Body: '[1,2]' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'orders', Key: 'uploads/a.json' }));
    const published = await sns.send(new PublishCommand({ TopicArn, Message: 'hi' }));

    expect(events).toEqual([
      { kind: 'object-created', bucket: 'orders', key: 'uploads/a.json', size: 5 },
      { kind: 'object-removed', bucket: 'orders', key: 'uploads/a.json', size: undefined },
      { kind: 'notification-published', topicName: 'quotes', messageId: published.MessageId },
    ]);
    s3.destroy();
    sns.destroy();
  });

  test("reports an alarm's changes of state, actions enabled or not", async () => {
    // Prepare
    const cw = cloudWatchClientFor(emu.endpoint);
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'depth',
        Namespace: 'App',
        MetricName: 'Depth',
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        ActionsEnabled: false,
      }),
    );
    emu.activity.listen((e) => events.push(e));

    // Act
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'depth', StateValue: 'ALARM', StateReason: 'by hand' }),
    );
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'depth', StateValue: 'ALARM', StateReason: 'again' }),
    );
    cw.destroy();

    // Assess: a change of state once; staying in it is no change
    expect(events).toEqual([
      {
        kind: 'alarm-state-changed',
        alarmName: 'depth',
        oldState: 'INSUFFICIENT_DATA',
        newState: 'ALARM',
        reason: 'by hand',
      },
    ]);
  });

  test('reports a message move task as it starts, moves and ends', async () => {
    // Prepare: two messages in a dead-letter queue, a task limited to one a second
    await sqs.send(new CreateQueueCommand({ QueueName: 'dlq' }));
    const dlqArn = `arn:aws:sqs:${emu.region}:000000000000:dlq`;
    await sqs.send(
      new CreateQueueCommand({
        QueueName: 'work',
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) },
      }),
    );
    const { QueueUrl: dlqUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'dlq' }));
    for (const body of ['a', 'b'])
      await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: body }));
    emu.activity.listen((e) => events.push(e));

    // Act
    await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: dlqArn,
        DestinationArn: `arn:aws:sqs:${emu.region}:000000000000:work`,
        MaxNumberOfMessagesPerSecond: 1,
      }),
    );
    (emu.clock as ManualClock).advance(2000);

    // Assess
    const task = {
      kind: 'message-move-task',
      sourceQueueName: 'dlq',
      destinationQueueName: 'work',
      toMove: 2,
    };
    expect(events).toEqual([
      { ...task, status: 'started', taskId: expect.any(String), moved: 0 },
      { ...task, status: 'progress', taskId: expect.any(String), moved: 1 },
      { ...task, status: 'completed', taskId: expect.any(String), moved: 2 },
    ]);
  });

  test('a listener that throws does not fail the operation, and a removed listener hears nothing', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    emu.activity.listen(() => {
      throw new Error('listener bug');
    });
    const stop = emu.activity.listen((e) => events.push(e));
    stop();

    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));

    expect(sent.MessageId).toBeDefined();
    expect(events).toEqual([]);
    expect(errors).toHaveBeenCalledWith('emulator: activity listener failed', expect.any(Error));
    errors.mockRestore();
  });
});
