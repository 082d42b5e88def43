/**
 * One hostile SNS request at a time: a megabyte (or as much as SNS lets through) where a regular expression or a
 * per-parameter scan could take the server down. Each gets AWS's 4xx within a second and changes nothing.
 */
import {
  CreateTopicCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { awsErrorOf } from '../../helpers/emulator';
import { type SnsTestEmulator, startSnsTestEmulator } from './sns-fixture';

const MIB = 1024 * 1024;
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000';

let t: SnsTestEmulator;
let topicArn: string;
let fifoTopicArn: string;
let queue: { url: string; arn: string };
beforeAll(async () => {
  t = await startSnsTestEmulator();
  topicArn = (await t.sns.send(new CreateTopicCommand({ Name: 'hardened' }))).TopicArn as string;
  fifoTopicArn = (
    await t.sns.send(
      new CreateTopicCommand({
        Name: 'hardened.fifo',
        Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' },
      }),
    )
  ).TopicArn as string;
  queue = await t.queue('hardened-copy');
  await t.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queue.arn }));
});
afterAll(async () => {
  await t.stop();
});

afterEach(async () => {
  // Assess (every case): no topic, subscription or message appeared
  const topics = await t.sns.send(new ListTopicsCommand({}));
  const subscriptions = await t.sns.send(new ListSubscriptionsCommand({}));
  expect(topics.Topics).toHaveLength(2);
  expect(subscriptions.Subscriptions).toHaveLength(1);
  expect(await t.received(queue.url)).toEqual([]);
});

async function timedError(call: () => Promise<unknown>) {
  const started = performance.now();
  const error = await awsErrorOf(call());
  return { ...error, ms: performance.now() - started };
}

const numberAttribute = (value: string) => () =>
  t.sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Message: 'x',
      MessageAttributes: { n: { DataType: 'Number', StringValue: value } },
    }),
  );

const OUT_OF_RANGE =
  "The message attribute 'n' with type 'Number' is out of range: Number values can have up to 38 digits of precision and range from -10^128 to 10^126.";
const NOT_A_NUMBER = "Could not cast message attribute 'n' value to number.";

describe('a long Number attribute', () => {
  it.each<[string, string, string]>([
    [
      '1000…01, 250,000 digits (a regular expression took 28 s on 160,000)',
      `1${'0'.repeat(250_000)}1`,
      OUT_OF_RANGE,
    ],
    ['39 significant digits', `1${'2'.repeat(38)}`, OUT_OF_RANGE],
    ['a megabyte exponent', `1e${'9'.repeat(200_000)}`, OUT_OF_RANGE],
    ['zeros, then a letter', `${'0'.repeat(250_000)}x`, NOT_A_NUMBER],
    ['hexadecimal', '0x10', NOT_A_NUMBER],
  ])('refuses %s with ParameterValueInvalid', async (_case, value, message) => {
    // Act
    const error = await timedError(numberAttribute(value));
    // Assess
    expect(error).toMatchObject({ code: 'ParameterValueInvalid', status: 400 });
    expect(error.message).toBe(message);
    expect(error.ms).toBeLessThan(1000);
  });

  it('still takes 38 significant digits, however many zeros surround them', async () => {
    // Act
    await numberAttribute(`000${'9'.repeat(38)}.000e-5`)();
    const [delivered] = await t.received(queue.url);
    // Assess
    expect(JSON.parse(delivered.Body as string).MessageAttributes.n.Type).toBe('Number');
  });
});

