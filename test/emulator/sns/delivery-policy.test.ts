/**
 * HTTP/S DeliveryPolicy: AWS's limits, checked wherever a policy is set, and failed deliveries retried in AWS's
 * four phases on the emulator's clock. One unlimited, undelayed policy must not become a request storm.
 */
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { awsErrorOf } from '../../helpers/emulator';
import { type HttpEndpoint, httpEndpoint } from './http-endpoint';
import { type SnsTestEmulator, startSnsTestEmulator } from './sns-fixture';

let t: SnsTestEmulator;
let topicArn: string;
let target: HttpEndpoint;
let opened: HttpEndpoint[] = [];
beforeEach(async () => {
  t = await startSnsTestEmulator();
  topicArn = (await t.sns.send(new CreateTopicCommand({ Name: 'hooks' }))).TopicArn as string;
});
afterEach(async () => {
  for (const endpoint of opened) await endpoint.close();
  opened = [];
  await t.stop();
});

async function openEndpoint(status?: (n: number) => number | undefined): Promise<HttpEndpoint> {
  const endpoint = await httpEndpoint(t.clock, status);
  opened.push(endpoint);
  return endpoint;
}

/** Subscribes the endpoint with `deliveryPolicy` and confirms it; returns the subscription ARN. */
async function confirmedSubscription(deliveryPolicy?: object, dlq?: string): Promise<string> {
  const attributes: Record<string, string> = {};
  if (deliveryPolicy) attributes.DeliveryPolicy = JSON.stringify(deliveryPolicy);
  if (dlq) attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlq });
  const { SubscriptionArn } = await t.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'http',
      Endpoint: target.url,
      ReturnSubscriptionArn: true,
      Attributes: attributes,
    }),
  );
  await t.emulator.idle();
  await target.confirm();
  return SubscriptionArn as string;
}

/** Moves the clock `seconds` seconds, one at a time, letting each due delivery finish. */
async function runClock(seconds: number): Promise<void> {
  await t.emulator.idle();
  for (let i = 0; i < seconds; i++) {
    t.clock.advance(1000);
    await t.emulator.idle();
  }
}

/** Seconds after `start` at which the notifications arrived. */
function arrivals(start: number): number[] {
  return target.notifications().map((r) => (r.at - start) / 1000);
}

const RETRY_LIMIT_CASES: [string, object, string][] = [
  [
    'unlimited retries without delay (the request storm)',
    { healthyRetryPolicy: { numRetries: 1_000_000, minDelayTarget: 0, maxDelayTarget: 0 } },
    'healthyRetryPolicy.numRetries must be less than or equal to 100',
  ],
  [
    'negative retries',
    { healthyRetryPolicy: { numRetries: -1 } },
    'healthyRetryPolicy.numRetries must be greater than or equal to 0',
  ],
  [
    'no delay',
    { healthyRetryPolicy: { minDelayTarget: 0, maxDelayTarget: 5 } },
    'healthyRetryPolicy.minDelayTarget must be greater than or equal to 1',
  ],
  [
    'a delay over an hour',
    { healthyRetryPolicy: { minDelayTarget: 1, maxDelayTarget: 3601 } },
    'healthyRetryPolicy.maxDelayTarget must be less than or equal to 3600',
  ],
  [
    'a minimum over the maximum',
    { healthyRetryPolicy: { minDelayTarget: 30, maxDelayTarget: 10 } },
    'healthyRetryPolicy.maxDelayTarget must be greater than or equal to minDelayTarget',
  ],
  [
    'phases longer than the total',
    { healthyRetryPolicy: { numRetries: 3, numNoDelayRetries: 2, numMaxDelayRetries: 2 } },
    'healthyRetryPolicy.numRetries must be greater than or equal to total of numMinDelayRetries, numNoDelayRetries and numMaxDelayRetries',
  ],
  [
    'negative immediate retries',
    { healthyRetryPolicy: { numNoDelayRetries: -5 } },
    'healthyRetryPolicy.numNoDelayRetries must be greater than or equal to 0',
  ],
  [
    'an unknown backoff function',
    { healthyRetryPolicy: { backoffFunction: 'cubic' } },
    'healthyRetryPolicy.backoffFunction must be one of linear, arithmetic, geometric, exponential',
  ],
  [
    'a fractional count',
    { healthyRetryPolicy: { numRetries: 2.5 } },
    'healthyRetryPolicy.numRetries must be an integer',
  ],
  [
    'a throttle of zero',
    { throttlePolicy: { maxReceivesPerSecond: 0 } },
    'throttlePolicy.maxReceivesPerSecond must be greater than or equal to 1',
  ],
  [
    'a content type carrying another header',
    { requestPolicy: { headerContentType: 'text/plain\r\nX-Injected: 1' } },
    'requestPolicy.headerContentType is not a supported content type',
  ],
  ['an unknown member', { retries: 3 }, 'Unexpected JSON member: retries'],
];

