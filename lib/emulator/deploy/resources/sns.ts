/** AWS::SNS::Topic, AWS::SNS::Subscription and AWS::SNS::TopicPolicy. */
import { attributesOf, queueOrTopic, requiredString, storedPolicy, tagMap } from './types';
import type { ProvisionedResource, QueueOrTopicProperties, ResourceHandler } from './types';

/**
 * Ref: the topic ARN; Fn::GetAtt: TopicArn, TopicName. Inline `Subscription` entries are subscribed too. A new
 * TopicName or FifoTopic replaces the topic; attributes, tags and inline subscriptions change in place.
 */
export const topicHandler: ResourceHandler = {
  replacedBy: ['TopicName', 'FifoTopic'],
  nameProperty: 'TopicName',
  update(request, previous, context) {
    const sns = context.emulator.sns;
    const before = attributesOf(previous.properties, TOPIC_PROPERTIES.attributes);
    const after = attributesOf(request.properties, TOPIC_PROPERTIES.attributes);
    for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (name === 'FifoTopic' || before[name] === after[name]) continue;
      sns.setTopicAttributes({
        TopicArn: previous.ref,
        AttributeName: name,
        AttributeValue: after[name] ?? '',
      });
    }
    const tagsBefore = tagMap(previous.properties.Tags) ?? {};
    const tagsAfter = tagMap(request.properties.Tags) ?? {};
    const removed = Object.keys(tagsBefore).filter((k) => tagsAfter[k] === undefined);
    if (removed.length > 0) sns.untagResource({ ResourceArn: previous.ref, TagKeys: removed });
    const tags = Object.entries(tagsAfter).map(([Key, Value]) => ({ Key, Value }));
    if (tags.length > 0) sns.tagResource({ ResourceArn: previous.ref, Tags: tags });
    const key = (e: InlineSubscription) => `${String(e.Protocol)} ${String(e.Endpoint)}`;
    const wanted = new Set(inlineSubscriptions(request.properties).map(key));
    const had = new Set(inlineSubscriptions(previous.properties).map(key));
    for (const subscription of sns.listSubscriptionsByTopic({ TopicArn: previous.ref }).Subscriptions ?? []) {
      const id = `${subscription.Protocol} ${subscription.Endpoint}`;
      if (had.has(id) && !wanted.has(id)) sns.unsubscribe({ SubscriptionArn: subscription.SubscriptionArn });
    }
    for (const entry of inlineSubscriptions(request.properties)) {
      if (had.has(key(entry))) continue;
      sns.subscribe({
        TopicArn: previous.ref,
        Protocol: String(entry.Protocol),
        Endpoint: String(entry.Endpoint),
      });
    }
    return { ref: previous.ref, attributes: previous.attributes };
  },
  delete(resource, context) {
    context.emulator.sns.deleteTopic({ TopicArn: resource.ref });
  },
  create(request, context) {
    const sns = context.emulator.sns;
    const p = request.properties;
    const { name, attributes } = queueOrTopic(request, context, TOPIC_PROPERTIES);
    const tags = Object.entries(tagMap(p.Tags) ?? {}).map(([Key, Value]) => ({ Key, Value }));
    const { TopicArn } = sns.createTopic({ Name: name, Attributes: attributes, Tags: tags });
    const topicArn = TopicArn as string;
    for (const entry of inlineSubscriptions(p)) {
      sns.subscribe({
        TopicArn: topicArn,
        Protocol: String(entry.Protocol),
        Endpoint: String(entry.Endpoint),
      });
    }
    return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
  },
};

interface InlineSubscription {
  readonly Endpoint?: unknown;
  readonly Protocol?: unknown;
}

function inlineSubscriptions(properties: Readonly<Record<string, unknown>>): InlineSubscription[] {
  return Array.isArray(properties.Subscription) ? (properties.Subscription as InlineSubscription[]) : [];
}

/**
 * Ref: the subscription ARN; Fn::GetAtt: Arn. A new topic, protocol or endpoint replaces it; its attributes
 * (filter policy, raw delivery…) change in place.
 */
export const subscriptionHandler: ResourceHandler = {
  replacedBy: ['TopicArn', 'Protocol', 'Endpoint'],
  update(request, previous, context) {
    const before = attributesOf(previous.properties, SUBSCRIPTION_ATTRIBUTES);
    const after = attributesOf(request.properties, SUBSCRIPTION_ATTRIBUTES);
    for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (before[name] === after[name]) continue;
      // AWS: a property no longer set goes back to its default (no filter, not raw)
      const value = after[name] ?? (name === 'RawMessageDelivery' ? 'false' : '');
      context.emulator.sns.setSubscriptionAttributes({
        SubscriptionArn: previous.ref,
        AttributeName: name,
        AttributeValue: value,
      });
    }
    return { ref: previous.ref, attributes: previous.attributes };
  },
  delete(resource, context) {
    context.emulator.sns.unsubscribe({ SubscriptionArn: resource.ref });
  },
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

/** Ref: an id of the policy. The policy is stored on each topic (evaluated unless `--iam off`). */
export const topicPolicyHandler: ResourceHandler = {
  update(request, previous, context) {
    return { ...topicPolicyHandler.create(request, context), ref: previous.ref } as ProvisionedResource;
  },
  create(request, context) {
    return storedPolicy(
      request,
      { property: 'Topics', what: 'topic ARN' },
      (arn, policy) =>
        context.emulator.sns.setTopicAttributes({
          TopicArn: arn,
          AttributeName: 'Policy',
          AttributeValue: policy,
        }),
      context.emulator.iam.mode,
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