describe('a megabyte where a regular expression could backtrack', () => {
  it.each<[string, () => Promise<unknown>, string]>([
    [
      'a Number attribute of a megabyte (SNS counts it first)',
      numberAttribute(`1${'0'.repeat(MIB)}1`),
      'Invalid parameter: Message too long',
    ],
    [
      'a topic name',
      () => t.sns.send(new CreateTopicCommand({ Name: 't'.repeat(MIB) })),
      'Invalid parameter: Topic Name',
    ],
    [
      'a FIFO topic name',
      () =>
        t.sns.send(
          new CreateTopicCommand({ Name: `${'t'.repeat(MIB)}.fifo`, Attributes: { FifoTopic: 'true' } }),
        ),
      'Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
    ],
    [
      'a subject',
      () => t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x', Subject: 's'.repeat(MIB) })),
      'Invalid parameter: Subject',
    ],
    [
      'a MessageGroupId',
      () =>
        t.sns.send(
          new PublishCommand({ TopicArn: fifoTopicArn, Message: 'x', MessageGroupId: 'g'.repeat(MIB) }),
        ),
      'Invalid parameter: MessageGroupId Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
    ],
    [
      'an SQS endpoint ARN',
      () =>
        t.sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'sqs',
            Endpoint: `arn:aws:sqs:${'a'.repeat(MIB)}`,
          }),
        ),
      'Invalid parameter: SQS endpoint ARN',
    ],
    [
      'an SQS endpoint ARN with a long queue name',
      () =>
        t.sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'sqs',
            Endpoint: `${QUEUE_ARN}:${'q'.repeat(MIB)}`,
          }),
        ),
      'Invalid parameter: SQS endpoint ARN',
    ],
    [
      'a Lambda endpoint ARN',
      () =>
        t.sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'lambda',
            Endpoint: `arn:aws:lambda:us-east-1:000000000000:function:${'f'.repeat(MIB)}`,
          }),
        ),
      'Invalid parameter: Lambda endpoint ARN',
    ],
    [
      'a dead-letter target ARN',
      () =>
        t.sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'sqs',
            Endpoint: `${QUEUE_ARN}:other`,
            Attributes: {
              RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${QUEUE_ARN}:${'d'.repeat(MIB)}!` }),
            },
          }),
        ),
      'Invalid parameter: Attributes Reason: RedrivePolicy: deadLetterTargetArn is not a valid SQS queue ARN',
    ],
    [
      'a batch entry id',
      () =>
        t.sns.send(
          new PublishBatchCommand({
            TopicArn: topicArn,
            PublishBatchRequestEntries: [{ Id: 'i'.repeat(MIB), Message: 'x' }],
          }),
        ),
      "The Id of a batch entry in a batch request doesn't abide by the specification.",
    ],
    [
      'a NextToken',
      () => t.sns.send(new ListTopicsCommand({ NextToken: 'N'.repeat(MIB) })),
      'Invalid parameter: NextToken',
    ],
  ])('refuses %s', async (_case, call, message) => {
    // Act
    const error = await timedError(call);
    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
    expect(error.ms).toBeLessThan(1000);
  });
});

describe('a megabyte of query parameters', () => {
  const filler = Array.from({ length: 250_000 }, (_, i) => `z${i % 10}=`).join('&');

  async function post(form: string, query = ''): Promise<{ status: number; body: string; ms: number }> {
    const started = performance.now();
    const response = await fetch(`${t.emulator.endpoint}/${query}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAEMULATOR/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: form,
    });
    return { status: response.status, body: await response.text(), ms: performance.now() - started };
  }

  beforeAll(async () => {
    await post('Action=ListTopics'); // the first fetch loads the HTTP client: not the emulator's time
  });

  it('reads 1000 message attributes among 250,000 other parameters at once (4 s before)', async () => {
    // Prepare: the last attribute is invalid, so nothing is published
    const attributes = Array.from({ length: 1000 }, (_, i) => {
      const type = i === 999 ? 'Bogus' : 'String';
      return `MessageAttributes.entry.${i + 1}.Name=a${i}&MessageAttributes.entry.${i + 1}.Value.DataType=${type}&MessageAttributes.entry.${i + 1}.Value.StringValue=v`;
    }).join('&');
    const form = `Action=Publish&TopicArn=${encodeURIComponent(topicArn)}&Message=m&${attributes}&${filler}`;
    // Act
    const response = await post(form);
    // Assess
    expect(form.length).toBeGreaterThan(MIB);
    expect(response.status).toBe(400);
    expect(response.body).toContain('<Code>ParameterValueInvalid</Code>');
    expect(response.body).toContain(
      'The message attribute &apos;a999&apos; has an invalid message attribute type',
    );
    expect(response.ms).toBeLessThan(1000);
  });

  it('merges 1000 URL parameters into a form of 250,000 at once (6 s before)', async () => {
    // Prepare
    const query = `?${Array.from({ length: 1000 }, (_, i) => `y${i}=1`).join('&')}`;
    // Act
    const response = await post(`Action=GetTopicAttributes&TopicArn=x&${filler}`, query);
    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toContain('<Code>InvalidParameter</Code>');
    expect(response.ms).toBeLessThan(1000);
  });
});
