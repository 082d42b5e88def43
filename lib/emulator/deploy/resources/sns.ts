/** AWS::SNS::Topic, AWS::SNS::Subscription and AWS::SNS::TopicPolicy. */
import { randomUUID } from 'node:crypto';
import type { SnsService } from '../../sns/service';
import {
  attributeText,
  jsonText,
  requiredString,
  type ResourceHandler,
  ResourcePropertyError,
  tagMap,
} from './types';

/** Template properties that are topic attributes of the same name. */
const TOPIC_ATTRIBUTES = [
  'DisplayName',
  'KmsMasterKeyId',
  'FifoTopic',
  'ContentBasedDeduplication',
  'SignatureVersion',
  'TracingConfig',
  'ArchivePolicy',
  'FifoThroughputScope',
];

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

/** Ref: the topic ARN; Fn::GetAtt: TopicArn, TopicName. Inline `Subscription` entries are subscribed too. */
export const topicHandler: ResourceHandler = {
  create(request, context) {
    const sns = context.emulator.sns;
    const p = request.properties;
    const fifo = String(p.FifoTopic) === 'true';
    const name =
      (p.TopicName as string | undefined) ??
      context.physicalName({ maxLength: 256, suffix: fifo ? '.fifo' : undefined });
    const attributes: Record<string, string> = {};
    for (const key of TOPIC_ATTRIBUTES) {
      const value = attributeText(p[key]);
      if (value !== undefined) attributes[key] = value;
    }
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
    const attributes: Record<string, string> = {};
    for (const key of SUBSCRIPTION_ATTRIBUTES) {
      const value = attributeText(request.properties[key]);
      if (value !== undefined) attributes[key] = value;
    }
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
    const topics = request.properties.Topics;
    if (!Array.isArray(topics) || topics.length === 0) {
      throw new ResourcePropertyError(request, 'Topics must list at least one topic ARN');
    }
    setPolicy(context.emulator.sns, topics.map(String), jsonText(request.properties.PolicyDocument) ?? '');
    return {
      ref: randomUUID(),
      display: `policy of ${topics.length} topic${topics.length === 1 ? '' : 's'}`,
      note: 'stored; not enforced locally',
    };
  },
};

function setPolicy(sns: SnsService, topicArns: string[], policy: string): void {
  for (const arn of topicArns)
    sns.setTopicAttributes({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: policy });
}
