/** AWS::SNS::Topic, AWS::SNS::Subscription and AWS::SNS::TopicPolicy. */
import { attributesOf, queueOrTopic, requiredString, storedPolicy, tagMap } from './types';
import type { QueueOrTopicProperties, ResourceHandler } from './types';

/** Ref: the topic ARN; Fn::GetAtt: TopicArn, TopicName. Inline `Subscription` entries are subscribed too. */
export const topicHandler: ResourceHandler = {
  create(request, context) {
    const sns = context.emulator.sns;
    const p = request.properties;
    const { name, attributes } = queueOrTopic(request, context, TOPIC_PROPERTIES);
    const tags = Object.entries(tagMap(p.Tags) ?? {}).map(([Key, Value]) => ({ Key, Value }));
    const { TopicArn } = sns.createTopic({ Name: name, Attributes: attributes, Tags: tags });
    const topicArn = TopicArn as string;
    for (const entry of (p.Subscription as Array<{ Endpoint?: unknown; Protocol?: unknown }> | undefined) ??
      []) {
      sns.subscribe({
        TopicArn: topicArn,
        Protocol: String(entry.Protocol),
        Endpoint: String(entry.Endpoint),
      });
    }
    return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
  },
};

/** Ref: the subscription ARN; Fn::GetAtt: Arn. */
export const subscriptionHandler: ResourceHandler = {
  create(request, context) {
    const attributes = attributesOf(request.properties, SUBSCRIPTION_ATTRIBUTES);
    const { SubscriptionArn } = context.emulator.sns.subscribe({
      TopicArn: requiredString(request, 'TopicArn'),
      Protocol: requiredString(request, 'Protocol'),
      Endpoint: requiredString(request, 'Endpoint'),
      Attributes: attributes,
      ReturnSubscriptionArn: true,
    });
    return { ref: SubscriptionArn as string, attributes: { Arn: SubscriptionArn } };
  },
};

/** Ref: an id of the policy. The policy is stored on each topic (not enforced locally). */
export const topicPolicyHandler: ResourceHandler = {
  create(request, context) {
    return storedPolicy(request, { property: 'Topics', what: 'topic ARN' }, (arn, policy) =>
      context.emulator.sns.setTopicAttributes({
        TopicArn: arn,
        AttributeName: 'Policy',
        AttributeValue: policy,
      }),
    );
  },
};

/** The topic's name, kind and attributes, as template properties of the same names. */
const TOPIC_PROPERTIES: QueueOrTopicProperties = {
  name: 'TopicName',
  maxLength: 256,
  fifo: 'FifoTopic',
  attributes: [
    'DisplayName',
    'KmsMasterKeyId',
    'FifoTopic',
    'ContentBasedDeduplication',
    'SignatureVersion',
    'TracingConfig',
    'ArchivePolicy',
    'FifoThroughputScope',
  ],
};

/** Subscription properties that are subscription attributes of the same name. */
const SUBSCRIPTION_ATTRIBUTES = [
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'DeliveryPolicy',
  'ReplayPolicy',
  'SubscriptionRoleArn',
];
