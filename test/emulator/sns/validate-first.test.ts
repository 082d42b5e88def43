/**
 * Every SNS operation checks all of its input before it changes anything or delivers anything: a refused request
 * leaves no half-made topic or subscription, and a Publish either fans out completely or not at all.
 */
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishCommand,
  SubscribeCommand,
  TagResourceCommand,
} from '@aws-sdk/client-sns';
import { awsErrorOf } from '../../helpers/emulator';
import { httpEndpoint } from './http-endpoint';
import { type SnsTestEmulator, startSnsTestEmulator } from './sns-fixture';

let t: SnsTestEmulator;
let topicArn: string;
beforeEach(async () => {
  t = await startSnsTestEmulator();
  topicArn = (await t.sns.send(new CreateTopicCommand({ Name: 'checked' }))).TopicArn as string;
});
afterEach(async () => {
  await t.stop();
});

describe('a refused request changes nothing', () => {
  it('CreateTopic with one bad attribute among good ones creates no topic', async () => {
    // Act
    const error = await awsErrorOf(
      t.sns.send(
        new CreateTopicCommand({
          Name: 'half',
          Attributes: {
            DisplayName: 'Half',
            DeliveryPolicy: '{"http":{"defaultThrottlePolicy":{"maxReceivesPerSecond":0}}}',
          },
        }),
      ),
    );
    const { Topics } = await t.sns.send(new ListTopicsCommand({}));
    // Assess
    expect(error.message).toBe(
      'Invalid parameter: Attributes Reason: DeliveryPolicy: http.defaultThrottlePolicy.maxReceivesPerSecond must be greater than or equal to 1',
    );
    expect(Topics).toEqual([{ TopicArn: topicArn }]);
  });

  it('Subscribe with a bad attribute neither subscribes nor sends the confirmation', async () => {
    // Prepare
    const target = await httpEndpoint(t.clock);
    try {
      // Act
      const error = await awsErrorOf(
        t.sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'http',
            Endpoint: target.url,
            Attributes: { RawMessageDelivery: 'true', RedrivePolicy: 'null' },
          }),
        ),
      );
      await t.emulator.idle();
      const { Subscriptions } = await t.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
      // Assess
      expect(error).toMatchObject({
        status: 400,
        message:
          'Invalid parameter: Attributes Reason: RedrivePolicy: deadLetterTargetArn is not a valid SQS queue ARN',
      });
      expect(Subscriptions).toEqual([]);
      expect(target.requests).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it('Subscribe again with different attributes keeps the first subscription as it was', async () => {
    // Prepare
    const queue = await t.queue('once');
    const { SubscriptionArn } = await t.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    // Act
    const error = await awsErrorOf(
      t.sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: queue.arn,
          Attributes: { RawMessageDelivery: 'false' },
        }),
      ),
    );
    const { Attributes } = await t.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
    // Assess
    expect(error.message).toBe(
      'Invalid parameter: Attributes Reason: Subscription already exists with different attributes',
    );
    expect(Attributes?.RawMessageDelivery).toBe('true');
  });

  it('TagResource over the limit adds no tag', async () => {
    // Act
    const error = await awsErrorOf(
      t.sns.send(
        new TagResourceCommand({
          ResourceArn: topicArn,
          Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
        }),
      ),
    );
    const { Tags } = await t.sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn }));
    // Assess
    expect(error.code).toBe('TagLimitExceeded');
    expect(Tags).toEqual([]);
  });
});

describe('Publish fans out completely or not at all', () => {
  it('refuses a message before any delivery when its last attribute is invalid', async () => {
    // Prepare
    const queue = await t.queue('copy');
    await t.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queue.arn }));
    // Act
    const error = await awsErrorOf(
      t.sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: 'm',
          MessageAttributes: {
            a: { DataType: 'String', StringValue: 'fine' },
            z: { DataType: 'Number', StringValue: '1'.repeat(39) },
          },
        }),
      ),
    );
    // Assess
    expect(error.code).toBe('ParameterValueInvalid');
    expect(await t.received(queue.url)).toEqual([]);
  });

  it('delivers to every matching subscriber exactly once, whatever the body', async () => {
    // Prepare: body-scoped subscriptions between plain ones, bodies that are not JSON objects
    const queues = [];
    for (const [i, policy] of [undefined, '{"a":["x"]}', undefined, '{"a":[{"exists":false}]}'].entries()) {
      const queue = await t.queue(`q${i}`);
      queues.push(queue);
      await t.sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: queue.arn,
          Attributes: policy ? { FilterPolicyScope: 'MessageBody', FilterPolicy: policy } : undefined,
        }),
      );
    }
    // Act
    for (const body of [
      'plain text',
      '[1,2]',
      'null',
      '{"a":"x"}',
      `{"a":${'['.repeat(60_000)}${']'.repeat(60_000)}}`,
    ]) {
      await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: body }));
    }
    const counts = [];
    for (const queue of queues) {
      let n = 0;
      for (let batch = await t.received(queue.url); batch.length > 0; batch = await t.received(queue.url))
        n += batch.length;
      counts.push(n);
    }
    // Assess: plain subscribers get all five; {"a":["x"]} one; exists:false none (only JSON objects can match)
    expect(counts).toEqual([5, 1, 5, 0]);
  });
});
