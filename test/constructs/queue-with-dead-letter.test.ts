import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  QueueEncryptionMode,
  QueueWithDeadLetter,
  type QueueWithDeadLetterProps,
} from '../../lib/constructs/queue-with-dead-letter';
import { ValidationError } from '../../lib/validation';
import { resourcesOfType, testApp } from '../helpers/cdk';

function synth(props: QueueWithDeadLetterProps = {}): {
  stack: Stack;
  construct: QueueWithDeadLetter;
  template: Template;
} {
  const stack = new Stack(testApp(), 'TestStack');
  const construct = new QueueWithDeadLetter(stack, 'Orders', props);
  return { stack, construct, template: Template.fromStack(stack) };
}

/** The logical id of the DLQ, the queue whose id says so. */
function dlqLogicalId(template: Template): string {
  const [id] = resourcesOfType(template, 'AWS::SQS::Queue').find(([id]) => id.includes('DeadLetter')) ?? [];
  if (!id) throw new Error('no dead-letter queue in template');
  return id;
}

describe('QueueWithDeadLetter defaults', () => {
  test('source queue: visibility 30 s, retention 4 days, long polling 20 s, SSE-SQS, 3 receives to the DLQ', () => {
    const { template } = synth();

    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 30,
      MessageRetentionPeriod: 4 * 24 * 3600,
      ReceiveMessageWaitTimeSeconds: 20,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqLogicalId(template), 'Arn'] },
        maxReceiveCount: 3,
      },
    });
  });

  test('dead-letter queue: 14-day retention, SSE-SQS, and a redrive allow policy naming only its source', () => {
    const { template, stack } = synth();
    const sourceName = resourcesOfType(template, 'AWS::SQS::Queue').find(
      ([, r]) => r.Properties.RedrivePolicy,
    )?.[1].Properties.QueueName;

    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
      RedriveAllowPolicy: {
        redrivePermission: 'byQueue',
        sourceQueueArns: [Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([`:${sourceName}`])] })],
      },
    });
    expect(sourceName).toMatch(/^TestStack-Orders-[A-F0-9]{8}$/);
    expect(stack.resolve(sourceName)).toBe(sourceName);
  });

  test('both queues deny every request that is not over TLS', () => {
    const { template } = synth();

    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(2);
    for (const [, policy] of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      );
    }
  });

  test('queues are retained by default: a copied construct never loses messages on stack deletion', () => {
    const { template } = synth();

    for (const [, queue] of resourcesOfType(template, 'AWS::SQS::Queue')) {
      expect(queue.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('QueueWithDeadLetter options', () => {
  test('FIFO: both queues FIFO, names ending in .fifo, content-based deduplication on the source', () => {
    const { template, construct } = synth({ queueName: 'orders.fifo', contentBasedDeduplication: true });

    expect(construct.fifo).toBe(true);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'orders.fifo',
      FifoQueue: true,
      ContentBasedDeduplication: true,
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      RedriveAllowPolicy: Match.anyValue(),
    });
  });

  test('FIFO without a name gets a generated name ending in .fifo', () => {
    const { template } = synth({ fifo: true });

    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      QueueName: Match.stringLikeRegexp('^TestStack-Orders-[A-F0-9]{8}\\.fifo$'),
    });
  });

  test('delay, wait time, size, visibility and receive count reach the template', () => {
    const { template } = synth({
      deliveryDelay: Duration.minutes(15),
      receiveMessageWaitTime: Duration.seconds(0),
      maxMessageSizeBytes: 1024,
      visibilityTimeout: Duration.hours(12),
      maxReceiveCount: 1000,
    });

    template.hasResourceProperties('AWS::SQS::Queue', {
      DelaySeconds: 900,
      ReceiveMessageWaitTimeSeconds: 0,
      MaximumMessageSize: 1024,
      VisibilityTimeout: 43_200,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 1000 }),
    });
  });

  test('KMS: a rotating key that SNS and S3 may use, encrypting both queues', () => {
    const { template } = synth({ encryption: QueueEncryptionMode.KMS, removalPolicy: RemovalPolicy.DESTROY });
    const [[keyId]] = resourcesOfType(template, 'AWS::KMS::Key');

    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: ['s3.amazonaws.com', 'sns.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    for (const [, queue] of queues) {
      expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      expect(queue.Properties.SqsManagedSseEnabled).toBeUndefined();
    }
  });

  test('a given key implies KMS encryption and no key is created', () => {
    const stack = new Stack(testApp(), 'TestStack');
    const key = kms.Key.fromKeyArn(
      stack,
      'Key',
      'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    new QueueWithDeadLetter(stack, 'Orders', { encryptionKey: key });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::KMS::Key', 0);
    template.allResourcesProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
  });

  test('allowPurge: false denies sqs:PurgeQueue on both queues to every principal', () => {
    const { template } = synth({ allowPurge: false });

    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(2);
    for (const [, policy] of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Action: 'sqs:PurgeQueue', Principal: { AWS: '*' } }),
        ]),
      );
    }
  });

  test('purging is not denied by default', () => {
    const { template } = synth();

    expect(JSON.stringify(template.findResources('AWS::SQS::QueuePolicy'))).not.toContain('sqs:PurgeQueue');
  });

  test('an existing dead-letter queue of the same kind is used instead of a new one', () => {
    const stack = new Stack(testApp(), 'TestStack');
    const dlq = new sqs.Queue(stack, 'SharedDlq', { fifo: true, enforceSSL: true });
    new QueueWithDeadLetter(stack, 'Orders', { fifo: true, deadLetterQueue: dlq });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [stack.getLogicalId(dlq.node.defaultChild as sqs.CfnQueue), 'Arn'],
        },
        maxReceiveCount: 3,
      },
    });
  });
});