describe('validation, with AWS InvalidParameter messages', () => {
  it.each(RETRY_LIMIT_CASES)(
    'Subscribe refuses %s, creating no subscription and sending nothing',
    async (_case, policy, reason) => {
      // Prepare
      target = await openEndpoint();
      // Act
      const error = await awsErrorOf(
        t.sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'http',
            Endpoint: target.url,
            Attributes: { DeliveryPolicy: JSON.stringify(policy) },
          }),
        ),
      );
      await t.emulator.idle();
      const { Subscriptions } = await t.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
      // Assess
      expect(error).toMatchObject({
        name: 'InvalidParameterException',
        code: 'InvalidParameter',
        status: 400,
        message: `Invalid parameter: Attributes Reason: DeliveryPolicy: ${reason}`,
      });
      expect(Subscriptions).toEqual([]);
      expect(target.requests).toEqual([]);
    },
  );

  it.each(RETRY_LIMIT_CASES)(
    'SetSubscriptionAttributes refuses %s and keeps the policy in place',
    async (_case, policy, reason) => {
      // Prepare
      target = await openEndpoint();
      const kept = JSON.stringify({ healthyRetryPolicy: { numRetries: 5 } });
      const subscriptionArn = await confirmedSubscription({ healthyRetryPolicy: { numRetries: 5 } });
      // Act
      const error = await awsErrorOf(
        t.sns.send(
          new SetSubscriptionAttributesCommand({
            SubscriptionArn: subscriptionArn,
            AttributeName: 'DeliveryPolicy',
            AttributeValue: JSON.stringify(policy),
          }),
        ),
      );
      const { Attributes } = await t.sns.send(
        new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }),
      );
      // Assess
      expect(error).toMatchObject({ status: 400, message: `Invalid parameter: DeliveryPolicy: ${reason}` });
      expect(Attributes?.DeliveryPolicy).toBe(kept);
      expect(JSON.parse(Attributes?.EffectiveDeliveryPolicy as string).healthyRetryPolicy.numRetries).toBe(5);
    },
  );

  it('SetTopicAttributes and CreateTopic refuse a topic policy as AWS words it, changing nothing', async () => {
    // Prepare
    const tooMany = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 101 } } });
    // Act
    const onSet = await awsErrorOf(
      t.sns.send(
        new SetTopicAttributesCommand({
          TopicArn: topicArn,
          AttributeName: 'DeliveryPolicy',
          AttributeValue: tooMany,
        }),
      ),
    );
    const onCreate = await awsErrorOf(
      t.sns.send(new CreateTopicCommand({ Name: 'refused', Attributes: { DeliveryPolicy: tooMany } })),
    );
    const misplaced = await awsErrorOf(
      t.sns.send(
        new SetTopicAttributesCommand({
          TopicArn: topicArn,
          AttributeName: 'DeliveryPolicy',
          AttributeValue: JSON.stringify({ throttlePolicy: { maxReceivesPerSecond: 1 } }),
        }),
      ),
    );
    const { Attributes } = await t.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    const { Topics } = await t.sns.send(new ListTopicsCommand({}));
    // Assess
    expect(onSet).toMatchObject({
      code: 'InvalidParameter',
      status: 400,
      message:
        'Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100',
    });
    expect(onCreate.message).toBe(
      'Invalid parameter: Attributes Reason: DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100',
    );
    expect(misplaced.message).toBe(
      'Invalid parameter: DeliveryPolicy: Unexpected JSON member: throttlePolicy',
    );
    expect(Attributes?.DeliveryPolicy).toBeUndefined();
    expect(Topics).toHaveLength(1);
  });

  it("accepts AWS's documented example and the CDK's upper-case backoff function", async () => {
    // Prepare
    target = await openEndpoint();
    const documented = {
      healthyRetryPolicy: {
        minDelayTarget: 1,
        maxDelayTarget: 60,
        numRetries: 50,
        numNoDelayRetries: 3,
        numMinDelayRetries: 2,
        numMaxDelayRetries: 35,
        backoffFunction: 'EXPONENTIAL',
      },
      throttlePolicy: { maxReceivesPerSecond: 10 },
      requestPolicy: { headerContentType: 'application/json' },
    };
    // Act
    const subscriptionArn = await confirmedSubscription(documented);
    const { Attributes } = await t.sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }),
    );
    // Assess
    expect(JSON.parse(Attributes?.EffectiveDeliveryPolicy as string)).toMatchObject({
      healthyRetryPolicy: { ...documented.healthyRetryPolicy, backoffFunction: 'exponential' },
      throttlePolicy: { maxReceivesPerSecond: 10 },
      requestPolicy: { headerContentType: 'application/json' },
    });
  });
});

