import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { awsErrorOf, startTestEmulator, type TestEmulator } from '../../helpers/emulator';

let t: TestEmulator;
beforeEach(async () => {
  t = await startTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

async function createQueue(name: string, attributes?: Record<string, string>): Promise<string> {
  return (await t.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })))
    .QueueUrl as string;
}

async function withDeadLetterQueue(maxReceiveCount = 2) {
  const dlq = await createQueue('orders-dlq');
  const source = await createQueue('orders', {
    VisibilityTimeout: '10',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('orders-dlq'), maxReceiveCount }),
  });
  return { dlq, source };
}

const receive = async (url: string, extra: Record<string, unknown> = {}): Promise<Message[]> =>
  (await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, ...extra })))
    .Messages ?? [];

async function approximateCount(url: string): Promise<number> {
  const { Attributes } = await t.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages);
}

/** Receives every message of the source until it lands in the dead-letter queue. */
async function deadLetter(source: string, bodies: string[], maxReceiveCount: number): Promise<void> {
  for (const body of bodies)
    await t.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: body }));
  for (let i = 0; i < maxReceiveCount; i++) {
    await receive(source);
    t.clock.advance(10_000);
  }
  await receive(source);
}

describe('dead-letter queues', () => {
  it('moves a message to the DLQ once it was received maxReceiveCount times', async () => {
    // Prepare
    const { dlq, source } = await withDeadLetterQueue(2);
    const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: 'poison' }));
    // Act
    const first = await receive(source);
    t.clock.advance(10_000);
    const second = await receive(source);
    t.clock.advance(10_000);
    const third = await receive(source);
    const [dead] = await receive(dlq, { MessageSystemAttributeNames: ['All'] });
    // Assess
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(third).toEqual([]);
    expect(dead.MessageId).toBe(sent.MessageId);
    expect(dead.Body).toBe('poison');
    expect(dead.Attributes?.DeadLetterQueueSourceArn).toBe(arn('orders'));
  });
});

describe('message move tasks', () => {
  it('moves messages from a DLQ back to their source queue', async () => {
    // Prepare
    const { dlq, source } = await withDeadLetterQueue(1);
    await deadLetter(source, ['a', 'b'], 1);
    // Act
    const { TaskHandle } = await t.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: arn('orders-dlq') }),
    );
    const { Results } = await t.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn('orders-dlq') }));
    const back = await receive(source);
    // Assess
    expect(TaskHandle).toBeDefined();
    expect(Results).toEqual([
      {
        Status: 'COMPLETED',
        SourceArn: arn('orders-dlq'),
        ApproximateNumberOfMessagesMoved: 2,
        ApproximateNumberOfMessagesToMove: 2,
        StartedTimestamp: t.clock.now(),
      },
    ]);
    expect(back.map((m) => m.Body).sort()).toEqual(['a', 'b']);
    expect(await approximateCount(dlq)).toBe(0);
  });

  it('moves to a chosen destination at the requested rate, and can be cancelled', async () => {
    // Prepare
    const { source } = await withDeadLetterQueue(1);
    const elsewhere = await createQueue('elsewhere');
    await deadLetter(source, ['1', '2', '3', '4', '5'], 1);
    // Act
    const { TaskHandle } = await t.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: arn('orders-dlq'),
        DestinationArn: arn('elsewhere'),
        MaxNumberOfMessagesPerSecond: 2,
      }),
    );
    const running = (await t.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn('orders-dlq') })))
      .Results?.[0];
    const second = await t.sqs
      .send(new StartMessageMoveTaskCommand({ SourceArn: arn('orders-dlq') }))
      .catch((e) => e);
    t.clock.advance(1000);
    const cancelled = await t.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    t.clock.advance(10_000);
    const after = (await t.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn('orders-dlq') })))
      .Results?.[0];
    // Assess
    expect(running).toMatchObject({
      Status: 'RUNNING',
      TaskHandle,
      DestinationArn: arn('elsewhere'),
      MaxNumberOfMessagesPerSecond: 2,
      ApproximateNumberOfMessagesMoved: 2,
      ApproximateNumberOfMessagesToMove: 5,
    });
    expect(second.message).toBe(
      'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
    );
    expect(cancelled.ApproximateNumberOfMessagesMoved).toBe(4);
    expect(after).toMatchObject({ Status: 'CANCELLED', ApproximateNumberOfMessagesMoved: 4 });
    expect(after?.TaskHandle).toBeUndefined();
    expect(await approximateCount(elsewhere)).toBe(4);
  });

  it('requires the source to be a dead-letter queue and the destination to exist', async () => {
    // Prepare
    await createQueue('plain');
    await withDeadLetterQueue(1);
    // Act
    const notDlq = await awsErrorOf(t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('plain') })));
    const noDestination = await awsErrorOf(
      t.sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: arn('orders-dlq'), DestinationArn: arn('nowhere') }),
      ),
    );
    const noSource = await awsErrorOf(
      t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('nowhere') })),
    );
    const badHandle = await awsErrorOf(
      t.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'nonsense' })),
    );
    // Assess
    expect(notDlq).toMatchObject({
      code: 'InvalidParameterValue',
      message: 'Source queue must be configured as a Dead Letter Queue.',
    });
    expect(noDestination).toMatchObject({
      code: 'ResourceNotFoundException',
      status: 404,
      message: "The resource that you specified for the DestinationArn parameter doesn't exist.",
    });
    expect(noSource.message).toBe(
      "The resource that you specified for the SourceArn parameter doesn't exist.",
    );
    expect(badHandle.message).toBe('Value for parameter TaskHandle is invalid.');
  });
});
