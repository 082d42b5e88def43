import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { awsErrorOf, startTestEmulator, type TestEmulator } from '../../helpers/emulator';

let t: TestEmulator;
let url: string;
beforeEach(async () => {
  t = await startTestEmulator();
  url = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'work' }))).QueueUrl as string;
});
afterEach(async () => {
  await t.stop();
});

const send = (body: string, extra: Record<string, unknown> = {}) =>
  t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, ...extra }));
const receive = async (extra: Record<string, unknown> = {}): Promise<Message[]> =>
  (await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, ...extra }))).Messages ?? [];
const counts = async () => {
  const { Attributes } = await t.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return [
    Number(Attributes?.ApproximateNumberOfMessages),
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
    Number(Attributes?.ApproximateNumberOfMessagesDelayed),
  ];
};

describe('send, receive, delete', () => {
  it('delivers a message with its MD5 and deletes it', async () => {
    // Act
    const sent = await send('hello');
    const [message] = await receive();
    await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    // Assess
    expect(sent.MD5OfMessageBody).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(sent.MD5OfMessageAttributes).toBeUndefined();
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'hello',
      MD5OfBody: sent.MD5OfMessageBody,
    });
    expect(await counts()).toEqual([0, 0, 0]);
  });

  it('counts visible, in-flight and delayed messages', async () => {
    // Prepare
    await send('a');
    await send('b');
    await send('c', { DelaySeconds: 60 });
    // Act
    await receive();
    // Assess
    expect(await counts()).toEqual([1, 1, 1]);
  });

  it('returns at most MaxNumberOfMessages and rejects more than 10', async () => {
    // Prepare
    for (let i = 0; i < 12; i++) await send(`m${i}`);
    // Act
    const ten = await receive({ MaxNumberOfMessages: 10 });
    const error = await awsErrorOf(receive({ MaxNumberOfMessages: 11 }));
    // Assess
    expect(ten).toHaveLength(10);
    expect(error.message).toBe(
      'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    );
  });

  it('keeps unicode bodies intact and rejects characters outside the XML range', async () => {
    // Prepare
    const body = 'grüße 👋 \t\n\r end';
    // Act
    await send(body);
    const [message] = await receive();
    const invalid = await awsErrorOf(send('bell \u0007'));
    const loneSurrogate = await awsErrorOf(send('half \ud83d'));
    // Assess
    expect(message.Body).toBe(body);
    for (const error of [invalid, loneSurrogate]) {
      expect(error).toMatchObject({
        name: 'InvalidMessageContents',
        code: 'InvalidMessageContents',
        message:
          'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      });
    }
  });

  it('enforces MaximumMessageSize on body plus attributes', async () => {
    // Prepare
    await t.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MaximumMessageSize: '1024' } }),
    );
    // Act
    const fits = await send('x'.repeat(1024));
    const tooBig = await awsErrorOf(
      send('x'.repeat(1000), {
        MessageAttributes: { a: { DataType: 'String', StringValue: 'y'.repeat(30) } },
      }),
    );
    // Assess
    expect(fits.MessageId).toBeDefined();
    expect(tooBig).toMatchObject({
      code: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
    });
  });

  it('accepts a 1 MiB message by default', async () => {
    // Act
    const sent = await send('x'.repeat(1_048_576));
    const [message] = await receive();
    // Assess
    expect(sent.MessageId).toBeDefined();
    expect(message.Body).toHaveLength(1_048_576);
  });

  it('requires a body', async () => {
    // Act
    const error = await awsErrorOf(send(''));
    // Assess
    expect(error).toMatchObject({
      code: 'MissingParameter',
      message: 'The request must contain the parameter MessageBody.',
    });
  });
});

