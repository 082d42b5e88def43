/** AWS::SQS::Queue and AWS::SQS::QueuePolicy. */
import {
  queueOrTopic,
  type QueueOrTopicProperties,
  type ResourceHandler,
  storedPolicy,
  tagMap,
} from './types';

/** Ref: the queue URL; Fn::GetAtt: Arn, QueueName, QueueUrl. */
export const queueHandler: ResourceHandler = {
  create(request, context) {
    const sqs = context.emulator.sqs;
    const p = request.properties;
    const { name, attributes } = queueOrTopic(request, context, QUEUE_PROPERTIES);
    const { QueueUrl } = sqs.createQueue({ QueueName: name, Attributes: attributes, tags: tagMap(p.Tags) });
    const queue = sqs.queueOf(QueueUrl);
    return {
      ref: queue.url,
      attributes: { Arn: queue.arn, QueueName: queue.name, QueueUrl: queue.url },
    };
  },
};

/** Ref: an id of the policy. The policy is stored on each queue (the emulator does not enforce policies). */
export const queuePolicyHandler: ResourceHandler = {
  create(request, context) {
    return storedPolicy(request, { property: 'Queues', what: 'queue URL' }, (url, policy) =>
      context.emulator.sqs.setQueueAttributes({ QueueUrl: url, Attributes: { Policy: policy } }),
    );
  },
};

/** The queue's name, kind and CreateQueue attributes, as template properties of the same names. */
const QUEUE_PROPERTIES: QueueOrTopicProperties = {
  name: 'QueueName',
  maxLength: 80,
  fifo: 'FifoQueue',
  attributes: [
    'DelaySeconds',
    'MaximumMessageSize',
    'MessageRetentionPeriod',
    'ReceiveMessageWaitTimeSeconds',
    'VisibilityTimeout',
    'RedrivePolicy',
    'RedriveAllowPolicy',
    'FifoQueue',
    'ContentBasedDeduplication',
    'DeduplicationScope',
    'FifoThroughputLimit',
    'KmsMasterKeyId',
    'KmsDataKeyReusePeriodSeconds',
    'SqsManagedSseEnabled',
  ],
};
