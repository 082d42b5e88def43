import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Problems } from '../validation';
import { acknowledgeNagRule } from './nag-acknowledgment';
import { denyPurge, type IQueueWithDeadLetter, SQS_LIMITS } from './queue-with-dead-letter';

/** What a filter policy is matched against. */
export enum FilterPolicyScope {
  /** The message attributes (AWS's default): policies are flat, one key per attribute. */
  MESSAGE_ATTRIBUTES = 'MessageAttributes',
  /** The JSON message body: keys may nest to reach nested properties. */
  MESSAGE_BODY = 'MessageBody',
}

/**
 * An SNS filter policy as AWS takes it: each key holds an array of match rules (`["car", "boat"]`,
 * `[{"numeric": [">=", 100000]}]`), or, in the MessageBody scope, a nested policy for a nested property.
 */
export interface FilterPolicy {
  readonly [key: string]: readonly unknown[] | FilterPolicy;
}

/** Properties of a {@link QueueSubscription}. */
export interface QueueSubscriptionProps {
  /** The topic whose messages the queue receives. */
  readonly topic: sns.ITopic;
  /** The queue that receives them; a FIFO queue needs a FIFO topic. */
  readonly subscriber: IQueueWithDeadLetter;
  /** Only messages that match this policy are delivered (at most 5 keys and 150 combinations). @default every message */
  readonly filterPolicy?: FilterPolicy;
  /** What the filter policy is matched against. @default FilterPolicyScope.MESSAGE_ATTRIBUTES */
  readonly filterPolicyScope?: FilterPolicyScope;
  /** Deliver the published message as is, attributes as SQS message attributes, without the SNS JSON envelope. @default false */
  readonly rawMessageDelivery?: boolean;
  /** Where SNS puts messages it could not deliver (RedrivePolicy); its kind must match the topic's. @default a new queue */
  readonly deadLetterQueue?: sqs.IQueue;
  /** How long the created subscription dead-letter queue keeps a message (60 s – 14 days). @default Duration.days(14) */
  readonly deadLetterRetentionPeriod?: Duration;
  /** Whether PurgeQueue is allowed on the created dead-letter queue; false denies it to every principal. @default true */
  readonly allowPurge?: boolean;
  /** What happens to the created dead-letter queue when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** AWS limits of a subscription filter policy. */
export const FILTER_POLICY_LIMITS = {
  /** Keys that hold match rules. */
  keys: 5,
  /** The product of the rule counts, each weighted by its nesting depth. */
  combinations: 150,
} as const;

const SNS_PRINCIPAL = 'sns.amazonaws.com';

/**
 * Subscribes a queue and its dead-letter queue (an {@link IQueueWithDeadLetter}) to an SNS topic, with an
 * optional filter policy, raw message delivery, and a subscription dead-letter queue for messages SNS cannot
 * deliver (for example when the queue is gone or its key refuses SNS). Only this topic, in this account, may
 * send to the queues: the queue policies are conditioned on aws:SourceArn and aws:SourceAccount; the KMS key
 * lets SNS of this account use it.
 */
export class QueueSubscription extends Construct {
  /** The SNS subscription. */
  readonly subscription: sns.CfnSubscription;
  /** The subscription's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;

  constructor(scope: Construct, id: string, props: QueueSubscriptionProps) {
    super(scope, id);
    validateQueueSubscriptionProps(props).throwIfAny(`QueueSubscription '${this.node.path}'`);
    const { topic, subscriber } = props;

    this.deadLetterQueue = props.deadLetterQueue ?? this.createDeadLetterQueue(props);
    const queues = [subscriber.queue, this.deadLetterQueue];
    for (const queue of queues) {
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal(SNS_PRINCIPAL)],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: {
            ArnEquals: { 'aws:SourceArn': topic.topicArn },
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          },
        }),
      );
    }
    const keys = new Set<kms.IKey>();
    for (const key of [subscriber.encryptionKey, this.deadLetterQueue.encryptionMasterKey]) {
      if (key) keys.add(key);
    }
    // AWS: SNS encrypts what it sends to an SSE-KMS queue with the queue's key, so the key must trust SNS.
    // Scoped to this account, not the topic: a key that also encrypts the topic cannot name the topic's ARN
    // (a cycle); the queue policies above already admit this topic only.
    for (const key of keys) {
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowSnsToSendEncryptedMessages',
          principals: [new iam.ServicePrincipal(SNS_PRINCIPAL)],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
        }),
      );
    }

    this.subscription = new sns.CfnSubscription(this, 'Resource', {
      topicArn: topic.topicArn,
      protocol: sns.SubscriptionProtocol.SQS,
      endpoint: subscriber.queue.queueArn,
      filterPolicy: props.filterPolicy,
      filterPolicyScope: props.filterPolicy
        ? (props.filterPolicyScope ?? FilterPolicyScope.MESSAGE_ATTRIBUTES)
        : undefined,
      rawMessageDelivery: props.rawMessageDelivery,
      redrivePolicy: { deadLetterTargetArn: this.deadLetterQueue.queueArn },
    });
    // Messages published before the queue policies exist would be refused: subscribe after them.
    for (const queue of queues) this.subscription.node.addDependency(queue);
  }

  /** A queue of the topic's kind, encrypted like the subscriber, TLS-only, that keeps failures 14 days. */
  private createDeadLetterQueue(props: QueueSubscriptionProps): sqs.Queue {
    const key = props.subscriber.encryptionKey;
    const queue = new sqs.Queue(this, 'DeadLetterQueue', {
      fifo: props.topic.fifo || undefined,
      retentionPeriod: props.deadLetterRetentionPeriod ?? Duration.days(14),
      enforceSSL: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(key
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
    });
    if (props.allowPurge === false) denyPurge(queue);
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: `This queue is the dead-letter queue of the SNS subscription ${this.node.path} (its RedrivePolicy), which cdk-nag only recognizes on SQS queues and Lambda functions; a dead-letter queue of a dead-letter queue would only move the problem`,
    });
    acknowledgeNagRule(
      queue,
      'SQSRedrivePolicy',
      `This is the dead-letter queue of the SNS subscription ${this.node.path}, and a dead-letter queue needs no redrive policy of its own: what SNS could not deliver waits here to be inspected and redriven`,
    );
    return queue;
  }
}

