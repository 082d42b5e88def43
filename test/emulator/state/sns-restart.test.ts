/** `--state-dir` with SNS: topics and subscriptions come back, and a publish after the restart is delivered. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { sqsClientFor, TEST_CREDENTIALS } from '../../helpers/emulator';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-sns-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function withEmulator<T>(
  clock: ManualClock,
  act: (clients: { sns: SNSClient; sqs: ReturnType<typeof sqsClientFor> }, emulator: Emulator) => Promise<T>,
): Promise<T> {
  const emulator = await startEmulator({ port: 0, clock, region: 'us-east-1', stateDirectory: dir });
  const sns = new SNSClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  const sqs = sqsClientFor(emulator.endpoint);
  try {
    return await act({ sns, sqs }, emulator);
  } finally {
    sns.destroy();
    sqs.destroy();
    await emulator.stop();
  }
}

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:quotes';

it.each([
  ['from the journal', false],
  ['from a snapshot', true],
])('keeps topics with attributes, tags and subscriptions across a restart, %s', async (_label, snapshot) => {
  // Prepare: a topic, a filtered raw subscription to a queue, and one unsubscribed again
  const clock = new ManualClock();
  const before = await withEmulator(clock, async ({ sns, sqs }, emulator) => {
    await sqs.send(new CreateQueueCommand({ QueueName: 'quotes' }));
    await sqs.send(new CreateQueueCommand({ QueueName: 'other' }));
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({
        Name: 'quotes',
        Attributes: { DisplayName: 'Quotes' },
        Tags: [{ Key: 'team', Value: 'pricing' }],
      }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: QUEUE_ARN,
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ kind: ['car'] }) },
      }),
    );
    const other = await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:other',
        ReturnSubscriptionArn: true,
      }),
    );
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: other.SubscriptionArn }));
    if (snapshot) await emulator.persistence?.rewrite();
    return {
      attributes: (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes,
      subscriptions: (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions,
    };
  });

  // Act
  await withEmulator(clock, async ({ sns, sqs }, emulator) => {
    const TopicArn = 'arn:aws:sns:us-east-1:000000000000:quotes';
    await sns.send(new PublishCommand({ TopicArn, Message: 'boat', MessageAttributes: kind('boat') }));
    await sns.send(new PublishCommand({ TopicArn, Message: 'car', MessageAttributes: kind('car') }));
    await emulator.idle();

    // Assess: the same topic and subscription, still filtering and delivering raw
    expect((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes).toEqual(
      before.attributes,
    );
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toEqual(
      before.subscriptions,
    );
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags).toEqual([
      { Key: 'team', Value: 'pricing' },
    ]);
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: `${emulator.endpoint}/000000000000/quotes`,
        MaxNumberOfMessages: 10,
      }),
    );
    expect(Messages?.map((m) => m.Body)).toEqual(['car']);
  });
});

function kind(value: string) {
  return { kind: { DataType: 'String', StringValue: value } };
}
