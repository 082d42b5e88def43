/** AWS::SQS::Queue and AWS::SQS::QueuePolicy. */
import { randomUUID } from 'node:crypto';
import { attributeText, jsonText, type ResourceHandler, ResourcePropertyError, tagMap } from './types';

/** Template properties that are CreateQueue attributes of the same name. */
const QUEUE_ATTRIBUTES = [
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
];

/** Ref: the queue URL; Fn::GetAtt: Arn, QueueName, QueueUrl. */
export const queueHandler: ResourceHandler = {
  create(request, context) {
    const sqs = context.emulator.sqs;
    const p = request.properties;
    const fifo = String(p.FifoQueue) === 'true';
    const name =
      (p.QueueName as string | undefined) ??
      context.physicalName({ maxLength: 80, suffix: fifo ? '.fifo' : undefined });
    const attributes: Record<string, string> = {};
    for (const key of QUEUE_ATTRIBUTES) {
      const value = attributeText(p[key]);
      if (value !== undefined) attributes[key] = value;
    }
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
    const queues = request.properties.Queues;
    if (!Array.isArray(queues) || queues.length === 0) {
      throw new ResourcePropertyError(request, 'Queues must list at least one queue URL');
    }
    const policy = jsonText(request.properties.PolicyDocument);
    for (const url of queues) {
      context.emulator.sqs.setQueueAttributes({
        QueueUrl: String(url),
        Attributes: { Policy: policy ?? '' },
      });
    }
    return {
      ref: randomUUID(),
      display: `policy of ${queues.length} queue${queues.length === 1 ? '' : 's'}`,
      note: 'stored; not enforced locally',
    };
  },
};
