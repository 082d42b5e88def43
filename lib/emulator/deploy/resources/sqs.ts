/** AWS::SQS::Queue and AWS::SQS::QueuePolicy. */
import type { SqsService } from '../../sqs/service';
import {
  attributesOf,
  type DeployContext,
  type ProvisionedResource,
  queueOrTopic,
  type QueueOrTopicProperties,
  type ResourceHandler,
  type ResourceRequest,
  storedPolicy,
  tagMap,
} from './types';

/**
 * What SQS takes an attribute back to when the template no longer sets it (AWS: removing a property restores
 * the queue's default).
 */
const QUEUE_DEFAULTS: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  RedrivePolicy: '',
  RedriveAllowPolicy: '',
  KmsMasterKeyId: '',
};

/**
 * Ref: the queue URL; Fn::GetAtt: Arn, QueueName, QueueUrl. A new QueueName or FifoQueue replaces the queue;
 * every other property is a queue attribute or tag set in place, so the messages stay.
 */
export const queueHandler: ResourceHandler = {
  replacedBy: ['QueueName', 'FifoQueue'],
  nameProperty: 'QueueName',
  update(request, previous, context) {
    const sqs = context.emulator.sqs;
    const attributes = attributesOf(request.properties, QUEUE_PROPERTIES.attributes);
    for (const name of Object.keys(attributesOf(previous.properties, QUEUE_PROPERTIES.attributes))) {
      if (attributes[name] === undefined && QUEUE_DEFAULTS[name] !== undefined)
        attributes[name] = QUEUE_DEFAULTS[name];
    }
    delete attributes.FifoQueue;
    if (Object.keys(attributes).length > 0)
      sqs.setQueueAttributes({ QueueUrl: previous.ref, Attributes: attributes });
    retag(sqs, previous.ref, tagMap(previous.properties.Tags), tagMap(request.properties.Tags));
    return { ref: previous.ref, attributes: previous.attributes };
  },
  delete(resource, context) {
    context.emulator.sqs.deleteQueue({ QueueUrl: resource.ref });
  },
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
  create: storeQueuePolicy,
  update(request, previous, context) {
    const now = listed(request.properties.Queues);
    clearPolicies(
      context.emulator.sqs,
      listed(previous.properties.Queues).filter((url) => !now.includes(url)),
    );
    return { ...storeQueuePolicy(request, context), ref: previous.ref };
  },
  delete(resource, context) {
    clearPolicies(context.emulator.sqs, listed(resource.properties.Queues));
  },
};

function storeQueuePolicy(request: ResourceRequest, context: DeployContext): ProvisionedResource {
  return storedPolicy(
    request,
    { property: 'Queues', what: 'queue URL' },
    (url, policy) =>
      context.emulator.sqs.setQueueAttributes({ QueueUrl: url, Attributes: { Policy: policy } }),
    context.emulator.iam.mode,
  );
}

function listed(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** Removes the policy of queues that still exist (a queue deleted first takes its policy with it). */
function clearPolicies(sqs: SqsService, urls: readonly string[]): void {
  for (const url of urls) {
    try {
      sqs.setQueueAttributes({ QueueUrl: url, Attributes: { Policy: '' } });
    } catch {
      // the queue is gone already
    }
  }
}

/** Tags a queue from the template's old tags to its new ones. */
function retag(
  sqs: SqsService,
  url: string,
  before: Record<string, string> | undefined,
  after: Record<string, string> | undefined,
): void {
  const removed = Object.keys(before ?? {}).filter((k) => after?.[k] === undefined);
  if (removed.length > 0) sqs.untagQueue({ QueueUrl: url, TagKeys: removed });
  if (after !== undefined) sqs.tagQueue({ QueueUrl: url, Tags: after });
}

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
