import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  FilterPolicyScope,
  QueueSubscription,
  type QueueSubscriptionProps,
} from '../../lib/constructs/queue-subscription';
import {
  QueueEncryptionMode,
  QueueWithDeadLetter,
  type QueueWithDeadLetterProps,
} from '../../lib/constructs/queue-with-dead-letter';
import { ValidationError } from '../../lib/validation';
import { projectContext, resourcesOfType, testApp } from '../helpers/cdk';

interface Options {
  topic?: sns.TopicProps;
  queue?: QueueWithDeadLetterProps;
  subscription?: Partial<QueueSubscriptionProps>;
}

function subscriptionStack({ topic: topicProps = {}, queue = {}, subscription = {} }: Options = {}) {
  const stack = new Stack(testApp(), 'TestStack');
  const topic = new sns.Topic(stack, 'Quotes', topicProps);
  const subscriber = new QueueWithDeadLetter(stack, 'Sales', queue);
  const construct = new QueueSubscription(stack, 'SalesSubscription', { topic, subscriber, ...subscription });
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return { stack, topic, subscriber, construct, id, template: Template.fromStack(stack) };
}

function problemsOf(build: () => unknown): readonly string[] {
  try {
    build();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

/** The problems a subscription with these props reports (the topic and queue themselves are valid). */
function subscriptionProblems(options: Options): readonly string[] {
  return problemsOf(() => subscriptionStack(options));
}

describe('QueueSubscription', () => {
  test('subscribes the queue over SQS with its filter policy, scope and raw delivery', () => {
    const { template, topic, subscriber, construct, id } = subscriptionStack({
      subscription: {
        filterPolicy: { coverage: { amount: [{ numeric: ['>=', 100_000] }] } },
        filterPolicyScope: FilterPolicyScope.MESSAGE_BODY,
        rawMessageDelivery: true,
      },
    });

    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: { Ref: id(topic) },
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': [id(subscriber.queue), 'Arn'] },
      FilterPolicy: { coverage: { amount: [{ numeric: ['>=', 100_000] }] } },
      FilterPolicyScope: 'MessageBody',
      RawMessageDelivery: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [id(construct.deadLetterQueue), 'Arn'] } },
    });
  });

  test('a filter policy defaults to the MessageAttributes scope; no filter means no scope and every message', () => {
    const filtered = subscriptionStack({ subscription: { filterPolicy: { type: ['car', 'boat'] } } });
    const unfiltered = subscriptionStack();

    filtered.template.hasResourceProperties('AWS::SNS::Subscription', {
      FilterPolicy: { type: ['car', 'boat'] },
      FilterPolicyScope: 'MessageAttributes',
    });
    unfiltered.template.hasResourceProperties('AWS::SNS::Subscription', {
      FilterPolicy: Match.absent(),
      FilterPolicyScope: Match.absent(),
      RawMessageDelivery: Match.absent(),
    });
  });

  test('only this topic of this account may send to the queue and to the subscription DLQ', () => {
    const { template, topic, subscriber, construct, id } = subscriptionStack();

    for (const queue of [subscriber.queue, construct.deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id(queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::GetAtt': [id(queue), 'Arn'] },
              Condition: {
                ArnEquals: { 'aws:SourceArn': { Ref: id(topic) } },
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              },
            },
          ]),
        },
      });
    }
  });

  test('subscribes only once both queue policies exist, so no early message is refused', () => {
    const { template, subscriber, construct, stack } = subscriptionStack();

    const [[, subscription]] = resourcesOfType(template, 'AWS::SNS::Subscription');
    const policyId = (queue: sqs.IQueue) =>
      stack.getLogicalId(queue.node.findChild('Policy').node.defaultChild as never);
    expect(subscription.DependsOn).toEqual(
      expect.arrayContaining([policyId(subscriber.queue), policyId(construct.deadLetterQueue)]),
    );
  });

  test('a KMS subscriber: the key lets SNS of this account encrypt, and the subscription DLQ uses the same key', () => {
    const { template, subscriber, construct, id } = subscriptionStack({
      queue: { encryption: QueueEncryptionMode.KMS },
    });
    const keyId = id(subscriber.encryptionKey as kms.Key);

    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowSnsToSendEncryptedMessages',
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]),
      },
    });
    expect(template.toJSON().Resources[id(construct.deadLetterQueue)].Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  test('an SSE-SQS subscriber gets an SSE-SQS, TLS-only subscription DLQ that keeps messages 14 days', () => {
    const { template, construct, id } = subscriptionStack();

    expect(template.toJSON().Resources[id(construct.deadLetterQueue)].Properties).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id(construct.deadLetterQueue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  test('a FIFO topic gets a FIFO subscription DLQ', () => {
    const { template, construct, id } = subscriptionStack({
      topic: { fifo: true },
      queue: { fifo: true },
    });

    expect(template.toJSON().Resources[id(construct.deadLetterQueue)].Properties.FifoQueue).toBe(true);
  });

  test('allowPurge: false denies PurgeQueue on the created subscription DLQ', () => {
    const { template, construct, id } = subscriptionStack({ subscription: { allowPurge: false } });

    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id(construct.deadLetterQueue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'DenyPurge', Effect: 'Deny', Action: 'sqs:PurgeQueue' }),
        ]),
      },
    });
  });

  test('uses a given dead-letter queue instead of creating one', () => {
    const stack = new Stack(testApp(), 'TestStack');
    const topic = new sns.Topic(stack, 'Quotes');
    const failures = new sqs.Queue(stack, 'DeliveryFailures', { enforceSSL: true });
    const subscription = new QueueSubscription(stack, 'Sub', {
      topic,
      subscriber: new QueueWithDeadLetter(stack, 'Sales'),
      deadLetterQueue: failures,
    });

    expect(subscription.deadLetterQueue).toBe(failures);
    Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 3);
  });

  test("cdk-nag: the created DLQ is acknowledged for SQS3 (SNS's redrive is invisible to the rule), nothing else", () => {
    // Prepare: the real synth path (CDK validation with the AwsSolutions pack), and beside the subscription
    // a queue that really has no DLQ, to show the rule fires.
    const outdir = mkdtempSync(path.join(tmpdir(), 'queue-subscription-nag-'));
    const app = new App({ outdir, context: projectContext() });
    const stack = new Stack(app, 'TestStack');
    new QueueSubscription(stack, 'SalesSubscription', {
      topic: new sns.Topic(stack, 'Quotes', { enforceSSL: true }),
      subscriber: new QueueWithDeadLetter(stack, 'Sales'),
    });
    new sqs.Queue(stack, 'Orphan', { enforceSSL: true });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act
    expect(() => app.synth()).toThrow();
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    rmSync(outdir, { recursive: true, force: true });

    // Assess
    type Report = {
      violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
    };
    const flagged: string[] = report.pluginReports.flatMap((p: Report) =>
      p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`)),
    );
    expect(flagged).toEqual(['AwsSolutions-SQS3 TestStack/Orphan/Resource']);
  });
});

describe('QueueSubscription validation', () => {
  test('filterPolicyScope needs a filterPolicy', () => {
    expect(
      subscriptionProblems({ subscription: { filterPolicyScope: FilterPolicyScope.MESSAGE_BODY } }),
    ).toEqual(['filterPolicyScope is set but there is no filterPolicy for it to apply to']);
  });

  test('nested keys only in the MessageBody scope', () => {
    expect(subscriptionProblems({ subscription: { filterPolicy: { coverage: { amount: [1] } } } })).toEqual([
      'filterPolicy.coverage is nested, which only the MessageBody scope allows: message attributes are flat',
    ]);
  });

  test('a key holds at least one rule', () => {
    expect(subscriptionProblems({ subscription: { filterPolicy: { type: [] } } })).toEqual([
      'filterPolicy.type is an empty array: list at least one rule',
    ]);
  });

  test('a key holds an array of rules or a nested policy', () => {
    const filterPolicy = { type: 'car' } as never;

    expect(subscriptionProblems({ subscription: { filterPolicy } })).toEqual([
      'filterPolicy.type must be an array of match rules or a nested policy, but it is "car"',
      'filterPolicy has no key: leave it out to receive every message',
    ]);
  });

  test('an empty policy is refused: leaving it out means every message', () => {
    expect(subscriptionProblems({ subscription: { filterPolicy: {} } })).toEqual([
      'filterPolicy has no key: leave it out to receive every message',
    ]);
  });

  test('at most 5 keys, counting the nested keys that hold rules (here 4 at the top, 6 in all)', () => {
    const filterPolicy = { a: ['1'], b: ['1'], c: ['1'], d: { e: ['1'], f: ['1'], g: ['1'] } };

    expect(
      subscriptionProblems({
        subscription: { filterPolicy, filterPolicyScope: FilterPolicyScope.MESSAGE_BODY },
      }),
    ).toEqual(['filterPolicy has 6 keys, but AWS allows at most 5']);
  });

  test('at most 150 combinations, nested rules weighted by their depth', () => {
    // 5 × 6 × (3 × 2) = 180 > 150; the same without nesting would be 90.
    const filterPolicy = {
      a: ['1', '2', '3', '4', '5'],
      b: ['1', '2', '3', '4', '5', '6'],
      c: { d: ['1', '2', '3'] },
    };

    expect(
      subscriptionProblems({
        subscription: { filterPolicy, filterPolicyScope: FilterPolicyScope.MESSAGE_BODY },
      }),
    ).toEqual(['filterPolicy has 180 combinations of values, but AWS allows at most 150']);
  });

  test('a FIFO queue needs a FIFO topic', () => {
    expect(subscriptionProblems({ queue: { fifo: true } })).toEqual([
      'a FIFO queue can only subscribe to a FIFO topic, but TestStack/Quotes is a standard topic',
    ]);
  });

  test("the given dead-letter queue is of the topic's kind", () => {
    const problems = problemsOf(() => {
      const stack = new Stack(testApp(), 'TestStack');
      new QueueSubscription(stack, 'Sub', {
        topic: new sns.Topic(stack, 'Orders', { fifo: true }),
        subscriber: new QueueWithDeadLetter(stack, 'Billing', { fifo: true }),
        deadLetterQueue: new sqs.Queue(stack, 'Standard'),
      });
    });

    expect(problems).toEqual([
      'a subscription to a FIFO topic needs a FIFO dead-letter queue, but TestStack/Standard is a standard queue',
    ]);
  });

  test('no retention for a dead-letter queue that already exists', () => {
    const problems = problemsOf(() => {
      const stack = new Stack(testApp(), 'TestStack');
      new QueueSubscription(stack, 'Sub', {
        topic: new sns.Topic(stack, 'Quotes'),
        subscriber: new QueueWithDeadLetter(stack, 'Sales'),
        deadLetterQueue: new sqs.Queue(stack, 'Failures'),
        deadLetterRetentionPeriod: Duration.days(7),
      });
    });

    expect(problems).toEqual([
      'deadLetterRetentionPeriod cannot be set together with deadLetterQueue: the queue already exists',
    ]);
  });

  test("the created dead-letter queue's retention is within SQS's limits", () => {
    expect(subscriptionProblems({ subscription: { deadLetterRetentionPeriod: Duration.days(15) } })).toEqual([
      'deadLetterRetentionPeriod must be a whole number from 60 to 1,209,600 seconds, but 1296000 was provided',
    ]);
  });

  test('reports every problem at once, naming the construct', () => {
    expect(() =>
      subscriptionStack({
        queue: { fifo: true },
        subscription: { filterPolicy: { type: [], nested: { a: ['1'] } } },
      }),
    ).toThrow(
      new ValidationError("QueueSubscription 'TestStack/SalesSubscription'", [
        'filterPolicy.type is an empty array: list at least one rule',
        'filterPolicy.nested is nested, which only the MessageBody scope allows: message attributes are flat',
        'a FIFO queue can only subscribe to a FIFO topic, but TestStack/Quotes is a standard topic',
      ]),
    );
  });
});
