/**
 * One hostile request at a time: each carries a megabyte where a regular expression, a recursive walk or a
 * per-parameter scan could take the server down, and must get AWS's 4xx within a second and change nothing.
 */
import {
  AddPermissionCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { awsErrorOf, startTestEmulator, type TestEmulator } from '../../helpers/emulator';

const MIB = 1024 * 1024;
const ARN = 'arn:aws:sqs:us-east-1:000000000000';

let t: TestEmulator;
let queueUrl: string;
let fifoUrl: string;
beforeAll(async () => {
  t = await startTestEmulator();
  queueUrl = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'target' }))).QueueUrl as string;
  fifoUrl = (
    await t.sqs.send(new CreateQueueCommand({ QueueName: 'target.fifo', Attributes: { FifoQueue: 'true' } }))
  ).QueueUrl as string;
  await t.sqs.send(new CreateQueueCommand({ QueueName: 'target-dlq' }));
  await queryPost('Action=ListQueues'); // the first fetch loads the HTTP client: not the emulator's time
});
afterAll(async () => {
  await t.stop();
});

/** The error a call rejects with, and how long the emulator took to answer. */
async function timedError(call: () => Promise<unknown>) {
  const started = performance.now();
  const error = await awsErrorOf(call());
  return { ...error, ms: performance.now() - started };
}

/** A form POST in the query protocol, for what the SDK (JSON protocol) cannot send. */
async function queryPost(form: string): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${t.emulator.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAEMULATOR/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00',
    },
    body: form,
  });
  const body = await response.text();
  return { status: response.status, body, ms: performance.now() - started };
}

/** `depth` arrays nested in each other around `inner`. */
function nested(depth: number, inner = '1'): string {
  return '['.repeat(depth) + inner + ']'.repeat(depth);
}

afterEach(async () => {
  // Assess (every case): nothing was stored or changed
  const { Attributes } = await t.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
  );
  expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  expect(Attributes?.RedrivePolicy).toBeUndefined();
  expect(Attributes?.Policy).toBeUndefined();
  expect(Attributes?.RedriveAllowPolicy).toBeUndefined();
  expect(Attributes?.VisibilityTimeout).toBe('30');
});