describe('QueueWithDeadLetter validation', () => {
  const standardDlq = (stack: Stack) => new sqs.Queue(stack, 'StandardDlq');
  const fifoDlq = (stack: Stack) => new sqs.Queue(stack, 'FifoDlq', { fifo: true });

  test.each<[string, (stack: Stack) => QueueWithDeadLetterProps, string]>([
    [
      'visibility above 12 hours',
      () => ({ visibilityTimeout: Duration.seconds(43_201) }),
      'visibilityTimeout must be a whole number from 0 to 43,200 seconds, but 43201 was provided',
    ],
    [
      'retention under 60 s',
      () => ({ retentionPeriod: Duration.seconds(59) }),
      'retentionPeriod must be a whole number from 60 to 1,209,600 seconds, but 59 was provided',
    ],
    [
      'retention over 14 days',
      () => ({ retentionPeriod: Duration.days(15) }),
      'retentionPeriod must be a whole number from 60 to 1,209,600 seconds, but 1296000 was provided',
    ],
    [
      'DLQ retention over 14 days',
      () => ({ deadLetterRetentionPeriod: Duration.days(15) }),
      'deadLetterRetentionPeriod must be a whole number from 60 to 1,209,600 seconds',
    ],
    [
      'delay over 15 minutes',
      () => ({ deliveryDelay: Duration.seconds(901) }),
      'deliveryDelay must be a whole number from 0 to 900 seconds, but 901 was provided',
    ],
    [
      'wait time over 20 s',
      () => ({ receiveMessageWaitTime: Duration.seconds(21) }),
      'receiveMessageWaitTime must be a whole number from 0 to 20 seconds, but 21 was provided',
    ],
    [
      'fractional visibility',
      () => ({ visibilityTimeout: Duration.millis(1500) }),
      'visibilityTimeout must be a whole number from 0 to 43,200 seconds, but 1.5 was provided',
    ],
    [
      'message size under 1 KiB',
      () => ({ maxMessageSizeBytes: 1023 }),
      'maxMessageSizeBytes must be a whole number from 1,024 to 1,048,576 bytes, but 1023 was provided',
    ],
    [
      'message size over 1 MiB',
      () => ({ maxMessageSizeBytes: 1_048_577 }),
      'maxMessageSizeBytes must be a whole number from 1,024 to 1,048,576 bytes, but 1048577 was provided',
    ],
    [
      'maxReceiveCount 0',
      () => ({ maxReceiveCount: 0 }),
      'maxReceiveCount must be a whole number from 1 to 1,000 receives, but 0 was provided',
    ],
    [
      'maxReceiveCount 1001',
      () => ({ maxReceiveCount: 1001 }),
      'maxReceiveCount must be a whole number from 1 to 1,000 receives, but 1001 was provided',
    ],
    [
      'FIFO name without .fifo',
      () => ({ fifo: true, queueName: 'orders' }),
      "queueName of a FIFO queue must end in .fifo, but 'orders' was provided",
    ],
    [
      'standard name with .fifo',
      () => ({ fifo: false, queueName: 'orders.fifo' }),
      "queueName ends in .fifo but the queue is not FIFO (fifo: false), in 'orders.fifo'",
    ],
    [
      'FIFO DLQ name without .fifo',
      () => ({ fifo: true, deadLetterQueueName: 'orders-dlq' }),
      "deadLetterQueueName of a FIFO queue must end in .fifo, but 'orders-dlq' was provided",
    ],
    [
      'bad characters in a name',
      () => ({ queueName: 'my queue!' }),
      "queueName must be 1 to 80 characters of letters, digits, hyphens and underscores (FIFO names end in .fifo), but 'my queue!' was provided",
    ],
    [
      'name over 80 characters',
      () => ({ queueName: 'q'.repeat(81) }),
      'queueName must be 1 to 80 characters',
    ],
    [
      'FIFO source with a standard DLQ',
      (s) => ({ fifo: true, deadLetterQueue: standardDlq(s) }),
      'a FIFO queue needs a FIFO dead-letter queue, but TestStack/StandardDlq is a standard queue',
    ],
    [
      'standard source with a FIFO DLQ',
      (s) => ({ deadLetterQueue: fifoDlq(s) }),
      'a standard queue needs a standard dead-letter queue, but TestStack/FifoDlq is a FIFO queue',
    ],
    [
      'DLQ name with an existing DLQ',
      (s) => ({ deadLetterQueue: standardDlq(s), deadLetterQueueName: 'x' }),
      'deadLetterQueueName cannot be set together with deadLetterQueue',
    ],
    [
      'content-based dedup on a standard queue',
      () => ({ contentBasedDeduplication: true }),
      'contentBasedDeduplication applies to FIFO queues only',
    ],
    [
      'DLQ retention not longer than the source',
      () => ({ retentionPeriod: Duration.days(14) }),
      'deadLetterRetentionPeriod (1209600 seconds) must be longer than retentionPeriod (1209600 seconds)',
    ],
    [
      'a key with SQS-managed encryption',
      (s) => ({ encryption: QueueEncryptionMode.SQS_MANAGED, encryptionKey: new kms.Key(s, 'K') }),
      'encryptionKey is set but encryption is SQS_MANAGED',
    ],
  ])('rejects %s', (_rule, props, message) => {
    const stack = new Stack(testApp(), 'TestStack');

    expect(() => new QueueWithDeadLetter(stack, 'Orders', props(stack))).toThrow(message);
  });

  test('reports every invalid prop in one error naming the construct', () => {
    const stack = new Stack(testApp(), 'TestStack');

    let error: unknown;
    try {
      new QueueWithDeadLetter(stack, 'Orders', {
        visibilityTimeout: Duration.hours(13),
        deliveryDelay: Duration.minutes(16),
        maxReceiveCount: 0,
      });
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(
      /^QueueWithDeadLetter 'TestStack\/Orders' is invalid \(3 problems\)/,
    );
    expect((error as ValidationError).problems).toEqual([
      expect.stringContaining('visibilityTimeout'),
      expect.stringContaining('deliveryDelay'),
      expect.stringContaining('maxReceiveCount'),
    ]);
  });
});
