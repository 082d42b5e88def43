import {
  CreateTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { awsErrorOf } from '../../helpers/emulator';
import { type SnsTestEmulator, startSnsTestEmulator } from './sns-fixture';

let t: SnsTestEmulator;
beforeEach(async () => {
  t = await startSnsTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

const topic = async (name: string, attributes?: Record<string, string>) =>
  (await t.sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }))).TopicArn as string;
const subscribe = async (topicArn: string, queueArn: string, attributes?: Record<string, string>) =>
  (
    await t.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: attributes,
      }),
    )
  ).SubscriptionArn as string;

describe('delivery to SQS', () => {
  it('writes the notification envelope as AWS does', async () => {
    // Prepare
    const topicArn = await topic('orders');
    const queue = await t.queue('orders-copy');
    const subscriptionArn = await subscribe(topicArn, queue.arn);
    // Act
    const published = await t.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: 'order placed',
        Subject: 'New order',
        MessageAttributes: {
          store: { DataType: 'String', StringValue: 'north' },
          total: { DataType: 'Number', StringValue: '42.5' },
        },
      }),
    );
    const [message] = await t.received(queue.url);
    // Assess
    const body = message.Body as string;
    const envelope = JSON.parse(body);
    expect(Object.keys(envelope)).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Subject',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
      'UnsubscribeURL',
      'MessageAttributes',
    ]);
    expect(envelope).toMatchObject({
      Type: 'Notification',
      MessageId: published.MessageId,
      TopicArn: topicArn,
      Subject: 'New order',
      Message: 'order placed',
      Timestamp: '2026-01-01T00:00:00.000Z',
      SignatureVersion: '1',
      UnsubscribeURL: `${t.emulator.endpoint}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
      MessageAttributes: {
        store: { Type: 'String', Value: 'north' },
        total: { Type: 'Number', Value: '42.5' },
      },
    });
    expect(envelope.Signature).toMatch(/^[A-Za-z0-9+/]{342}==$/);
    // AWS's layout: `"Key" : value` lines and one compact object per attribute
    expect(body.startsWith('{\n  "Type" : "Notification",\n  "MessageId" : ')).toBe(true);
    expect(body).toContain('"MessageAttributes" : {\n    "store" : {"Type":"String","Value":"north"},');
    expect(message.MessageAttributes).toBeUndefined();
  });

  it('leaves Subject and MessageAttributes out when the publish has none', async () => {
    // Prepare
    const topicArn = await topic('plain');
    const queue = await t.queue('plain-copy');
    await subscribe(topicArn, queue.arn);
    // Act
    await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'hi' }));
    const [message] = await t.received(queue.url);
    // Assess
    const envelope = JSON.parse(message.Body as string);
    expect(envelope.Subject).toBeUndefined();
    expect(envelope.MessageAttributes).toBeUndefined();
  });

  it('delivers the raw body with SNS attributes as SQS attributes when RawMessageDelivery is on', async () => {
    // Prepare
    const topicArn = await topic('raw');
    const queue = await t.queue('raw-copy');
    await subscribe(topicArn, queue.arn, { RawMessageDelivery: 'true' });
    // Act
    await t.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: '{"id":1}',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'car' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
          tags: { DataType: 'String.Array', StringValue: '["a","b"]' },
        },
      }),
    );
    const [message] = await t.received(queue.url);
    // Assess
    expect(message.Body).toBe('{"id":1}');
    expect(message.MessageAttributes).toEqual({
      kind: { DataType: 'String', StringValue: 'car' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
      tags: { DataType: 'String.Array', StringValue: '["a","b"]' },
    });
  });

  it('picks the sqs entry of a MessageStructure json message, else default', async () => {
    // Prepare
    const topicArn = await topic('structured');
    const queue = await t.queue('structured-copy');
    await subscribe(topicArn, queue.arn, { RawMessageDelivery: 'true' });
    // Act
    await t.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'for everyone', sqs: 'for queues' }),
      }),
    );
    await t.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'for everyone', lambda: 'for functions' }),
      }),
    );
    const messages = await t.received(queue.url);
    // Assess
    expect(messages.map((m) => m.Body).sort()).toEqual(['for everyone', 'for queues']);
  });

  it('a FIFO topic writes SequenceNumber, no signature, and passes group and deduplication to a FIFO queue', async () => {
    // Prepare
    const topicArn = await topic('orders.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
    const queue = await t.queue('orders.fifo', { FifoQueue: 'true' });
    const standard = await t.queue('orders-audit');
    await subscribe(topicArn, queue.arn);
    await subscribe(topicArn, standard.arn);
    // Act
    const first = await t.sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: 'one', MessageGroupId: 'customer-1' }),
    );
    const duplicate = await t.sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: 'one', MessageGroupId: 'customer-1' }),
    );
    const second = await t.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: 'two',
        MessageGroupId: 'customer-1',
        MessageDeduplicationId: 'd-2',
      }),
    );
    const messages = await t.received(queue.url);
    const audit = await t.received(standard.url);
    // Assess
    expect(first.SequenceNumber).toMatch(/^\d{20}$/);
    expect(BigInt(second.SequenceNumber as string)).toBeGreaterThan(BigInt(first.SequenceNumber as string));
    expect(duplicate).toMatchObject({ MessageId: first.MessageId, SequenceNumber: first.SequenceNumber });
    expect(messages.map((m) => JSON.parse(m.Body as string).Message)).toEqual(['one', 'two']);
    expect(audit).toHaveLength(2);
    const envelope = JSON.parse(messages[0].Body as string);
    expect(Object.keys(envelope)).toEqual([
      'Type',
      'MessageId',
      'SequenceNumber',
      'TopicArn',
      'Message',
      'Timestamp',
      'UnsubscribeURL',
    ]);
    expect(envelope.SequenceNumber).toBe(first.SequenceNumber);
    expect(messages[0].Attributes).toMatchObject({ MessageGroupId: 'customer-1' });
    expect(messages[1].Attributes).toMatchObject({ MessageDeduplicationId: 'd-2' });
  });

  it('sends a message that cannot reach its queue to the RedrivePolicy dead-letter queue', async () => {
    // Prepare
    const topicArn = await topic('lost');
    const dlq = await t.queue('lost-dlq');
    const subscriptionArn = await subscribe(topicArn, 'arn:aws:sqs:us-east-1:000000000000:never-created');
    await t.sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: subscriptionArn,
        AttributeName: 'RedrivePolicy',
        AttributeValue: JSON.stringify({ deadLetterTargetArn: dlq.arn }),
      }),
    );
    // Act
    await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'nowhere to go' }));
    const [message] = await t.received(dlq.url);
    // Assess
    expect(JSON.parse(message.Body as string).Message).toBe('nowhere to go');
  });
});

describe('PublishBatch', () => {
  it('publishes each entry and reports failures per entry', async () => {
    // Prepare
    const topicArn = await topic('batch');
    const queue = await t.queue('batch-copy');
    await subscribe(topicArn, queue.arn, { RawMessageDelivery: 'true' });
    // Act
    const result = await t.sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: 'first' },
          { Id: 'b', Message: 'second', Subject: 'line\nbreak' },
          { Id: 'c', Message: 'third' },
        ],
      }),
    );
    const messages = await t.received(queue.url);
    // Assess
    expect(result.Successful?.map((s) => s.Id)).toEqual(['a', 'c']);
    expect(result.Failed).toEqual([
      { Id: 'b', Code: 'InvalidParameter', Message: 'Invalid parameter: Subject', SenderFault: true },
    ]);
    expect(messages.map((m) => m.Body).sort()).toEqual(['first', 'third']);
  });

  it.each([
    [[], 'EmptyBatchRequest', "The batch request doesn't contain any entries."],
    [
      Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, Message: 'x' })),
      'TooManyEntriesInBatchRequest',
      'The batch request contains more entries than permissible.',
    ],
    [
      [
        { Id: 'same', Message: 'x' },
        { Id: 'same', Message: 'y' },
      ],
      'BatchEntryIdsNotDistinct',
      'Two or more batch entries in the request have the same Id.',
    ],
    [
      [{ Id: 'bad id!', Message: 'x' }],
      'InvalidBatchEntryId',
      "The Id of a batch entry in a batch request doesn't abide by the specification.",
    ],
    [
      [
        { Id: 'a', Message: 'x'.repeat(200_000) },
        { Id: 'b', Message: 'x'.repeat(200_000) },
      ],
      'BatchRequestTooLong',
      'The length of all the messages put together is more than the limit.',
    ],
  ])('rejects a bad batch (%#) with %s', async (entries, code, message) => {
    // Prepare
    const topicArn = await topic('bad-batch');
    // Act
    const error = await awsErrorOf(
      t.sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries })),
    );
    // Assess
    expect(error).toMatchObject({ name: `${code}Exception`, code, status: 400, message });
  });
});

describe('Publish validation', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['an empty message', { Message: '' }, 'InvalidParameter', 'Invalid parameter: Empty message'],
    [
      'a message over 256 KiB',
      { Message: 'x'.repeat(262_145) },
      'InvalidParameter',
      'Invalid parameter: Message too long',
    ],
    [
      'a message whose attributes push it over 256 KiB',
      {
        Message: 'x'.repeat(262_100),
        MessageAttributes: { a: { DataType: 'String', StringValue: 'y'.repeat(100) } },
      },
      'InvalidParameter',
      'Invalid parameter: Message too long',
    ],
    [
      'a subject over 100 characters',
      { Message: 'm', Subject: 's'.repeat(101) },
      'InvalidParameter',
      'Invalid parameter: Subject',
    ],
    [
      'MessageStructure json without default',
      { Message: '{"sqs":"x"}', MessageStructure: 'json' },
      'InvalidParameter',
      'Invalid parameter: Message Structure - No default entry in JSON message body',
    ],
    [
      'MessageStructure json that is not JSON',
      { Message: 'not json', MessageStructure: 'json' },
      'InvalidParameter',
      'Invalid parameter: Message Structure - JSON message body failed to parse',
    ],
    [
      'a Number attribute that is not a number',
      { Message: 'm', MessageAttributes: { n: { DataType: 'Number', StringValue: 'ten' } } },
      'InvalidParameterValue',
      "Could not cast message attribute 'n' value to number.",
    ],
    [
      'an attribute of an unknown type',
      { Message: 'm', MessageAttributes: { n: { DataType: 'Date', StringValue: 'x' } } },
      'InvalidParameterValue',
      "The message attribute 'n' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
    ],
    [
      'a deduplication id on a standard topic',
      { Message: 'm', MessageDeduplicationId: 'd' },
      'InvalidParameter',
      'Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
    ],
  ])('rejects %s', async (_case, input, name, message) => {
    // Prepare
    const topicArn = await topic('strict');
    // Act
    const error = await awsErrorOf(t.sns.send(new PublishCommand({ TopicArn: topicArn, ...input } as never)));
    // Assess
    expect(error).toMatchObject({
      name: name === 'InvalidParameterValue' ? 'InvalidParameterValueException' : 'InvalidParameterException',
      status: 400,
      message,
    });
  });

  it('accepts a message of exactly 256 KiB', async () => {
    // Prepare
    const topicArn = await topic('big');
    // Act
    const result = await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x'.repeat(262_144) }));
    // Assess
    expect(result.MessageId).toBeDefined();
  });

  it('requires MessageGroupId, and a deduplication id without content-based deduplication, on FIFO topics', async () => {
    // Prepare
    const topicArn = await topic('strict.fifo', { FifoTopic: 'true' });
    // Act
    const noGroup = await awsErrorOf(t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'm' })));
    const noDedup = await awsErrorOf(
      t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'm', MessageGroupId: 'g' })),
    );
    // Assess
    expect(noGroup).toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics',
    });
    expect(noDedup.message).toBe(
      'Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    );
  });

  it('answers NotFound for a topic that does not exist', async () => {
    // Act
    const error = await awsErrorOf(
      t.sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:ghost', Message: 'm' })),
    );
    // Assess
    expect(error).toMatchObject({ name: 'NotFoundException', status: 404, message: 'Topic does not exist' });
  });
});
