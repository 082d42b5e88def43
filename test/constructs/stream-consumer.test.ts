import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EncryptedStream } from '../../lib/constructs/encrypted-stream';
import { QueueWithDeadLetter } from '../../lib/constructs/queue-with-dead-letter';
import { StreamConsumer, type StreamConsumerProps } from '../../lib/constructs/stream-consumer';
import { ValidationError } from '../../lib/validation';
import { resourcesOfType, testApp } from '../helpers/cdk';

const ENTRY = `${__dirname}/../../lambda/clickstream-consumer/index.ts`;

function consumerStack(props: Partial<StreamConsumerProps> = {}) {
  const stack = new Stack(testApp(), 'TestStack');
  const stream = new EncryptedStream(stack, 'Clicks');
  const failed = new QueueWithDeadLetter(stack, 'Failed');
  const topic = new sns.Topic(stack, 'Alarms');
  const consumer = new StreamConsumer(stack, 'Consumer', {
    entry: ENTRY,
    stream: stream.stream,
    onFailureQueue: failed.queue,
    alarmAction: new cwActions.SnsAction(topic),
    ...props,
  });
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return { stack, stream, failed, consumer, id, template: Template.fromStack(stack) };
}

describe('StreamConsumer', () => {
  test('maps the stream with bisect, retries, record age, partial batch responses and the on-failure queue', () => {
    const { template, stream, failed, id } = consumerStack({
      batchSize: 50,
      maxBatchingWindow: Duration.seconds(5),
      startingPosition: 'LATEST',
      retryAttempts: 4,
    });

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(stream.stream), 'Arn'] },
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 5,
      StartingPosition: 'LATEST',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 4,
      MaximumRecordAgeInSeconds: 86_400,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [id(failed.queue), 'Arn'] } } },
    });
  });

  test('defaults: 100 records from TRIM_HORIZON, 2 retries', () => {
    const { template } = consumerStack();

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 100,
      StartingPosition: 'TRIM_HORIZON',
      MaximumRetryAttempts: 2,
    });
  });

  test("alarms on the stream's iterator age and on a record in the on-failure queue, both notifying", () => {
    const { template, stream, failed, id } = consumerStack({ iteratorAgeThreshold: Duration.minutes(5) });
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);

    expect(alarms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Namespace: 'AWS/Kinesis',
          MetricName: 'GetRecords.IteratorAgeMilliseconds',
          Dimensions: [{ Name: 'StreamName', Value: { Ref: id(stream.stream) } }],
          Threshold: 300_000,
          Statistic: 'Maximum',
          AlarmActions: [expect.anything()],
        }),
        expect.objectContaining({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(failed.queue), 'QueueName'] } }],
          Threshold: 0,
          AlarmActions: [expect.anything()],
        }),
      ]),
    );
  });

  test('grants the function reading the stream and decrypting with its key', () => {
    const { template } = consumerStack();
    const actions = resourcesOfType(template, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .flatMap((s: { Action: string | string[] }) => [s.Action].flat());

    expect(actions).toEqual(
      expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kms:Decrypt']),
    );
  });

  test('reports every bad prop at once', () => {
    const make = () =>
      consumerStack({
        batchSize: 10_001,
        maxBatchingWindow: Duration.seconds(301),
        retryAttempts: -1,
        maxRecordAge: Duration.seconds(30),
        startingPosition: 'AT_TIMESTAMP' as never,
        iteratorAgeThreshold: Duration.millis(10),
      });

    expect(make).toThrow(ValidationError);
    expect(make).toThrow(
      [
        "StreamConsumer 'TestStack/Consumer' is invalid (6 problems):",
        '  - batchSize must be a whole number from 1 to 10,000 records, but 10001 was provided',
        '  - maxBatchingWindow must be a whole number from 0 to 300 seconds, but 301 was provided',
        '  - retryAttempts must be a whole number from 0 to 10,000 retries, but -1 was provided',
        '  - maxRecordAge must be a whole number from 60 to 604,800 seconds, but 30 was provided',
        "  - startingPosition must be one of TRIM_HORIZON, LATEST, but 'AT_TIMESTAMP' was provided",
        '  - iteratorAgeThreshold must be at least 1 second',
      ].join('\n'),
    );
  });
});