describe('retries on the clock', () => {
  it('runs the immediate, pre-backoff, backoff and post-backoff phases in order, then dead-letters', async () => {
    // Prepare: a failing endpoint, 8 retries: 2 immediate, 1 at the minimum, 4 backing off, 1 at the maximum
    target = await openEndpoint(() => 500);
    const dlq = await t.queue('hooks-dlq');
    await confirmedSubscription(
      {
        healthyRetryPolicy: {
          minDelayTarget: 2,
          maxDelayTarget: 16,
          numRetries: 8,
          numNoDelayRetries: 2,
          numMinDelayRetries: 1,
          numMaxDelayRetries: 1,
          backoffFunction: 'exponential',
        },
      },
      dlq.arn,
    );
    const start = t.clock.now();
    // Act
    await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'keep trying' }));
    await runClock(60);
    const dead = await t.received(dlq.url);
    // Assess
    expect(arrivals(start)).toEqual([0, 0, 0, 2, 4, 8, 16, 32, 48]);
    expect(dead.map((m) => JSON.parse(m.Body as string).Message)).toEqual(['keep trying']);
  });

  it('ends every schedule within 3,600 seconds of the first attempt', async () => {
    // Prepare: 100 retries an hour apart would take 100 hours
    target = await openEndpoint(() => 503);
    const dlq = await t.queue('hooks-dlq');
    await confirmedSubscription(
      { healthyRetryPolicy: { numRetries: 100, minDelayTarget: 3600, maxDelayTarget: 3600 } },
      dlq.arn,
    );
    const start = t.clock.now();
    // Act
    await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'an hour at most' }));
    await t.emulator.idle();
    t.clock.advance(3600 * 1000);
    await t.emulator.idle();
    t.clock.advance(10 * 3600 * 1000);
    await t.emulator.idle();
    // Assess
    expect(arrivals(start)).toEqual([0, 3600]);
    expect(await t.received(dlq.url)).toHaveLength(1);
  });

  it('spaces deliveries to maxReceivesPerSecond', async () => {
    // Prepare
    target = await openEndpoint();
    await confirmedSubscription({ throttlePolicy: { maxReceivesPerSecond: 2 } });
    const start = t.clock.now();
    // Act
    for (let i = 0; i < 5; i++)
      await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: `m${i}` }));
    await runClock(3);
    // Assess
    expect(arrivals(start)).toEqual([0, 0, 1, 1, 2]);
  });

  it("sends the policy's content type", async () => {
    // Prepare
    target = await openEndpoint();
    await confirmedSubscription({ requestPolicy: { headerContentType: 'application/json' } });
    // Act
    await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{}' }));
    await t.emulator.idle();
    // Assess
    expect(target.notifications()[0].headers['content-type']).toBe('application/json');
  });

  it("applies the topic's http defaults, and disableSubscriptionOverrides over the subscription's own", async () => {
    // Prepare
    target = await openEndpoint(() => 500);
    await t.sns.send(
      new SetTopicAttributesCommand({
        TopicArn: topicArn,
        AttributeName: 'DeliveryPolicy',
        AttributeValue: JSON.stringify({
          http: {
            defaultHealthyRetryPolicy: { numRetries: 1, minDelayTarget: 5, maxDelayTarget: 5 },
            disableSubscriptionOverrides: true,
          },
        }),
      }),
    );
    const subscriptionArn = await confirmedSubscription({ healthyRetryPolicy: { numRetries: 50 } });
    const start = t.clock.now();
    // Act
    await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'topic rules' }));
    await runClock(30);
    const subscription = await t.sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }),
    );
    const topic = await t.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    // Assess
    expect(arrivals(start)).toEqual([0, 5]);
    expect(
      JSON.parse(subscription.Attributes?.EffectiveDeliveryPolicy as string).healthyRetryPolicy.numRetries,
    ).toBe(1);
    expect(JSON.parse(topic.Attributes?.EffectiveDeliveryPolicy as string).http).toMatchObject({
      defaultHealthyRetryPolicy: { numRetries: 1, minDelayTarget: 5, maxDelayTarget: 5 },
      disableSubscriptionOverrides: true,
    });
  });
});
