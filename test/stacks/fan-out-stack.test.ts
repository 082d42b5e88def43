import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig, type Stage } from '../../lib/config';
import type { QueueWithDeadLetter } from '../../lib/constructs/queue-with-dead-letter';
import {
  type FilterPolicyScope,
  matchesAttributes,
  matchesBody,
  parseFilterPolicy,
} from '../../lib/emulator/sns/filter-policy';
import { FanOutStack, type Subscriber } from '../../lib/stacks/fan-out-stack';
import { normalizedTemplate, resourcesOfType, testApp } from '../helpers/cdk';

function fanOut(stage: Stage = 'sandbox') {
  const stack = new FanOutStack(testApp(), 'FanOut', { config: loadStageConfig({ stage }) });
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, template: Template.fromStack(stack), id };
}

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
};

const SAMPLE_QUOTES: Array<{ quoteId: string; type: string; coverage: { amount: number } }> = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'docs', 'workshop', 'samples', 'quotes.json'), 'utf8'),
).quotes;

describe('FanOutStack', () => {
  const { stack, template, id } = fanOut();
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  const quoteSubscribers: Record<string, Subscriber> = {
    vehicleSales: stack.vehicleSales,
    lifeSales: stack.lifeSales,
    analytics: stack.analytics,
    underwriting: stack.underwriting,
  };
  const allSubscribers: Subscriber[] = [
    ...Object.values(quoteSubscribers),
    stack.thumbnails,
    stack.audit,
    stack.fulfillment,
    stack.billing,
  ];
  const arnOf = (queues: QueueWithDeadLetter) => ({ 'Fn::GetAtt': [id(queues.queue), 'Arn'] });
  const subscriptionId = (subscriber: Subscriber) => stack.getLogicalId(subscriber.subscription.subscription);

  test('quote subscribers: vehicle sales and life sales filter on the type attribute, underwriting on the body', () => {
    const subscription = (s: Subscriber) => resources[subscriptionId(s)].Properties;

    expect(subscription(stack.vehicleSales)).toMatchObject({
      TopicArn: { Ref: id(stack.quoteTopic) },
      Endpoint: arnOf(stack.vehicleSales.queues),
      FilterPolicy: { type: ['car', 'boat'] },
      FilterPolicyScope: 'MessageAttributes',
    });
    expect(subscription(stack.lifeSales)).toMatchObject({
      FilterPolicy: { type: ['life'] },
      FilterPolicyScope: 'MessageAttributes',
    });
    expect(subscription(stack.underwriting)).toMatchObject({
      FilterPolicy: { coverage: { amount: [{ numeric: ['>=', 100_000] }] } },
      FilterPolicyScope: 'MessageBody',
    });
    expect(subscription(stack.analytics)).toMatchObject({ RawMessageDelivery: true });
    expect(subscription(stack.analytics).FilterPolicy).toBeUndefined();
  });

  describe('the synthesized filter policies, evaluated by the SNS filter-policy engine of the emulator', () => {
    /** Which quote subscribers a quote reaches, per each subscription's FilterPolicy in the template. */
    const reachedBy = (message: string, attributes: Record<string, string>) =>
      Object.entries(quoteSubscribers)
        .filter(([, subscriber]) => {
          const { FilterPolicy, FilterPolicyScope: scope } = resources[subscriptionId(subscriber)].Properties;
          if (FilterPolicy === undefined) return true;
          const policy = parseFilterPolicy(
            JSON.stringify(FilterPolicy),
            scope as FilterPolicyScope,
            'Subscribe',
          );
          return scope === 'MessageBody'
            ? matchesBody(policy, message)
            : matchesAttributes(
                policy,
                Object.fromEntries(
                  Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
                ),
              );
        })
        .map(([name]) => name)
        .sort();

    test.each([
      ['q-100', 'car of 25,000', ['analytics', 'vehicleSales']],
      ['q-101', 'boat of 40,000', ['analytics', 'vehicleSales']],
      ['q-102', 'life of 50,000', ['analytics', 'lifeSales']],
      ['q-103', 'car of 250,000', ['analytics', 'underwriting', 'vehicleSales']],
      ['q-104', 'life of exactly 100,000', ['analytics', 'lifeSales', 'underwriting']],
    ])('sample %s (%s) reaches exactly %j', (quoteId, _, expected) => {
      const quote = SAMPLE_QUOTES.find((q) => q.quoteId === quoteId);

      expect(reachedBy(JSON.stringify(quote), { type: quote?.type ?? '' })).toEqual(expected);
    });

    test('a message without the type attribute reaches analytics only (and underwriting if large enough)', () => {
      const small = JSON.stringify({ quoteId: 'q-9', coverage: { amount: 10 } });
      const large = JSON.stringify({ quoteId: 'q-9', coverage: { amount: 500_000 } });

      expect(reachedBy(small, {})).toEqual(['analytics']);
      expect(reachedBy(large, {})).toEqual(['analytics', 'underwriting']);
    });

    test('the type attribute decides, not the body: a "car" body published as type=life goes to life sales', () => {
      expect(reachedBy(JSON.stringify({ type: 'car', coverage: { amount: 10 } }), { type: 'life' })).toEqual([
        'analytics',
        'lifeSales',
      ]);
    });
  });

  test('every subscription has its own dead-letter queue, of the kind of its topic', () => {
    const subscriptions = resourcesOfType(template, 'AWS::SNS::Subscription');
    expect(subscriptions).toHaveLength(8);
    const dlqIds = subscriptions.map(
      ([, s]) => s.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0],
    );
    expect(new Set(dlqIds).size).toBe(8);
    for (const [, subscription] of subscriptions) {
      const dlq = resources[subscription.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]];
      const topic = resources[subscription.Properties.TopicArn.Ref];
      expect(dlq.Type).toBe('AWS::SQS::Queue');
      expect(dlq.Properties.FifoQueue === true).toBe(topic.Properties.FifoTopic === true);
    }
  });

  test('every subscriber queue has its dead-letter queue (3 receives)', () => {
    for (const { queues } of [...allSubscribers, { queues: stack.offers }]) {
      expect(resources[id(queues.queue)].Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [id(queues.deadLetterQueue as never), 'Arn'] },
        maxReceiveCount: 3,
      });
    }
  });

  test('topics and every queue SNS writes to use a customer-managed key of this stack that trusts SNS', () => {
    // The alarm topic has a key of its own, for CloudWatch (see the dead-letter alarm's test).
    const alarmTopicId = id(stack.alarmTopic);
    const alarmKeyId = id(stack.alarmTopic.masterKey as never);
    const keyIds = resourcesOfType(template, 'AWS::KMS::Key')
      .map(([keyId]) => keyId)
      .filter((keyId) => keyId !== alarmKeyId);
    const snsQueues = resourcesOfType(template, 'AWS::SNS::Subscription').flatMap(([, s]) => [
      s.Properties.Endpoint['Fn::GetAtt'][0],
      s.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0],
    ]);
    const encrypted = [
      ...resourcesOfType(template, 'AWS::SNS::Topic')
        .map(([topicId]) => topicId)
        .filter((topicId) => topicId !== alarmTopicId),
      ...snsQueues,
    ];

    expect(keyIds).toHaveLength(3);
    for (const resourceId of encrypted) {
      const keyRef = resources[resourceId].Properties.KmsMasterKeyId;
      // Never an AWS-managed alias such as alias/aws/sqs: its policy cannot be changed to trust SNS or S3.
      expect(keyRef).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Key/), 'Arn'] });
      expect(keyIds).toContain(keyRef['Fn::GetAtt'][0]);
    }
    for (const keyId of keyIds) {
      const key = resources[keyId];
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.Properties.KeyPolicy.Statement).toContainEqual(
        expect.objectContaining({
          Principal: { Service: 'sns.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        }),
      );
    }
  });

  test('only the right topic, from this account, may send to each subscriber queue', () => {
    for (const subscriber of allSubscribers) {
      const topicRef = resources[subscriptionId(subscriber)].Properties.TopicArn;
      for (const queue of [subscriber.queues.queue, subscriber.subscription.deadLetterQueue]) {
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id(queue as never) }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Principal: { Service: 'sns.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Condition: {
                  ArnEquals: { 'aws:SourceArn': topicRef },
                  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                },
              }),
            ]),
          },
        });
      }
    }
  });

  test('S3 → SNS: objects created under images/ go to the image events topic, guarded by bucket and account', () => {
    const guard = {
      ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [id(stack.imageBucket), 'Arn'] } },
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    };

    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: id(stack.imageBucket) },
      NotificationConfiguration: {
        TopicConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'images/' }] } },
            TopicArn: { Ref: id(stack.imageEventsTopic) },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: id(stack.imageEventsTopic) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: guard,
          }),
        ]),
      },
    });
    const imageKey = resources[id(stack.imageEventsTopic)].Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    expect(resources[imageKey].Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({ Principal: { Service: 's3.amazonaws.com' }, Condition: guard }),
    );
    expect(resources[subscriptionId(stack.thumbnails)].Properties).toMatchObject({
      TopicArn: { Ref: id(stack.imageEventsTopic) },
      RawMessageDelivery: true,
    });
    expect(resources[subscriptionId(stack.audit)].Properties).toMatchObject({
      TopicArn: { Ref: id(stack.imageEventsTopic) },
    });
  });

  test('FIFO fan-out: a FIFO topic with content-based deduplication, to two FIFO queues', () => {
    expect(resources[id(stack.orderEventsTopic)].Properties).toMatchObject({
      FifoTopic: true,
      ContentBasedDeduplication: true,
      TopicName: expect.stringMatching(/\.fifo$/),
    });
    for (const subscriber of [stack.fulfillment, stack.billing]) {
      expect(resources[id(subscriber.queues.queue)].Properties).toMatchObject({
        FifoQueue: true,
        QueueName: expect.stringMatching(/\.fifo$/),
      });
      expect(resources[subscriptionId(subscriber)].Properties).toMatchObject({
        TopicArn: { Ref: id(stack.orderEventsTopic) },
        Endpoint: arnOf(subscriber.queues),
      });
    }
  });

  test('the producer may publish to the quote topic only; its ARN is in the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({ TOPIC_ARN: { Ref: id(stack.quoteTopic) } }) },
    });
    const publishes = resourcesOfType(template, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => [s.Action].flat().includes('sns:Publish'));
    expect(publishes).toEqual([expect.objectContaining({ Resource: { Ref: id(stack.quoteTopic) } })]);
  });

  test('the vehicle-sales consumer reads its queue with partial batch failures and sends offers on', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.vehicleSales.queues),
      FunctionName: { Ref: id(stack.vehicleSalesConsumer.function) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(resources[id(stack.vehicleSales.queues.queue)].Properties.VisibilityTimeout).toBe(180);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ OFFERS_QUEUE_URL: { Ref: id(stack.offers.queue) } }) },
    });
    const consumerRole = { Ref: id(stack.vehicleSalesConsumer.function.role as never) };
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [consumerRole],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']), Resource: arnOf(stack.offers) }),
        ]),
      },
    });
  });

  test('no IAM policy grants a wildcard action, or any action on every resource', () => {
    const statements = resourcesOfType(template, 'AWS::IAM::Policy').flatMap(
      ([, p]) => p.Properties.PolicyDocument.Statement as Statement[],
    );

    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
      expect(statement.Resource).not.toBe('*');
    }
  });

  test('the vehicle-sales dead-letter alarm notifies an encrypted alarm topic whose key CloudWatch may use', () => {
    const alarmTopicId = id(stack.alarmTopic);

    expect(resources[id(stack.vehicleSalesConsumer.deadLetterAlarm)].Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [id(stack.vehicleSales.queues.deadLetterQueue as never), 'QueueName'] },
        },
      ],
      AlarmActions: [{ Ref: alarmTopicId }],
    });
    const keyId = id(stack.alarmTopic.masterKey as never);
    expect(resources[alarmTopicId].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(resources[keyId].Properties.EnableKeyRotation).toBe(true);
    expect(resources[keyId].Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    );
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: alarmTopicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: alarmTopicId } });
  });

  test('outputs every topic ARN and queue URL under a name that says what it is', () => {
    const queues = [
      'VehicleSales',
      'LifeSales',
      'Analytics',
      'Underwriting',
      'Thumbnails',
      'Audit',
      'Fulfillment',
      'Billing',
    ];
    const expected = [
      'QuoteTopicArn',
      'ImageEventsTopicArn',
      'OrderEventsTopicArn',
      ...queues.flatMap((q) => [
        `${q}QueueUrl`,
        `${q}DeadLetterQueueUrl`,
        `${q}SubscriptionDeadLetterQueueUrl`,
      ]),
      'OffersQueueUrl',
      'OffersDeadLetterQueueUrl',
      'ImageBucketName',
      'QuoteProducerFunctionName',
      'VehicleSalesConsumerFunctionName',
      'AlarmTopicArn',
    ];

    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(expected.sort());
    // Every queue of the stack has its URL output.
    expect(resourcesOfType(template, 'AWS::SQS::Queue')).toHaveLength(
      expected.filter((o) => o.endsWith('QueueUrl')).length,
    );
    template.hasOutput('QuoteTopicArn', { Value: { Ref: id(stack.quoteTopic) } });
    template.hasOutput('VehicleSalesQueueUrl', { Value: { Ref: id(stack.vehicleSales.queues.queue) } });
    template.hasOutput('VehicleSalesSubscriptionDeadLetterQueueUrl', {
      Value: { Ref: id(stack.vehicleSales.subscription.deadLetterQueue as never) },
    });
  });

  test('buckets block public access, are encrypted, and the image bucket logs access', () => {
    for (const [, bucket] of resourcesOfType(template, 'AWS::S3::Bucket')) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ]);
    }
    expect(resources[id(stack.imageBucket)].Properties.LoggingConfiguration).toMatchObject({
      LogFilePrefix: 'image-bucket/',
    });
  });

  test('sandbox: data is destroyed with the stack and buckets are emptied first, so not versioned', () => {
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    for (const type of ['AWS::SQS::Queue', 'AWS::KMS::Key']) {
      for (const [, resource] of resourcesOfType(template, type))
        expect(resource.DeletionPolicy).toBe('Delete');
    }
    for (const [, bucket] of resourcesOfType(template, 'AWS::S3::Bucket'))
      expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
  });

  test('matches the snapshot', () => {
    expect(normalizedTemplate(stack)).toMatchSnapshot();
  });
});

describe('FanOutStack in prod', () => {
  const { stack, template, id } = fanOut('prod');

  test('retains queues, buckets, keys and logs, and never empties buckets', () => {
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    for (const type of ['AWS::SQS::Queue', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      for (const [, resource] of resourcesOfType(template, type))
        expect(resource.DeletionPolicy).toBe('Retain');
    }
  });

  test('versions both buckets and expires previous versions after 30 days, access logs after a year', () => {
    const buckets = template.toJSON().Resources as Record<string, { Properties: any }>;
    const rules = (bucketId: string) => buckets[bucketId].Properties.LifecycleConfiguration.Rules;

    for (const [, bucket] of resourcesOfType(template, 'AWS::S3::Bucket'))
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(rules(id(stack.imageBucket))).toEqual([
      { NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' },
    ]);
    const logBucketId =
      buckets[id(stack.imageBucket)].Properties.LoggingConfiguration.DestinationBucketName.Ref;
    expect(rules(logBucketId)).toEqual([
      { NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' },
      { ExpirationInDays: 365, Status: 'Enabled' },
    ]);
  });

  test('every queue policy, subscription dead-letter queues included, denies PurgeQueue', () => {
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(26);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"Action":"sqs:PurgeQueue"');
    }
  });
});
