/**
 * What the temporary queue client needs of SQS (lambda/shared/temporary-queues), through the SDK: tags given at
 * CreateQueue with the design's `__`-prefixed, dotted keys, a heartbeat TagQueue overwriting one tag, ListQueues
 * by prefix, message attributes with those names, and DeleteQueue with receivers still long-polling the queue.
 */
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import {
  IDLE_QUEUE_RETENTION_PERIOD_TAG,
  LAST_HEARTBEAT_TIMESTAMP_TAG,
  VIRTUAL_QUEUE_NAME_ATTRIBUTE,
} from '../../../lambda/shared/temporary-queues/protocol';
import { awsErrorOf, startTestEmulator, type TestEmulator, untilWaiting } from '../../helpers/emulator';

let t: TestEmulator;
beforeEach(async () => {
  t = await startTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

async function hostQueue(name: string): Promise<string> {
  const created = await t.sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      tags: { [IDLE_QUEUE_RETENTION_PERIOD_TAG]: '300', [LAST_HEARTBEAT_TIMESTAMP_TAG]: '1000', owner: 'me' },
    }),
  );
  return created.QueueUrl as string;
}

describe('SQS for temporary queues', () => {
  test('keeps the tags given at CreateQueue; a heartbeat TagQueue replaces one and keeps the rest', async () => {
    // Prepare
    const url = await hostQueue('replies-a');
    // Act
    await t.sqs.send(
      new TagQueueCommand({ QueueUrl: url, Tags: { [LAST_HEARTBEAT_TIMESTAMP_TAG]: '2000' } }),
    );
    const { Tags } = await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    // Assess
    expect(Tags).toEqual({
      [IDLE_QUEUE_RETENTION_PERIOD_TAG]: '300',
      [LAST_HEARTBEAT_TIMESTAMP_TAG]: '2000',
      owner: 'me',
    });
  });

  test('lists host queues by name prefix, and carries the virtual queue name attribute', async () => {
    // Prepare
    const url = await hostQueue('replies-b');
    await t.sqs.send(new CreateQueueCommand({ QueueName: 'requests' }));
    // Act
    const listed = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'replies-' }));
    await t.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'reply',
        MessageAttributes: { [VIRTUAL_QUEUE_NAME_ATTRIBUTE]: { DataType: 'String', StringValue: 'v-1' } },
      }),
    );
    const { Messages = [] } = await t.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }),
    );
    // Assess
    expect(listed.QueueUrls).toEqual([url]);
    expect(Messages[0].MessageAttributes?.[VIRTUAL_QUEUE_NAME_ATTRIBUTE]?.StringValue).toBe('v-1');
  });

  test('DeleteQueue answers the receivers waiting on it at once, empty; the next receive is refused', async () => {
    // Prepare: two receivers long-poll the host queue (20 s), as a requester's poll loop does
    const url = await hostQueue('replies-c');
    const polls = [1, 2].map(() =>
      t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 })),
    );
    await untilWaiting(t.emulator, 2);
    const started = Date.now();
    // Act
    await t.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const answers = await Promise.all(polls);
    const next = await awsErrorOf(
      t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 })),
    );
    // Assess: nobody waits out the 20 s, nothing is delivered, and the queue is gone for later calls
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answers.map((a) => a.Messages ?? [])).toEqual([[], []]);
    expect(t.emulator.sqs.waitingReceivers()).toBe(0);
    expect(next).toMatchObject({ name: 'QueueDoesNotExist', status: 400 });
  });
});