describe('a megabyte where a regular expression could backtrack', () => {
  const numberAttribute = (value: string) => () =>
    t.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'x',
        MessageAttributes: { n: { DataType: 'Number', StringValue: value } },
      }),
    );
  it.each<[string, () => () => Promise<unknown>, string, number, RegExp]>([
    [
      'a QueueUrl a://aaaa… (26 s before)',
      () => () =>
        t.sqs.send(new SendMessageCommand({ QueueUrl: `a://${'a'.repeat(MIB)}`, MessageBody: 'x' })),
      'AWS.SimpleQueueService.NonExistentQueue',
      400,
      /^The specified queue does not exist\.$/,
    ],
    [
      'a QueueUrl of slashes',
      () => () => t.sqs.send(new SendMessageCommand({ QueueUrl: '/'.repeat(MIB), MessageBody: 'x' })),
      'AWS.SimpleQueueService.NonExistentQueue',
      400,
      /^The specified queue does not exist\.$/,
    ],
    [
      'a QueueUrl without a slash',
      () => () => t.sqs.send(new SendMessageCommand({ QueueUrl: 'q'.repeat(MIB), MessageBody: 'x' })),
      'InvalidAddress',
      404,
      /^The address q+ is not valid for this endpoint\.$/,
    ],
    [
      'a Number attribute 1000…01 (28 s before)',
      () => numberAttribute(`1${'0'.repeat(MIB)}1`),
      'InvalidParameterValue',
      400,
      /^Value 10+1 for message \(user\) attribute 'n' is out of range\. Number values can have up to 38 digits of precision and range from -10\^128 to 10\^126\.$/,
    ],
    [
      'a Number attribute of a megabyte of zeros and a letter',
      () => numberAttribute(`${'0'.repeat(MIB)}x`),
      'InvalidParameterValue',
      400,
      /^Can't cast the value of message \(user\) attribute 'n' to a number\.$/,
    ],
    [
      'a Number attribute with a megabyte exponent',
      () => numberAttribute(`1e${'9'.repeat(MIB)}`),
      'InvalidParameterValue',
      400,
      /is out of range/,
    ],
    [
      'a MessageGroupId',
      () => () =>
        t.sqs.send(
          new SendMessageCommand({
            QueueUrl: fifoUrl,
            MessageBody: 'x',
            MessageGroupId: 'g'.repeat(MIB),
            MessageDeduplicationId: 'd',
          }),
        ),
      'InvalidParameterValue',
      400,
      /MessageGroupId can only include alphanumeric and punctuation characters\. 1 to 128 in length\.$/,
    ],
    [
      'a ReceiveRequestAttemptId',
      () => () =>
        t.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: fifoUrl, ReceiveRequestAttemptId: 'r'.repeat(MIB) }),
        ),
      'InvalidParameterValue',
      400,
      /ReceiveRequestAttemptId can only include alphanumeric and punctuation characters/,
    ],
    [
      'a message body with a bad character at the end',
      () => () =>
        t.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `${'b'.repeat(MIB)}\u0000` })),
      'InvalidMessageContents',
      400,
      /^Invalid characters found/,
    ],
    [
      'an attribute data type',
      () => () =>
        t.sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: 'x',
            MessageAttributes: { a: { DataType: `String.${'x'.repeat(MIB)}`, StringValue: 'v' } },
          }),
        ),
      'InvalidParameterValue',
      400,
      /has an invalid message attribute type/,
    ],
    [
      'an attribute name',
      () => () =>
        t.sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: 'x',
            MessageAttributes: { ['a'.repeat(MIB)]: { DataType: 'String', StringValue: 'v' } },
          }),
        ),
      'InvalidParameterValue',
      400,
      /attribute name 'a+' is invalid/,
    ],
    [
      'a permission label',
      () => () =>
        t.sqs.send(
          new AddPermissionCommand({
            QueueUrl: queueUrl,
            Label: 'l'.repeat(MIB),
            AWSAccountIds: ['111122223333'],
            Actions: ['SendMessage'],
          }),
        ),
      'InvalidParameterValue',
      400,
      /parameter Label is invalid/,
    ],
    [
      'a queue name',
      () => () => t.sqs.send(new CreateQueueCommand({ QueueName: 'n'.repeat(MIB) })),
      'InvalidParameterValue',
      400,
      /^Can only include alphanumeric characters, hyphens, or underscores\. 1 to 80 in length$/,
    ],
    [
      'a receipt handle',
      () => () =>
        t.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: `1-${'1'.repeat(MIB)}` })),
      'ReceiptHandleIsInvalid',
      404,
      /is not a valid receipt handle\.$/,
    ],
    [
      'an integer attribute of spaces',
      () => () =>
        t.sqs.send(
          new SetQueueAttributesCommand({
            QueueUrl: queueUrl,
            Attributes: { VisibilityTimeout: `${' '.repeat(MIB)}x` },
          }),
        ),
      'InvalidAttributeValue',
      400,
      /^Invalid value for the parameter VisibilityTimeout\.$/,
    ],
    [
      'a dead-letter target ARN',
      () => () =>
        t.sqs.send(
          new SetQueueAttributesCommand({
            QueueUrl: queueUrl,
            Attributes: {
              RedrivePolicy: JSON.stringify({
                deadLetterTargetArn: `${ARN}:${'d'.repeat(MIB)}!`,
                maxReceiveCount: 3,
              }),
            },
          }),
        ),
      'InvalidParameterValue',
      400,
      /Reason: Invalid value for deadLetterTargetArn\.$/,
    ],
  ])('%s', async (_case, request, code, status, message) => {
    // Prepare
    const call = request();
    // Act
    const error = await timedError(call);
    // Assess
    expect(error).toMatchObject({ code, status });
    expect(error.message).toMatch(message);
    expect(error.ms).toBeLessThan(1000);
  });
});

