import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
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

const ARN = 'arn:aws:sns:us-east-1:000000000000';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000';

describe('topics', () => {
  it('creates a topic idempotently and lists it', async () => {
    // Act
    const first = await t.sns.send(
      new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' } }),
    );
    const again = await t.sns.send(
      new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' } }),
    );
    const listed = await t.sns.send(new ListTopicsCommand({}));
    // Assess
    expect(first.TopicArn).toBe(`${ARN}:orders`);
    expect(again.TopicArn).toBe(first.TopicArn);
    expect(listed.Topics).toEqual([{ TopicArn: `${ARN}:orders` }]);
  });

  it('reports the default attributes, plus the ones set', async () => {
    // Prepare
    const { TopicArn } = await t.sns.send(
      new CreateTopicCommand({ Name: 'audit', Attributes: { KmsMasterKeyId: 'alias/aws/sns' } }),
    );
    await t.sns.send(
      new SetTopicAttributesCommand({
        TopicArn,
        AttributeName: 'DisplayName',
        AttributeValue: 'Audit trail',
      }),
    );
    // Act
    const { Attributes } = await t.sns.send(new GetTopicAttributesCommand({ TopicArn }));
    // Assess
    expect(Attributes).toMatchObject({
      TopicArn,
      Owner: '000000000000',
      DisplayName: 'Audit trail',
      KmsMasterKeyId: 'alias/aws/sns',
      SubscriptionsConfirmed: '0',
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
    });
    expect(JSON.parse(Attributes?.Policy as string).Statement[0].Resource).toBe(TopicArn);
    expect(
      JSON.parse(Attributes?.EffectiveDeliveryPolicy as string).http.defaultHealthyRetryPolicy.numRetries,
    ).toBe(3);
    expect(Attributes?.FifoTopic).toBeUndefined();
  });

  it('creates FIFO topics with their attributes', async () => {
    // Act
    const { TopicArn } = await t.sns.send(
      new CreateTopicCommand({
        Name: 'orders.fifo',
        Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    const { Attributes } = await t.sns.send(new GetTopicAttributesCommand({ TopicArn }));
    // Assess
    expect(Attributes).toMatchObject({ FifoTopic: 'true', ContentBasedDeduplication: 'true' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a bad name', { Name: 'has space' }, 'Invalid parameter: Topic Name'],
    ['a .fifo name on a standard topic', { Name: 'x.fifo' }, 'Invalid parameter: Topic Name'],
    [
      'a FIFO topic without .fifo',
      { Name: 'x', Attributes: { FifoTopic: 'true' } },
      'Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
    ],
    [
      'an unknown attribute',
      { Name: 'x', Attributes: { Colour: 'red' } },
      'Invalid parameter: AttributeName',
    ],
  ])('rejects %s', async (_case, input, message) => {
    // Act
    const error = await awsErrorOf(t.sns.send(new CreateTopicCommand(input as never)));
    // Assess
    expect(error).toMatchObject({ name: 'InvalidParameterException', status: 400, message });
  });

  it('refuses to recreate a topic with different attributes', async () => {
    // Prepare
    await t.sns.send(new CreateTopicCommand({ Name: 'x', Attributes: { DisplayName: 'one' } }));
    // Act
    const error = await awsErrorOf(
      t.sns.send(new CreateTopicCommand({ Name: 'x', Attributes: { DisplayName: 'two' } })),
    );
    // Assess
    expect(error.message).toBe(
      'Invalid parameter: Attributes Reason: Topic already exists with different attributes',
    );
  });

  it('deletes a topic and its subscriptions; deleting again succeeds', async () => {
    // Prepare
    const { TopicArn } = await t.sns.send(new CreateTopicCommand({ Name: 'gone' }));
    await t.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: `${QUEUE_ARN}:q` }));
    // Act
    await t.sns.send(new DeleteTopicCommand({ TopicArn }));
    await t.sns.send(new DeleteTopicCommand({ TopicArn }));
    const error = await awsErrorOf(t.sns.send(new GetTopicAttributesCommand({ TopicArn })));
    const subscriptions = await t.sns.send(new ListSubscriptionsCommand({}));
    // Assess
    expect(error).toMatchObject({ name: 'NotFoundException', status: 404, message: 'Topic does not exist' });
    expect(subscriptions.Subscriptions).toEqual([]);
  });

  it('pages ListTopics by 100', async () => {
    // Prepare
    for (let i = 0; i < 150; i++) await t.sns.send(new CreateTopicCommand({ Name: `t${i}` }));
    // Act
    const first = await t.sns.send(new ListTopicsCommand({}));
    const second = await t.sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
    // Assess
    expect(first.Topics).toHaveLength(100);
    expect(second.Topics).toHaveLength(50);
    expect(second.NextToken).toBeUndefined();
  });

  it('tags and untags a topic', async () => {
    // Prepare
    const { TopicArn } = await t.sns.send(
      new CreateTopicCommand({ Name: 'tagged', Tags: [{ Key: 'team', Value: 'sales' }] }),
    );
    // Act
    await t.sns.send(
      new TagResourceCommand({ ResourceArn: TopicArn, Tags: [{ Key: 'stage', Value: 'dev' }] }),
    );
    await t.sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ['team'] }));
    const { Tags } = await t.sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
    const missing = await awsErrorOf(
      t.sns.send(new ListTagsForResourceCommand({ ResourceArn: `${ARN}:nope` })),
    );
    // Assess
    expect(Tags).toEqual([{ Key: 'stage', Value: 'dev' }]);
    expect(missing).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
      message: 'Resource does not exist',
    });
  });
});

