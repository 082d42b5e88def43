/**
 * Filter policies and message bodies nested beyond reason: refused with AWS's InvalidParameter (not an HTTP 500),
 * and a body no policy can read simply does not match, so a publish never fails halfway through its fan-out.
 */
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { awsErrorOf } from '../../helpers/emulator';
import { type SnsTestEmulator, startSnsTestEmulator } from './sns-fixture';

let t: SnsTestEmulator;
let topicArn: string;
beforeEach(async () => {
  t = await startSnsTestEmulator();
  topicArn = (await t.sns.send(new CreateTopicCommand({ Name: 'nested' }))).TopicArn as string;
});
afterEach(async () => {
  await t.stop();
});

/** `{"k":{"k":…{"k":inner}…}}`, `depth` objects deep. */
function nestedObjects(depth: number, inner: string): string {
  return '{"k":'.repeat(depth) + inner + '}'.repeat(depth);
}

async function subscribeWith(queueName: string, attributes: Record<string, string>) {
  const queue = await t.queue(queueName);
  const started = performance.now();
  const error = await awsErrorOf(
    t.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: attributes,
      }),
    ),
  );
  return { ...error, ms: performance.now() - started };
}

async function subscriptionCount(): Promise<number> {
  const { Subscriptions } = await t.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  return Subscriptions?.length ?? 0;
}

describe('filter policies too deep, too large or too complex', () => {
  it.each<[string, Record<string, string>, string]>([
    [
      'keys nested 10,000 deep (an HTTP 500 before)',
      { FilterPolicyScope: 'MessageBody', FilterPolicy: nestedObjects(10_000, '["x"]') },
      'Invalid parameter: Attributes Reason: FilterPolicy: Filter policy is too complex',
    ],
    [
      'keys nested 10,000 deep on the attributes scope',
      { FilterPolicy: nestedObjects(10_000, '["x"]') },
      'Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not support nested filter policy',
    ],
    [
      'six levels of keys (AWS allows five)',
      { FilterPolicyScope: 'MessageBody', FilterPolicy: nestedObjects(6, '["x"]') },
      'Invalid parameter: Attributes Reason: FilterPolicy: Filter policy is too complex',
    ],
    [
      'an operand nested 100,000 arrays deep',
      {
        FilterPolicyScope: 'MessageBody',
        FilterPolicy: `{"a":[{"numeric":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`,
      },
      'Invalid parameter: Attributes Reason: FilterPolicy: Filter policy is too complex',
    ],
    [
      '$or nested 10,000 deep',
      {
        FilterPolicyScope: 'MessageBody',
        FilterPolicy: '{"$or":[{"a":["1"]},'.repeat(10_000) + '{"b":["2"]}' + ']}'.repeat(10_000),
      },
      'Invalid parameter: Attributes Reason: FilterPolicy: Filter policy is too complex',
    ],
    [
      'a policy over 256 KB',
      { FilterPolicy: JSON.stringify({ a: ['x'.repeat(256 * 1024)] }) },
      'Invalid parameter: Attributes Reason: FilterPolicy: Filter policy is too long',
    ],
  ])('refuses %s with InvalidParameter, creating nothing', async (_case, attributes, message) => {
    // Act
    const error = await subscribeWith('refused', attributes);
    // Assess
    expect(error).toMatchObject({
      name: 'InvalidParameterException',
      code: 'InvalidParameter',
      status: 400,
      message,
    });
    expect(error.ms).toBeLessThan(1000);
    expect(await subscriptionCount()).toBe(0);
  });

  it('accepts five levels of keys', async () => {
    // Prepare
    const queue = await t.queue('five-levels');
    // Act
    await t.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: { FilterPolicyScope: 'MessageBody', FilterPolicy: nestedObjects(5, '["x"]') },
      }),
    );
    await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: nestedObjects(5, '"x"') }));
    // Assess
    expect(await t.received(queue.url)).toHaveLength(1);
  });

  it('refuses a deep policy on SetSubscriptionAttributes and keeps the one in place', async () => {
    // Prepare
    const queue = await t.queue('kept');
    const { SubscriptionArn } = await t.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: { FilterPolicyScope: 'MessageBody', FilterPolicy: '{"a":["1"]}' },
      }),
    );
    // Act
    const error = await awsErrorOf(
      t.sns.send(
        new SetSubscriptionAttributesCommand({
          SubscriptionArn,
          AttributeName: 'FilterPolicy',
          AttributeValue: nestedObjects(10_000, '["x"]'),
        }),
      ),
    );
    const { Attributes } = await t.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
    // Assess
    expect(error).toMatchObject({
      status: 400,
      message: 'Invalid parameter: FilterPolicy: Filter policy is too complex',
    });
    expect(Attributes?.FilterPolicy).toBe('{"a":["1"]}');
  });
});