/** Checks the subscription against AWS's rules for filter policies, FIFO topics and dead-letter queues. */
export function validateQueueSubscriptionProps(props: QueueSubscriptionProps): Problems {
  const problems = new Problems();
  const scope = props.filterPolicyScope ?? FilterPolicyScope.MESSAGE_ATTRIBUTES;
  if (props.filterPolicyScope !== undefined && props.filterPolicy === undefined) {
    problems.add('filterPolicyScope is set but there is no filterPolicy for it to apply to');
  }
  if (props.filterPolicy !== undefined) checkFilterPolicy(problems, props.filterPolicy, scope);

  if (props.subscriber.fifo && !props.topic.fifo) {
    problems.add(
      `a FIFO queue can only subscribe to a FIFO topic, but ${props.topic.node.path} is a standard topic`,
    );
  }
  const dlq = props.deadLetterQueue;
  if (dlq && dlq.fifo !== props.topic.fifo) {
    problems.add(
      props.topic.fifo
        ? `a subscription to a FIFO topic needs a FIFO dead-letter queue, but ${dlq.node.path} is a standard queue`
        : `a subscription to a standard topic needs a standard dead-letter queue, but ${dlq.node.path} is a FIFO queue`,
    );
  }
  if (dlq && props.deadLetterRetentionPeriod !== undefined) {
    problems.add(
      'deadLetterRetentionPeriod cannot be set together with deadLetterQueue: the queue already exists',
    );
  }
  problems.durationRange(
    'deadLetterRetentionPeriod',
    props.deadLetterRetentionPeriod,
    SQS_LIMITS.retentionPeriod,
  );
  return problems;
}

/** AWS's rules for a filter policy: match-rule arrays (nested only in the MessageBody scope), keys, combinations. */
function checkFilterPolicy(problems: Problems, policy: FilterPolicy, scope: FilterPolicyScope): void {
  let keys = 0;
  let combinations = 1;
  const walk = (node: FilterPolicy, path: string, depth: number) => {
    for (const [key, value] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      if (Array.isArray(value)) {
        keys++;
        combinations *= value.length * depth;
        problems.check(
          value.length === 0,
          () => `filterPolicy.${at} is an empty array: list at least one rule`,
        );
      } else if (isPolicy(value)) {
        problems.check(
          scope === FilterPolicyScope.MESSAGE_ATTRIBUTES,
          () =>
            `filterPolicy.${at} is nested, which only the MessageBody scope allows: message attributes are flat`,
        );
        walk(value, at, depth + 1);
      } else {
        problems.add(
          `filterPolicy.${at} must be an array of match rules or a nested policy, but it is ${JSON.stringify(value)}`,
        );
      }
    }
  };
  walk(policy, '', 1);
  problems.check(keys === 0, () => 'filterPolicy has no key: leave it out to receive every message');
  problems.check(
    keys > FILTER_POLICY_LIMITS.keys,
    () => `filterPolicy has ${keys} keys, but AWS allows at most ${FILTER_POLICY_LIMITS.keys}`,
  );
  problems.check(
    combinations > FILTER_POLICY_LIMITS.combinations,
    () =>
      `filterPolicy has ${combinations} combinations of values, but AWS allows at most ${FILTER_POLICY_LIMITS.combinations}`,
  );
}

function isPolicy(value: unknown): value is FilterPolicy {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