describe('subscriptions', () => {
  let topicArn: string;
  beforeEach(async () => {
    topicArn = (await t.sns.send(new CreateTopicCommand({ Name: 'events' }))).TopicArn as string;
  });

  it('subscribes a queue, confirmed at once, idempotently', async () => {
    // Act
    const first = await t.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: `${QUEUE_ARN}:q` }),
    );
    const again = await t.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: `${QUEUE_ARN}:q` }),
    );
    const { Attributes } = await t.sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: first.SubscriptionArn }),
    );
    const byTopic = await t.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    // Assess
    expect(first.SubscriptionArn).toMatch(new RegExp(`^${topicArn}:[0-9a-f-]{36}$`));
    expect(again.SubscriptionArn).toBe(first.SubscriptionArn);
    expect(Attributes).toMatchObject({
      Protocol: 'sqs',
      Endpoint: `${QUEUE_ARN}:q`,
      TopicArn: topicArn,
      PendingConfirmation: 'false',
      RawMessageDelivery: 'false',
      SubscriptionArn: first.SubscriptionArn,
    });
    expect(byTopic.Subscriptions).toEqual([
      {
        SubscriptionArn: first.SubscriptionArn,
        Owner: '000000000000',
        Protocol: 'sqs',
        Endpoint: `${QUEUE_ARN}:q`,
        TopicArn: topicArn,
      },
    ]);
  });

  it('stores FilterPolicy, FilterPolicyScope, RawMessageDelivery and RedrivePolicy', async () => {
    // Prepare
    const { SubscriptionArn } = await t.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: `${QUEUE_ARN}:q`,
        Attributes: { FilterPolicy: '{"a":["b"]}', RawMessageDelivery: 'true' },
      }),
    );
    // Act
    await t.sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn,
        AttributeName: 'RedrivePolicy',
        AttributeValue: JSON.stringify({ deadLetterTargetArn: `${QUEUE_ARN}:dlq` }),
      }),
    );
    await t.sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn,
        AttributeName: 'FilterPolicyScope',
        AttributeValue: 'MessageBody',
      }),
    );
    const { Attributes } = await t.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
    // Assess
    expect(Attributes).toMatchObject({
      FilterPolicy: '{"a":["b"]}',
      FilterPolicyScope: 'MessageBody',
      RawMessageDelivery: 'true',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${QUEUE_ARN}:dlq` }),
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'an unknown protocol',
      { Protocol: 'pigeon', Endpoint: 'x' },
      'Invalid parameter: Amazon SNS does not support this protocol string: pigeon',
    ],
    [
      'a queue URL instead of an ARN',
      { Protocol: 'sqs', Endpoint: 'http://q' },
      'Invalid parameter: SQS endpoint ARN',
    ],
    [
      'a FIFO queue on a standard topic',
      { Protocol: 'sqs', Endpoint: `${QUEUE_ARN}:q.fifo` },
      'Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics',
    ],
    [
      'an http endpoint for https',
      { Protocol: 'https', Endpoint: 'http://x' },
      'Invalid parameter: Endpoint must match the specified protocol',
    ],
    ['a bad function ARN', { Protocol: 'lambda', Endpoint: 'fn' }, 'Invalid parameter: Lambda endpoint ARN'],
    [
      'an invalid RawMessageDelivery',
      { Protocol: 'sqs', Endpoint: `${QUEUE_ARN}:q`, Attributes: { RawMessageDelivery: 'yes' } },
      'Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. Must be true or false.',
    ],
    [
      'an invalid FilterPolicyScope',
      { Protocol: 'sqs', Endpoint: `${QUEUE_ARN}:q`, Attributes: { FilterPolicyScope: 'Body' } },
      'Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes',
    ],
  ])('rejects %s', async (_case, input, message) => {
    // Act
    const error = await awsErrorOf(
      t.sns.send(new SubscribeCommand({ TopicArn: topicArn, ...input } as never)),
    );
    // Assess
    expect(error).toMatchObject({ name: 'InvalidParameterException', status: 400, message });
  });

  it('lets only SQS queues subscribe to FIFO topics, standard queues included', async () => {
    // Prepare
    const fifo = (
      await t.sns.send(new CreateTopicCommand({ Name: 'f.fifo', Attributes: { FifoTopic: 'true' } }))
    ).TopicArn;
    // Act
    const standardQueue = await t.sns.send(
      new SubscribeCommand({ TopicArn: fifo, Protocol: 'sqs', Endpoint: `${QUEUE_ARN}:standard` }),
    );
    const lambda = await awsErrorOf(
      t.sns.send(
        new SubscribeCommand({
          TopicArn: fifo,
          Protocol: 'lambda',
          Endpoint: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
        }),
      ),
    );
    // Assess
    expect(standardQueue.SubscriptionArn).toContain(`${fifo}:`);
    expect(lambda.message).toBe(
      'Invalid parameter: Invalid parameter: Endpoint Reason: Please use FIFO SQS queue',
    );
  });

  it('unsubscribes, idempotently, and forgets the subscription', async () => {
    // Prepare
    const { SubscriptionArn } = await t.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: `${QUEUE_ARN}:q` }),
    );
    // Act
    await t.sns.send(new UnsubscribeCommand({ SubscriptionArn }));
    await t.sns.send(new UnsubscribeCommand({ SubscriptionArn }));
    const error = await awsErrorOf(t.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn })));
    // Assess
    expect(error).toMatchObject({
      name: 'NotFoundException',
      status: 404,
      message: 'Subscription does not exist',
    });
  });

  it('rejects an unknown attribute name and a bad confirmation token', async () => {
    // Prepare
    const { SubscriptionArn } = await t.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: `${QUEUE_ARN}:q` }),
    );
    // Act
    const attribute = await awsErrorOf(
      t.sns.send(
        new SetSubscriptionAttributesCommand({
          SubscriptionArn,
          AttributeName: 'Colour',
          AttributeValue: 'x',
        }),
      ),
    );
    const token = await awsErrorOf(
      t.sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: 'nope' })),
    );
    // Assess
    expect(attribute.message).toBe('Invalid parameter: AttributeName');
    expect(token.message).toBe('Invalid parameter: Token');
  });
});
