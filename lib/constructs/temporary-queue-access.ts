import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  IDLE_QUEUE_RETENTION_PERIOD_TAG,
  LAST_HEARTBEAT_TIMESTAMP_TAG,
} from '../../lambda/shared/temporary-queues/protocol';
import { Problems } from '../validation';

/** Properties of a {@link TemporaryQueueAccess}. */
export interface TemporaryQueueAccessProps {
  /** Start of every host queue's name (a UUID follows): 1-43 letters, digits, '-' or '_'. */
  readonly hostQueueNamePrefix: string;
  /** The tag every host queue is created with and every grant requires (aws:RequestTag / aws:ResourceTag). */
  readonly ownerTag: { readonly key: string; readonly value: string };
  /** The queue requesters send their requests to. */
  readonly requestQueue: sqs.IQueue;
}

const HOST_QUEUE_PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,43}$/;
/** SQS tag keys: 1-128 characters; the `aws:` prefix is reserved. */
const TAG_KEY_PATTERN = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

/**
 * The IAM of request-response over temporary queues: a managed policy for requesters, letting them send requests
 * and create, heartbeat, read and delete only host queues under the name prefix that carry the owner tag (tagged
 * at creation: aws:RequestTag), and list host queues to sweep them; {@link grantReply} lets a responder send only
 * to such host queues (aws:ResourceTag).
 */
export class TemporaryQueueAccess extends Construct {
  /** Attach to whoever sends requests (a role, a user, a group). */
  readonly requesterPolicy: iam.ManagedPolicy;
  readonly hostQueueNamePrefix: string;
  readonly ownerTag: TemporaryQueueAccessProps['ownerTag'];
  private readonly hostQueueArns: string;

  constructor(scope: Construct, id: string, props: TemporaryQueueAccessProps) {
    super(scope, id);
    validateTemporaryQueueAccessProps(props).throwIfAny(`TemporaryQueueAccess '${this.node.path}'`);
    this.hostQueueNamePrefix = props.hostQueueNamePrefix;
    this.ownerTag = props.ownerTag;
    this.hostQueueArns = `arn:${Aws.PARTITION}:sqs:${Aws.REGION}:${Aws.ACCOUNT_ID}:${props.hostQueueNamePrefix}*`;
    const { key, value } = props.ownerTag;
    const owned = { StringEquals: { [`aws:ResourceTag/${key}`]: value } };
    this.requesterPolicy = new iam.ManagedPolicy(this, 'RequesterPolicy', {
      description: `Requesters of ${props.requestQueue.node.path}: send requests, own host queues ${props.hostQueueNamePrefix}*`,
      statements: [
        new iam.PolicyStatement({
          sid: 'SendRequests',
          actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
          resources: [props.requestQueue.queueArn],
        }),
        new iam.PolicyStatement({
          sid: 'CreateTaggedHostQueues',
          // AWS: CreateQueue with tags is also authorized as sqs:TagQueue
          actions: ['sqs:CreateQueue', 'sqs:TagQueue'],
          resources: [this.hostQueueArns],
          conditions: {
            StringEquals: { [`aws:RequestTag/${key}`]: value },
            'ForAllValues:StringEquals': {
              'aws:TagKeys': [key, IDLE_QUEUE_RETENTION_PERIOD_TAG, LAST_HEARTBEAT_TIMESTAMP_TAG],
            },
          },
        }),
        new iam.PolicyStatement({
          sid: 'Heartbeat',
          actions: ['sqs:TagQueue'],
          resources: [this.hostQueueArns],
          conditions: {
            ...owned,
            'ForAllValues:StringEquals': { 'aws:TagKeys': [LAST_HEARTBEAT_TIMESTAMP_TAG] },
          },
        }),
        new iam.PolicyStatement({
          sid: 'UseAndSweepOwnedHostQueues',
          actions: [
            'sqs:ReceiveMessage',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:ListQueueTags',
            'sqs:DeleteQueue',
          ],
          resources: [this.hostQueueArns],
          conditions: owned,
        }),
        new iam.PolicyStatement({
          sid: 'FindHostQueues',
          // AWS: ListQueues supports no resource-level permissions
          actions: ['sqs:ListQueues'],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(this.requesterPolicy).acknowledge(
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:${props.hostQueueNamePrefix}*]`,
        reason: `Host queues are created at run time with a random name under ${props.hostQueueNamePrefix}: the grant is that prefix, and each statement also requires the ${key} tag`,
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'sqs:ListQueues alone, which supports no resource-level permission: the sweeper lists the host queue prefix',
      },
    );
  }

  /** Lets `grantee` send replies to the host queues (and only to those carrying the owner tag). */
  grantReply(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['sqs:SendMessage'],
      resourceArns: [this.hostQueueArns],
      conditions: { StringEquals: { [`aws:ResourceTag/${this.ownerTag.key}`]: this.ownerTag.value } },
    });
    const policy = grant.principalStatements.length > 0 ? grantee.grantPrincipal : undefined;
    if (policy instanceof iam.Role) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:${this.hostQueueNamePrefix}*]`,
        reason: `Replies go to host queues created at run time under ${this.hostQueueNamePrefix}, and only to those carrying the ${this.ownerTag.key} tag`,
      });
    }
    return grant;
  }
}

/** Checks the prefix and the owner tag, every problem at once. */
export function validateTemporaryQueueAccessProps(props: TemporaryQueueAccessProps): Problems {
  const problems = new Problems();
  checkHostQueueNamePrefix(problems, props.hostQueueNamePrefix);
  problems.check(
    !TAG_KEY_PATTERN.test(props.ownerTag.key),
    () =>
      `ownerTag.key must be 1-128 characters, not starting with 'aws:', but '${props.ownerTag.key}' was provided`,
  );
  problems.check(
    props.ownerTag.value.length < 1 || props.ownerTag.value.length > 256,
    () => `ownerTag.value must be 1-256 characters, but it has ${props.ownerTag.value.length}`,
  );
  return problems;
}

/** Records a problem when `prefix` leaves no room for the UUID in a queue name, or holds what names may not. */
export function checkHostQueueNamePrefix(problems: Problems, prefix: string): void {
  problems.check(
    !HOST_QUEUE_PREFIX_PATTERN.test(prefix),
    () =>
      `hostQueueNamePrefix must be 1-43 letters, digits, '-' or '_' (a UUID follows it in an 80-character queue name), but '${prefix}' was provided`,
  );
}
