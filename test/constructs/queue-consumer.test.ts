import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QueueConsumer, type QueueConsumerProps } from '../../lib/constructs/queue-consumer';
import {
  type IQueueWithDeadLetter,
  QueueWithDeadLetter,
  type QueueWithDeadLetterProps,
} from '../../lib/constructs/queue-with-dead-letter';
import { ValidationError } from '../../lib/validation';
import { resourcesOfType, testApp } from '../helpers/cdk';

const ENTRY = `${__dirname}/../../lambda/consumer/index.ts`;

function consumerStack(
  props: Partial<QueueConsumerProps> = {},
  queueProps: QueueWithDeadLetterProps = { visibilityTimeout: Duration.seconds(180) },
) {
  const stack = new Stack(testApp(), 'TestStack');
  const source = new QueueWithDeadLetter(stack, 'Orders', queueProps);
  const consumer = new QueueConsumer(stack, 'Consumer', { entry: ENTRY, source, ...props });
  return { stack, source, consumer, template: Template.fromStack(stack) };
}

/** Two queues made outside this app, handed to a consumer through the interface alone. */
class ExistingQueues extends Construct implements IQueueWithDeadLetter {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly fifo = false;
  readonly visibilityTimeout = Duration.minutes(3);
  readonly maxReceiveCount = 5;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
    this.queue = sqs.Queue.fromQueueArn(this, 'Queue', arn('orders'));
    this.deadLetterQueue = sqs.Queue.fromQueueArn(this, 'DeadLetterQueue', arn('orders-dlq'));
  }
}

describe('QueueConsumer', () => {
  test('maps the queue to the function with ReportBatchItemFailures, batch size, window and concurrency', () => {
    const { template, stack, source } = consumerStack({
      batchSize: 25,
      maxBatchingWindow: Duration.seconds(2),
      maxConcurrency: 4,
    });

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [stack.getLogicalId(source.queue.node.defaultChild as never), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 2,
      ScalingConfig: { MaximumConcurrency: 4 },
    });
  });

  test('defaults to batches of 10 on the current Node.js runtime, with its own log group', () => {
    const { template } = consumerStack();

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 30,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^ConsumerLogGroup') } },
    });
  });

  test('its role has no managed policy and may only consume its queue and write its log group', () => {
    const { template } = consumerStack();

    const roles = resourcesOfType(template, 'AWS::IAM::Role');
    expect(roles).toHaveLength(1);
    expect(roles[0][1].Properties.ManagedPolicyArns).toBeUndefined();
    const [[, policy]] = resourcesOfType(template, 'AWS::IAM::Policy');
    const actions = policy.Properties.PolicyDocument.Statement.flatMap(
      (s: { Action: string | string[] }) => s.Action,
    );
    expect(actions.sort()).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
      ].sort(),
    );
  });

  test('alarms as soon as the dead-letter queue holds one message, notifying the given action', () => {
    const stack = new Stack(testApp(), 'TestStack');
    const source = new QueueWithDeadLetter(stack, 'Orders', { visibilityTimeout: Duration.seconds(180) });
    const topic = new sns.Topic(stack, 'Alarms');
    new QueueConsumer(stack, 'Consumer', {
      entry: ENTRY,
      source,
      alarmAction: new cwActions.SnsAction(topic),
    });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [
              stack.getLogicalId(source.deadLetterQueue.node.defaultChild as never),
              'QueueName',
            ],
          },
        },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as never) }],
    });
  });

  test('consumes any IQueueWithDeadLetter, such as a pair of queues that already exist', () => {
    const stack = new Stack(testApp(), 'TestStack', {
      env: { account: '123456789012', region: 'us-east-1' },
    });
    const source = new ExistingQueues(stack, 'Orders');

    new QueueConsumer(stack, 'Consumer', { entry: ENTRY, source });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:orders',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('failed 5 times'),
      Dimensions: [{ Name: 'QueueName', Value: 'orders-dlq' }],
    });
    expect(resourcesOfType(template, 'AWS::SQS::Queue')).toEqual([]);
  });

  test('accepts a visibility timeout of exactly 6 × the function timeout', () => {
    expect(() =>
      consumerStack({ timeout: Duration.seconds(10) }, { visibilityTimeout: Duration.seconds(60) }),
    ).not.toThrow();
  });
});

describe('QueueConsumer validation', () => {
  test.each<[string, Partial<QueueConsumerProps>, QueueWithDeadLetterProps, string]>([
    [
      'a visibility timeout under 6 × the function timeout',
      { timeout: Duration.seconds(30) },
      { visibilityTimeout: Duration.seconds(179) },
      "the queue's visibility timeout (179 seconds) must be at least 6 × the function timeout (30 seconds) = 180 seconds",
    ],
    [
      'the default 30 s visibility with the default 30 s timeout',
      {},
      {},
      "the queue's visibility timeout (30 seconds) must be at least 6 × the function timeout (30 seconds) = 180 seconds",
    ],
    [
      'a FIFO batch over 10',
      { batchSize: 11 },
      { fifo: true, visibilityTimeout: Duration.seconds(180) },
      'batchSize (FIFO queue) must be a whole number from 1 to 10 records, but 11 was provided',
    ],
    [
      'a standard batch over 10,000',
      { batchSize: 10_001, maxBatchingWindow: Duration.seconds(1) },
      { visibilityTimeout: Duration.seconds(180) },
      'batchSize must be a whole number from 1 to 10,000 records, but 10001 was provided',
    ],
    [
      'a batch over 10 without a batching window',
      { batchSize: 11 },
      { visibilityTimeout: Duration.seconds(180) },
      'batchSize 11 is above 10, so maxBatchingWindow must be at least 1 second',
    ],
    [
      'a batching window over 300 s',
      { maxBatchingWindow: Duration.seconds(301) },
      { visibilityTimeout: Duration.seconds(180) },
      'maxBatchingWindow must be a whole number from 0 to 300 seconds, but 301 was provided',
    ],
    [
      'a batching window on a FIFO queue',
      { maxBatchingWindow: Duration.seconds(1) },
      { fifo: true, visibilityTimeout: Duration.seconds(180) },
      'maxBatchingWindow is not supported for FIFO queues',
    ],
    [
      'maximum concurrency 1',
      { maxConcurrency: 1 },
      { visibilityTimeout: Duration.seconds(180) },
      'maxConcurrency must be a whole number from 2 to 1,000 invocations, but 1 was provided',
    ],
    [
      'a timeout over 15 minutes',
      { timeout: Duration.seconds(901) },
      { visibilityTimeout: Duration.hours(12) },
      'timeout must be a whole number from 1 to 900 seconds, but 901 was provided',
    ],
  ])('rejects %s', (_rule, props, queueProps, message) => {
    expect(() => consumerStack(props, queueProps)).toThrow(message);
  });

  test('reports every problem at once', () => {
    let error: unknown;
    try {
      consumerStack({ batchSize: 0, maxConcurrency: 1001 }, {});
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toHaveLength(3);
    expect((error as ValidationError).message).toMatch(/^QueueConsumer 'TestStack\/Consumer' is invalid/);
  });
});
