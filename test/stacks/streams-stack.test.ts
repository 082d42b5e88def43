import { Template } from 'aws-cdk-lib/assertions';
import { type ConfigContext, loadStageConfig } from '../../lib/config';
import { ARCHIVE_PREFIXES, StreamsStack } from '../../lib/stacks/streams-stack';
import { normalizedTemplate, resourcesOfType, testApp } from '../helpers/cdk';

function streams(context: ConfigContext = {}) {
  const stack = new StreamsStack(testApp(), 'Streams', { config: loadStageConfig(context) });
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, template: Template.fromStack(stack), id };
}

describe('StreamsStack', () => {
  const { stack, template, id } = streams();
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;

  test('the clickstream: on-demand, 24 hours, its own key; the consumer reads it in order with bisect and an on-failure queue', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      RetentionPeriodHours: 24,
      StreamEncryption: { EncryptionType: 'KMS' },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(stack.clickstream.stream), 'Arn'] },
      FunctionName: { Ref: id(stack.consumer.function) },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [id(stack.failedRecords.queue), 'Arn'] } },
      },
    });
  });

  test('Firehose archives the stream through the transform: 60 s or 1 MiB, page-views/ and errors/ prefixes', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: {
        KinesisStreamARN: { 'Fn::GetAtt': [id(stack.clickstream.stream), 'Arn'] },
      },
      ExtendedS3DestinationConfiguration: {
        BucketARN: { 'Fn::GetAtt': [id(stack.archiveBucket), 'Arn'] },
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 1 },
        Prefix: ARCHIVE_PREFIXES.pageViews,
        ErrorOutputPrefix: ARCHIVE_PREFIXES.errors,
        ProcessingConfiguration: { Enabled: true },
      },
    });
    const archiveBucket = resources[id(stack.archiveBucket)].Properties;
    expect(archiveBucket.BucketEncryption).toBeDefined();
    expect(archiveBucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  test('the other two families: a FIFO queue with content-based deduplication, a topic with a raw subscriber', () => {
    expect(resources[id(stack.clickQueue.queue)].Properties).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: true,
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: { Ref: id(stack.clickTopic) },
      Endpoint: { 'Fn::GetAtt': [id(stack.topicCopy.queue), 'Arn'] },
      Protocol: 'sqs',
      RawMessageDelivery: true,
    });
  });

  test('alarms on iterator age, failed records and archive freshness notify the alarm topic; a dashboard', () => {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'DeliveryToS3.DataFreshness',
      'GetRecords.IteratorAgeMilliseconds',
    ]);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: id(stack.alarmTopic) }]);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test('outputs what the chapter reads', () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual([
      'AlarmTopicArn',
      'ArchiveBucketName',
      'ClickQueueUrl',
      'ClickTopicArn',
      'ConsumerFunctionName',
      'DeliveryStreamName',
      'FailedRecordsQueueUrl',
      'StreamArn',
      'StreamName',
      'TopicCopyQueueUrl',
      'TransformFunctionName',
    ]);
  });

  test('the stage settings: a provisioned stream of 3 shards keeping a week', () => {
    const { template: provisioned } = streams({
      streamMode: 'provisioned',
      streamShardCount: '3',
      streamRetentionHours: '168',
    });

    provisioned.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 3,
      RetentionPeriodHours: 168,
    });
  });

  test('prod keeps the stream, its key and the archive', () => {
    const { template: prod } = streams({ stage: 'prod' });

    prod.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Retain' });
    for (const [, bucket] of resourcesOfType(prod, 'AWS::S3::Bucket'))
      expect(bucket.DeletionPolicy).toBe('Retain');
  });

  test('matches the snapshot', () => {
    expect(normalizedTemplate(stack)).toMatchSnapshot();
  });
});

describe('the stream settings of the stage configuration', () => {
  test('default to an on-demand stream keeping 24 hours, in every stage', () => {
    for (const stage of ['sandbox', 'dev', 'prod']) {
      expect(loadStageConfig({ stage }).streams).toEqual({
        mode: 'on-demand',
        shardCount: 2,
        retention: expect.objectContaining({}),
      });
      expect(loadStageConfig({ stage }).streams.retention.toHours()).toBe(24);
    }
  });

  test('report every bad value at once', () => {
    const load = () =>
      loadStageConfig({ streamMode: 'serverless', streamShardCount: '0', streamRetentionHours: '9000' });

    expect(load).toThrow(
      [
        'Stage configuration is invalid (4 problems):',
        '  - streamMode must be one of on-demand, provisioned, but "serverless" was provided',
        '  - streamShardCount must be a whole number from 1 to 500, but "0" was provided',
        '  - streamShardCount is for streamMode=provisioned only: an on-demand stream sizes itself',
        '  - streamRetentionHours must be a whole number from 24 to 8,760, but "9000" was provided',
      ].join('\n'),
    );
  });
});