describe('JSON nested deeper than any walk can follow', () => {
  const DEEP = 100_000;
  it.each<[string, Record<string, string>, string, RegExp]>([
    [
      'a RedrivePolicy whose maxReceiveCount nests 100,000 arrays',
      {
        RedrivePolicy: `{"deadLetterTargetArn":"${ARN}:target-dlq","maxReceiveCount":${nested(DEEP)}}`,
      },
      'InvalidParameterValue',
      /Reason: Redrive policy is not a valid JSON map\.$/,
    ],
    [
      'a Policy nested 100,000 deep',
      { Policy: `{"Statement":${nested(DEEP, '{}')}}` },
      'InvalidAttributeValue',
      /^Invalid value for the parameter Policy\.$/,
    ],
    [
      'a RedriveAllowPolicy nested 100,000 deep',
      { RedriveAllowPolicy: `{"redrivePermission":"allowAll","x":${nested(DEEP)}}` },
      'InvalidParameterValue',
      /Reason: Invalid JSON\.$/,
    ],
  ])('%s', async (_case, attributes, code, message) => {
    // Act
    const error = await timedError(() =>
      t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: attributes })),
    );
    // Assess
    expect(error).toMatchObject({ code, status: 400 });
    expect(error.message).toMatch(message);
    expect(error.ms).toBeLessThan(1000);
  });

  it('reports a non-numeric maxReceiveCount within bounds, without stringifying it whole', async () => {
    // Act
    const error = await timedError(() =>
      t.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: queueUrl,
          Attributes: {
            RedrivePolicy: `{"deadLetterTargetArn":"${ARN}:target-dlq","maxReceiveCount":{"toString":1}}`,
          },
        }),
      ),
    );
    // Assess
    expect(error).toMatchObject({ code: 'InvalidParameterValue', status: 400 });
    expect(error.message).toMatch(
      /Invalid value for maxReceiveCount: \{"toString":1\}, valid values are from 1/,
    );
  });
});

describe('a megabyte of form or JSON parameters', () => {
  const filler = Array.from({ length: 250_000 }, (_, i) => `z${i % 10}=`).join('&');

  it('reads 1000 batch entries among 250,000 other parameters at once (13 s before)', async () => {
    // Prepare
    const entries = Array.from(
      { length: 1000 },
      (_, i) =>
        `SendMessageBatchRequestEntry.${i + 1}.Id=e${i}&SendMessageBatchRequestEntry.${i + 1}.MessageBody=m`,
    ).join('&');
    const form = `Action=SendMessageBatch&QueueUrl=${encodeURIComponent(queueUrl)}&${entries}&${filler}`;
    // Act
    const response = await queryPost(form);
    // Assess
    expect(form.length).toBeGreaterThan(MIB);
    expect(response.status).toBe(400);
    expect(response.body).toContain('<Code>AWS.SimpleQueueService.TooManyEntriesInBatchRequest</Code>');
    expect(response.body).toContain('You have sent 1000.');
    expect(response.ms).toBeLessThan(1000);
  });

  it('reads 1000 message attributes among 250,000 other parameters at once (4 s before)', async () => {
    // Prepare
    const attributes = Array.from(
      { length: 1000 },
      (_, i) =>
        `MessageAttribute.${i + 1}.Name=a${i}&MessageAttribute.${i + 1}.Value.DataType=String&MessageAttribute.${i + 1}.Value.StringValue=v`,
    ).join('&');
    const form = `Action=SendMessage&QueueUrl=${encodeURIComponent(queueUrl)}&MessageBody=m&${attributes}&${filler}`;
    // Act
    const response = await queryPost(form);
    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toContain('Number of message attributes [1000] exceeds the allowed maximum [10].');
    expect(response.ms).toBeLessThan(1000);
  });

  it.each([
    ['an integer of spaces', `DelaySeconds=${'%20'.repeat(MIB / 3)}x`, 'InvalidParameterValue'],
    [
      'a binary attribute that is not base64 at its very end',
      `MessageAttribute.1.Name=b&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=${'A'.repeat(MIB)}*`,
      'InvalidParameterValue',
    ],
  ])('refuses %s in a query-protocol form', async (_case, parameter, code) => {
    // Act
    const response = await queryPost(
      `Action=SendMessage&QueueUrl=${encodeURIComponent(queueUrl)}&MessageBody=m&${parameter}`,
    );
    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toContain(`<Code>${code}</Code>`);
    expect(response.ms).toBeLessThan(1000);
  });

  it('answers a JSON batch of 350,000 empty entries by its count, within a second', async () => {
    // Prepare: sent raw (the SDK takes seconds to serialize this many entries itself)
    const body = `{"QueueUrl":${JSON.stringify(queueUrl)},"Entries":[${Array(350_000).fill('{}').join(',')}]}`;
    const started = performance.now();
    // Act
    const response = await fetch(`${t.emulator.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.SendMessageBatch',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAEMULATOR/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00',
      },
      body,
    });
    const answer = (await response.json()) as { __type: string; message: string };
    const ms = performance.now() - started;
    // Assess
    expect(body.length).toBeGreaterThan(MIB);
    expect(response.status).toBe(400);
    expect(answer).toEqual({
      __type: 'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
      message: 'Maximum number of entries per request are 10. You have sent 350000.',
    });
    expect(ms).toBeLessThan(1000);
  });
});