describe('publishing a body nested beyond any policy', () => {
  async function threeSubscribers() {
    const before = await t.queue('before');
    const scoped = await t.queue('scoped');
    const after = await t.queue('after');
    await t.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: before.arn }));
    await t.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: scoped.arn,
        Attributes: { FilterPolicyScope: 'MessageBody', FilterPolicy: '{"k":{"k":["x"]}}' },
      }),
    );
    await t.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: after.arn }));
    return { before, scoped, after };
  }

  it('answers 200 and delivers once to every subscriber it matches (an HTTP 500 after some deliveries before)', async () => {
    // Prepare
    const { before, scoped, after } = await threeSubscribers();
    const started = performance.now();
    // Act
    const published = await t.sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: nestedObjects(40_000, '"x"') }),
    );
    const ms = performance.now() - started;
    // Assess
    expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ms).toBeLessThan(1000);
    expect(await t.received(before.url)).toHaveLength(1);
    expect(await t.received(after.url)).toHaveLength(1);
    expect(await t.received(scoped.url)).toHaveLength(0);
  });

  it('still matches a key inside arrays nested 100,000 deep', async () => {
    // Prepare
    const queue = await t.queue('arrays');
    await t.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: { FilterPolicyScope: 'MessageBody', FilterPolicy: '{"k":["x"]}' },
      }),
    );
    // Act
    await t.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: `{"k":${'['.repeat(100_000)}"x"${']'.repeat(100_000)}}`,
      }),
    );
    // Assess
    expect(await t.received(queue.url)).toHaveLength(1);
  });

  it('matches anything-but lists by set, not pair by pair', async () => {
    // Prepare: 30,000 values against a body array of the same 30,000 (900 million comparisons before)
    const values = Array.from({ length: 30_000 }, (_, i) => i);
    const queue = await t.queue('anything-but');
    await t.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: {
          FilterPolicyScope: 'MessageBody',
          FilterPolicy: JSON.stringify({ n: [{ 'anything-but': values }] }),
        },
      }),
    );
    const started = performance.now();
    // Act
    await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify({ n: values }) }));
    await t.sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify({ n: [...values, -1] }) }),
    );
    const ms = performance.now() - started;
    // Assess
    expect(ms).toBeLessThan(1000);
    const received = await t.received(queue.url);
    expect(received.map((m) => JSON.parse(JSON.parse(m.Body as string).Message).n.length)).toEqual([30_001]);
  });

  it('keeps PublishBatch per entry: a deep body publishes, an invalid entry fails alone', async () => {
    // Prepare
    const { before, scoped } = await threeSubscribers();
    // Act
    const result = await t.sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: [
          { Id: 'deep', Message: nestedObjects(30_000, '"x"') },
          {
            Id: 'bad',
            Message: 'x',
            MessageAttributes: { n: { DataType: 'Number', StringValue: 'not a number' } },
          },
          { Id: 'match', Message: '{"k":{"k":"x"}}' },
        ],
      }),
    );
    // Assess
    expect(result.Successful?.map((s) => s.Id)).toEqual(['deep', 'match']);
    expect(result.Failed).toEqual([
      {
        Id: 'bad',
        Code: 'ParameterValueInvalid',
        Message: "Could not cast message attribute 'n' value to number.",
        SenderFault: true,
      },
    ]);
    expect(await t.received(before.url)).toHaveLength(2);
    expect(await t.received(scoped.url)).toHaveLength(1);
  });
});