describe('visibility timeout', () => {
  it('hides a received message for the queue default, then redelivers it with a new receipt handle', async () => {
    // Prepare
    await send('job');
    const [first] = await receive();
    // Act
    t.clock.advance(29_999);
    const during = await receive();
    t.clock.advance(1);
    const [second] = await receive({ MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    // Assess
    expect(during).toEqual([]);
    expect(second.MessageId).toBe(first.MessageId);
    expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);
    expect(second.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('uses the per-receive VisibilityTimeout override', async () => {
    // Prepare
    await send('job');
    // Act
    await receive({ VisibilityTimeout: 5 });
    t.clock.advance(5000);
    const again = await receive();
    // Assess
    expect(again).toHaveLength(1);
  });

  it('extends and ends visibility with ChangeMessageVisibility (0 makes it visible at once)', async () => {
    // Prepare
    await send('job');
    const [message] = await receive();
    // Act
    await t.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 120,
      }),
    );
    t.clock.advance(60_000);
    const stillHidden = await receive();
    await t.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const visibleAgain = await receive();
    // Assess
    expect(stillHidden).toEqual([]);
    expect(visibleAgain.map((m) => m.MessageId)).toEqual([message.MessageId]);
  });

  it('caps the total visibility timeout at 12 hours after the receive', async () => {
    // Prepare
    await send('job');
    const [message] = await receive({ VisibilityTimeout: 43_200 });
    t.clock.advance(3_600_000);
    // Act
    const tooLong = await awsErrorOf(
      t.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 39_601,
        }),
      ),
    );
    await t.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 39_600,
      }),
    );
    // Assess
    expect(tooLong).toMatchObject({
      code: 'InvalidParameterValue',
      message:
        'Value 39601 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].',
    });
  });

  it('binds a receipt handle to its queue', async () => {
    // Prepare
    const other = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'other' }))).QueueUrl;
    await send('job');
    const [message] = await receive();
    // Act
    const wrongQueue = await awsErrorOf(
      t.sqs.send(new DeleteMessageCommand({ QueueUrl: other, ReceiptHandle: message.ReceiptHandle })),
    );
    const garbage = await awsErrorOf(
      t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })),
    );
    // Assess
    expect(wrongQueue).toMatchObject({ name: 'ReceiptHandleIsInvalid', status: 404 });
    expect(garbage).toEqual({
      name: 'ReceiptHandleIsInvalid',
      code: 'ReceiptHandleIsInvalid',
      type: 'Sender',
      status: 404,
      message: 'The input receipt handle "garbage" is not a valid receipt handle.',
    });
  });

  it('treats deleting a deleted message as success and changing its visibility as MessageNotInflight', async () => {
    // Prepare
    await send('job');
    const [message] = await receive();
    await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    // Act
    await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    const error = await awsErrorOf(
      t.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    );
    // Assess
    expect(error).toMatchObject({
      name: 'MessageNotInflight',
      code: 'AWS.SimpleQueueService.MessageNotInflight',
    });
  });

  it('does not delete with a stale handle once the message was received again', async () => {
    // Prepare
    await send('job');
    const [first] = await receive({ VisibilityTimeout: 1 });
    t.clock.advance(1000);
    await receive();
    // Act
    await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle }));
    // Assess
    expect(await counts()).toEqual([0, 1, 0]);
  });
});

describe('delays and retention', () => {
  it("delays by the queue's DelaySeconds and by a message's DelaySeconds", async () => {
    // Prepare
    await t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: '900' } }));
    await send('queue delay');
    await send('own delay', { DelaySeconds: 10 });
    // Act
    const now = await receive({ MaxNumberOfMessages: 10 });
    t.clock.advance(10_000);
    const after10s = await receive({ MaxNumberOfMessages: 10, VisibilityTimeout: 43_200 });
    t.clock.advance(890_000);
    const after15min = await receive({ MaxNumberOfMessages: 10 });
    // Assess
    expect(now).toEqual([]);
    expect(after10s.map((m) => m.Body)).toEqual(['own delay']);
    expect(after15min.map((m) => m.Body)).toEqual(['queue delay']);
  });

  it('rejects DelaySeconds above 900', async () => {
    // Act
    const error = await awsErrorOf(send('x', { DelaySeconds: 901 }));
    // Assess
    expect(error.message).toBe(
      'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
    );
  });

  it('drops messages after MessageRetentionPeriod (4 days by default), in flight or not', async () => {
    // Prepare
    await send('old');
    t.clock.advance(4 * 86_400_000 - 3_600_000);
    await receive({ VisibilityTimeout: 43_200 });
    await send('young');
    // Act
    const before = await counts();
    t.clock.advance(3_600_000);
    const after = await counts();
    const messages = await receive({ MaxNumberOfMessages: 10 });
    // Assess
    expect(before).toEqual([1, 1, 0]);
    expect(after).toEqual([1, 0, 0]);
    expect(messages.map((m) => m.Body)).toEqual(['young']);
  });
});

