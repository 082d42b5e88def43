import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { awsErrorOf, startTestEmulator, type TestEmulator } from '../../helpers/emulator';

let t: TestEmulator;
beforeEach(async () => {
  t = await startTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

async function fifoQueue(name = 'jobs.fifo', attributes: Record<string, string> = {}): Promise<string> {
  const result = await t.sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true', ...attributes } }),
  );
  return result.QueueUrl as string;
}

const send = (url: string, body: string, group: string, dedup?: string) =>
  t.sqs.send(
    new SendMessageCommand({
      QueueUrl: url,
      MessageBody: body,
      MessageGroupId: group,
      MessageDeduplicationId: dedup ?? body,
    }),
  );
const receive = async (url: string, extra: Record<string, unknown> = {}): Promise<Message[]> =>
  (await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, ...extra })))
    .Messages ?? [];
const remove = (url: string, m: Message) =>
  t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));

describe('FIFO queues', () => {
  it('delivers in order within a group and returns one group before the next', async () => {
    // Prepare
    const url = await fifoQueue();
    for (const [body, group] of [
      ['a1', 'a'],
      ['b1', 'b'],
      ['a2', 'a'],
      ['b2', 'b'],
      ['a3', 'a'],
    ]) {
      await send(url, body, group);
    }
    // Act
    const first = await receive(url, { MaxNumberOfMessages: 2 });
    const second = await receive(url, { MaxNumberOfMessages: 10 });
    // Assess
    expect(first.map((m) => m.Body)).toEqual(['a1', 'a2']);
    expect(second.map((m) => m.Body)).toEqual(['b1', 'b2']);
  });

  it('locks a group while any of its messages is in flight', async () => {
    // Prepare
    const url = await fifoQueue();
    await send(url, 'first', 'g');
    await send(url, 'second', 'g');
    const [first] = await receive(url, { MaxNumberOfMessages: 1 });
    // Act
    const whileLocked = await receive(url);
    await remove(url, first);
    const afterDelete = await receive(url);
    // Assess
    expect(whileLocked).toEqual([]);
    expect(afterDelete.map((m) => m.Body)).toEqual(['second']);
  });

  it('redelivers the head of a group, in order, after its visibility timeout', async () => {
    // Prepare
    const url = await fifoQueue();
    await send(url, 'one', 'g');
    await send(url, 'two', 'g');
    await receive(url, { VisibilityTimeout: 10 });
    // Act
    t.clock.advance(10_000);
    const again = await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    // Assess
    expect(again.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([
      ['one', '2'],
      ['two', '2'],
    ]);
  });

  it('deduplicates by MessageDeduplicationId for 5 minutes, even after delete, returning the original id', async () => {
    // Prepare
    const url = await fifoQueue();
    const original = await send(url, 'pay invoice 7', 'billing', 'invoice-7');
    const [message] = await receive(url);
    await remove(url, message);
    // Act
    t.clock.advance(299_999);
    const duplicate = await send(url, 'pay invoice 7 again', 'billing', 'invoice-7');
    const nothing = await receive(url);
    t.clock.advance(1);
    const fresh = await send(url, 'pay invoice 7 again', 'billing', 'invoice-7');
    const delivered = await receive(url);
    // Assess
    expect(duplicate.MessageId).toBe(original.MessageId);
    expect(duplicate.SequenceNumber).toBe(original.SequenceNumber);
    expect(nothing).toEqual([]);
    expect(fresh.MessageId).not.toBe(original.MessageId);
    expect(delivered.map((m) => m.Body)).toEqual(['pay invoice 7 again']);
  });

  it('deduplicates by SHA-256 of the body with ContentBasedDeduplication', async () => {
    // Prepare
    const url = await fifoQueue('content.fifo', { ContentBasedDeduplication: 'true' });
    const sendBody = (body: string, group: string) =>
      t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group }));
    // Act
    const a = await sendBody('same', 'g1');
    const b = await sendBody('same', 'g2');
    const c = await sendBody('different', 'g1');
    const messages = await receive(url, { MessageSystemAttributeNames: ['MessageDeduplicationId'] });
    // Assess
    expect(b.MessageId).toBe(a.MessageId);
    expect(c.MessageId).not.toBe(a.MessageId);
    expect(messages.map((m) => m.Body)).toEqual(['same', 'different']);
    expect(messages[0].Attributes?.MessageDeduplicationId).toBe(
      '0967115f2813a3541eaef77de9d9d5773f1c0c04314b0bbfe4ff3b3b1c55b5d5',
    );
  });

  it('scopes deduplication to the message group with DeduplicationScope=messageGroup', async () => {
    // Prepare
    const url = await fifoQueue('high.fifo', {
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
    });
    // Act
    const a = await send(url, 'x', 'g1', 'same-id');
    const b = await send(url, 'x', 'g2', 'same-id');
    const c = await send(url, 'x', 'g1', 'same-id');
    // Assess
    expect(b.MessageId).not.toBe(a.MessageId);
    expect(c.MessageId).toBe(a.MessageId);
  });

  it('rejects perMessageGroupId throughput with queue-wide deduplication', async () => {
    // Act
    const error = await awsErrorOf(fifoQueue('bad.fifo', { FifoThroughputLimit: 'perMessageGroupId' }));
    // Assess
    expect(error.code).toBe('InvalidAttributeValue');
  });

  it('gives increasing sequence numbers and keeps batch order', async () => {
    // Prepare
    const url = await fifoQueue();
    // Act
    const batch = await t.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ['m1', 'm2', 'm3'].map((body) => ({
          Id: body,
          MessageBody: body,
          MessageGroupId: 'g',
          MessageDeduplicationId: body,
        })),
      }),
    );
    const messages = await receive(url, { MessageSystemAttributeNames: ['All'] });
    // Assess
    const sequence = batch.Successful?.map((e) => BigInt(e.SequenceNumber as string)) ?? [];
    expect(sequence[0] < sequence[1] && sequence[1] < sequence[2]).toBe(true);
    expect(batch.Successful?.[0].SequenceNumber).toMatch(/^\d{20}$/);
    expect(messages.map((m) => m.Body)).toEqual(['m1', 'm2', 'm3']);
    expect(messages[0].Attributes).toMatchObject({
      MessageGroupId: 'g',
      MessageDeduplicationId: 'm1',
      SequenceNumber: batch.Successful?.[0].SequenceNumber,
    });
  });

  it('returns the same messages and handles for a retried ReceiveRequestAttemptId', async () => {
    // Prepare
    const url = await fifoQueue();
    await send(url, 'm1', 'g');
    await send(url, 'm2', 'h');
    // Act
    const first = await receive(url, { ReceiveRequestAttemptId: 'attempt-1', MaxNumberOfMessages: 1 });
    t.clock.advance(10_000);
    const retry = await receive(url, { ReceiveRequestAttemptId: 'attempt-1', MaxNumberOfMessages: 1 });
    const other = await receive(url, { ReceiveRequestAttemptId: 'attempt-2', MaxNumberOfMessages: 1 });
    // Assess
    expect(retry.map((m) => m.ReceiptHandle)).toEqual(first.map((m) => m.ReceiptHandle));
    expect(other.map((m) => m.Body)).toEqual(['m2']);
  });

  it('expires a receipt handle with the visibility timeout', async () => {
    // Prepare
    const url = await fifoQueue();
    await send(url, 'm', 'g');
    const [message] = await receive(url, { VisibilityTimeout: 5 });
    t.clock.advance(5000);
    // Act
    const error = await awsErrorOf(remove(url, message));
    // Assess
    expect(error).toMatchObject({
      code: 'InvalidParameterValue',
      message: `Value ${message.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
    });
  });

  it('makes a message visible at once with ChangeMessageVisibility 0, unlocking its group', async () => {
    // Prepare
    const url = await fifoQueue();
    await send(url, 'm', 'g');
    const [message] = await receive(url);
    // Act
    await t.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await receive(url);
    // Assess
    expect(again.map((m) => m.MessageId)).toEqual([message.MessageId]);
  });

  it('requires a group id and a deduplication id, and rejects per-message delays', async () => {
    // Prepare
    const url = await fifoQueue();
    // Act
    const noGroup = await awsErrorOf(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })));
    const noDedup = await awsErrorOf(
      t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })),
    );
    const delayed = await awsErrorOf(
      t.sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: 'x',
          MessageGroupId: 'g',
          MessageDeduplicationId: 'd',
          DelaySeconds: 2,
        }),
      ),
    );
    const batchNoGroup = await awsErrorOf(
      t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'x' }] })),
    );
    // Assess
    expect(noGroup).toMatchObject({
      code: 'MissingParameter',
      message: 'The request must contain the parameter MessageGroupId.',
    });
    expect(noDedup).toMatchObject({
      code: 'InvalidParameterValue',
      message:
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    });
    expect(delayed.message).toBe(
      'Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.',
    );
    expect(batchNoGroup).toMatchObject({
      code: 'InvalidParameterValue',
      message: 'The request must contain the parameter MessageGroupId.',
    });
  });

  it('rejects a MessageDeduplicationId on a standard queue', async () => {
    // Prepare
    const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'standard' }));
    // Act
    const error = await awsErrorOf(
      t.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageDeduplicationId: 'd' })),
    );
    // Assess
    expect(error.code).toBe('InvalidParameterValue');
  });
});