describe('message attributes', () => {
  const attributes = {
    General: { DataType: 'String', StringValue: 'Kenobi' },
    Hello: { DataType: 'String', StringValue: 'There' },
    'Help.Me': { DataType: 'String', StringValue: 'Me' },
  };

  it("computes MD5OfMessageAttributes by AWS's algorithm and filters by name, All and prefix", async () => {
    // Prepare
    const sent = await send('msg', { MessageAttributes: attributes });
    // Act
    const [none] = await receive({ VisibilityTimeout: 0 });
    const [all] = await receive({ VisibilityTimeout: 0, MessageAttributeNames: ['All'] });
    const [prefixed] = await receive({ VisibilityTimeout: 0, MessageAttributeNames: ['He.*'] });
    const [named] = await receive({ VisibilityTimeout: 0, MessageAttributeNames: ['Hello', 'Nope'] });
    // Assess: digests recorded from real SQS for these attributes
    expect(sent.MD5OfMessageAttributes).toBe('4c360f3fdafd970e05fae2f149d997f5');
    expect(none.MessageAttributes).toBeUndefined();
    expect(none.MD5OfMessageAttributes).toBeUndefined();
    expect(all).toMatchObject({
      MessageAttributes: attributes,
      MD5OfMessageAttributes: '4c360f3fdafd970e05fae2f149d997f5',
    });
    expect(Object.keys(prefixed.MessageAttributes ?? {})).toEqual(['Hello', 'Help.Me']);
    expect(prefixed.MD5OfMessageAttributes).toBe('83fee93c1bcd8b9a5a923ffacdc636c7');
    expect(named.MD5OfMessageAttributes).toBe('a311262e065454b75da111d535b8dacd');
  });

  it('round-trips Number, Binary and custom types', async () => {
    // Prepare
    const binary = new Uint8Array([0, 1, 2, 254, 255]);
    const sent = await send('typed', {
      MessageAttributes: {
        count: { DataType: 'Number', StringValue: '-12.5e3' },
        blob: { DataType: 'Binary', BinaryValue: binary },
        custom: { DataType: 'String.Json', StringValue: '{"a":1}' },
      },
    });
    // Act
    const [message] = await receive({ MessageAttributeNames: ['All'] });
    // Assess
    expect(message.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message.MessageAttributes?.count).toEqual({ DataType: 'Number', StringValue: '-12.5e3' });
    expect(message.MessageAttributes?.custom).toEqual({ DataType: 'String.Json', StringValue: '{"a":1}' });
    expect(Array.from(message.MessageAttributes?.blob.BinaryValue ?? [])).toEqual(Array.from(binary));
  });

  it.each([
    [
      { 'AWS.reserved': { DataType: 'String', StringValue: 'x' } },
      "Message (user) attribute name 'AWS.reserved' is invalid.",
    ],
    [
      { empty: { DataType: 'String', StringValue: '' } },
      "Message (user) attribute 'empty' must contain a non-empty value of type 'String'.",
    ],
    [
      { n: { DataType: 'Number', StringValue: 'twelve' } },
      "Can't cast the value of message (user) attribute 'n' to a number.",
    ],
    [{ t: { DataType: 'Text', StringValue: 'x' } }, "The type of message (user) attribute 't' is invalid."],
    [
      Object.fromEntries(
        Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'x' }]),
      ),
      'Number of message attributes [11] exceeds the allowed maximum [10].',
    ],
  ])('rejects invalid attributes %#', async (messageAttributes, message) => {
    // Act
    const error = await awsErrorOf(send('x', { MessageAttributes: messageAttributes }));
    // Assess
    expect(error.code).toBe('InvalidParameterValue');
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('returns system attributes: All, single names, and AWSTraceHeader', async () => {
    // Prepare
    const sent = await send('traced', {
      MessageSystemAttributes: {
        AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' },
      },
    });
    const sentAt = t.clock.now();
    t.clock.advance(500);
    // Act
    const [all] = await receive({ VisibilityTimeout: 0, MessageSystemAttributeNames: ['All'] });
    const [one] = await receive({ VisibilityTimeout: 0, AttributeNames: ['SentTimestamp'] });
    // Assess
    expect(sent.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(all.Attributes).toEqual({
      SenderId: '000000000000',
      SentTimestamp: String(sentAt),
      ApproximateReceiveCount: '1',
      ApproximateFirstReceiveTimestamp: String(sentAt + 500),
      AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
    });
    expect(one.Attributes).toEqual({ SentTimestamp: String(sentAt) });
  });
});

describe('batches', () => {
  it('sends, deletes and changes visibility in batches, reporting each entry', async () => {
    // Prepare
    const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `body ${i}` }));
    // Act
    const sent = await t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    const received = await receive({ MaxNumberOfMessages: 10 });
    const changed = await t.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok', ReceiptHandle: received[0].ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'bad', ReceiptHandle: 'nonsense', VisibilityTimeout: 0 },
        ],
      }),
    );
    const deleted = await t.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: received.slice(1).map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    // Assess
    expect(sent.Successful?.map((e) => e.Id)).toEqual(entries.map((e) => e.Id));
    expect(sent.Failed).toEqual([]);
    expect(received).toHaveLength(10);
    expect(changed.Successful).toEqual([{ Id: 'ok' }]);
    expect(changed.Failed).toEqual([
      {
        Id: 'bad',
        SenderFault: true,
        Code: 'ReceiptHandleIsInvalid',
        Message: 'The input receipt handle "nonsense" is not a valid receipt handle.',
      },
    ]);
    expect(deleted.Successful).toHaveLength(9);
    expect(await counts()).toEqual([1, 0, 0]);
  });

  it('fails only the invalid entries of a send batch', async () => {
    // Act
    const result = await t.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'good', MessageBody: 'fine' },
          { Id: 'bad', MessageBody: 'bell \u0007' },
          { Id: 'late', MessageBody: 'x', DelaySeconds: 1000 },
        ],
      }),
    );
    // Assess
    expect(result.Successful?.map((e) => e.Id)).toEqual(['good']);
    expect(result.Failed?.map((e) => [e.Id, e.Code, e.SenderFault])).toEqual([
      ['bad', 'InvalidMessageContents', true],
      ['late', 'InvalidParameterValue', true],
    ]);
  });

  it.each([
    [
      [],
      'AWS.SimpleQueueService.EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.',
    ],
    [
      Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })),
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      'Maximum number of entries per request are 10. You have sent 11.',
    ],
    [
      [{ Id: 'bad:id', MessageBody: 'x' }],
      'AWS.SimpleQueueService.InvalidBatchEntryId',
      'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
    ],
    [
      [
        { Id: 'same', MessageBody: 'x' },
        { Id: 'same', MessageBody: 'y' },
      ],
      'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
      'Id same repeated.',
    ],
    [
      Array.from({ length: 2 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x'.repeat(600_000) })),
      'AWS.SimpleQueueService.BatchRequestTooLong',
      'Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.',
    ],
  ])('rejects a whole batch: %#', async (entries, code, message) => {
    // Act
    const error = await awsErrorOf(
      t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries })),
    );
    // Assess
    expect(error).toMatchObject({ code, message, status: 400 });
  });
});
