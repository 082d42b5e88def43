import { Aws, CfnOutput, Duration, Size, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { AlarmTopic } from '../constructs/alarm-topic';
import { EncryptedStream } from '../constructs/encrypted-stream';
import { createHandlerFunction } from '../constructs/handler-function';
import { acknowledgeNagRule } from '../constructs/nag-acknowledgment';
import { QueueSubscription } from '../constructs/queue-subscription';
import { QueueWithDeadLetter } from '../constructs/queue-with-dead-letter';
import { StreamArchive } from '../constructs/stream-archive';
import { StreamConsumer } from '../constructs/stream-consumer';
import {
  accessLogBucketProps,
  acknowledgeSecureBucketFindings,
  secureBucketProps,
} from './secure-bucket-props';
import { lambdaEntry, stageFunctionProps, stageQueueProps } from './shared-props';

/** Properties of the {@link StreamsStack}. */
export interface StreamsStackProps extends StackProps {
  /** The stage's removal policy, retention and stream settings. */
  readonly config: StageConfig;
}

/** Key prefixes of the archive bucket. */
export const ARCHIVE_PREFIXES = {
  /** Page views, one JSON line each, under `YYYY/MM/DD/HH/` (UTC) as Firehose appends it. */
  pageViews: 'page-views/',
  /** Records the transform refused, as Firehose writes them (`!{firehose:error-output-type}` is processing-failed). */
  errors: 'errors/!{firehose:error-output-type}/',
} as const;

/** How long the archive buffers page views before writing an object (or 1 MiB, whichever comes first). */
export const ARCHIVE_BUFFERING_INTERVAL = Duration.seconds(60);

/**
 * Chapter 5, streams: page views on a Kinesis data stream (encrypted with its own key), read in order per
 * session by a Lambda consumer (bisect on error, partial batch responses, an on-failure queue) and loaded into S3
 * by Firehose through a Lambda transform; beside them, the same page views' way through an SQS FIFO queue and
 * an SNS topic, for the chapter's comparison of the three families. Alarms on iterator age, failed records and
 * archive freshness, and a dashboard.
 */
export class StreamsStack extends Stack {
  readonly clickstream: EncryptedStream;
  readonly consumer: StreamConsumer;
  readonly failedRecords: QueueWithDeadLetter;
  readonly transform: nodejs.NodejsFunction;
  readonly archiveBucket: s3.Bucket;
  readonly archive: StreamArchive;
  /** The SQS family: a FIFO queue, one message group per session. */
  readonly clickQueue: QueueWithDeadLetter;
  /** The SNS family: a topic, and a queue subscribed to it so that its deliveries can be read. */
  readonly clickTopic: sns.Topic;
  readonly topicCopy: QueueWithDeadLetter;
  readonly alarmTopic: sns.Topic;
  private readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StreamsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const alarms = new AlarmTopic(this, 'AlarmTopic', { removalPolicy: config.removalPolicy });
    this.alarmTopic = alarms.topic;
    const queueDefaults = stageQueueProps(config);
    const functionDefaults = stageFunctionProps(config);

    // Kinesis: the stream, its consumer and the record of what the consumer gave up on.
    this.clickstream = new EncryptedStream(this, 'Clickstream', {
      mode: config.streams.mode,
      ...(config.streams.mode === 'provisioned' ? { shardCount: config.streams.shardCount } : {}),
      retentionPeriod: config.streams.retention,
      removalPolicy: config.removalPolicy,
    });
    this.failedRecords = new QueueWithDeadLetter(this, 'FailedRecordsQueue', queueDefaults);
    this.consumer = new StreamConsumer(this, 'Consumer', {
      ...functionDefaults,
      entry: lambdaEntry('clickstream-consumer'),
      serviceName: 'clickstream-consumer',
      stream: this.clickstream.stream,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      startingPosition: 'TRIM_HORIZON',
      bisectBatchOnError: true,
      retryAttempts: 2,
      reportBatchItemFailures: true,
      onFailureQueue: this.failedRecords.queue,
      alarmAction: alarms.alarmAction,
    });

    // Firehose: the stream into the archive bucket, through the transform.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', accessLogBucketProps(config));
    this.archiveBucket = new s3.Bucket(this, 'ArchiveBucket', {
      ...secureBucketProps(config),
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'archive-bucket/',
    });
    this.transform = createHandlerFunction(new Construct(this, 'Transform'), {
      ...functionDefaults,
      entry: lambdaEntry('clickstream-transform'),
      serviceName: 'clickstream-transform',
      // AWS: Firehose waits up to 5 minutes for a transform invocation
      timeout: Duration.minutes(1),
    });
    this.archive = new StreamArchive(this, 'Archive', {
      stream: this.clickstream.stream,
      bucket: this.archiveBucket,
      transform: this.transform,
      bufferingInterval: ARCHIVE_BUFFERING_INTERVAL,
      bufferingSize: Size.mebibytes(1),
      transformBufferingInterval: Duration.seconds(0),
      prefix: ARCHIVE_PREFIXES.pageViews,
      errorOutputPrefix: ARCHIVE_PREFIXES.errors,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      alarmAction: alarms.alarmAction,
    });

    // SQS and SNS: the same page views, for the comparison.
    this.clickQueue = new QueueWithDeadLetter(this, 'ClickQueue', {
      ...queueDefaults,
      fifo: true,
      contentBasedDeduplication: true,
    });
    const topicKey = new kms.Key(this, 'ClickTopicKey', {
      description: 'Encrypts the page views published to the click topic and its subscriber queue',
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy,
    });
    this.clickTopic = new sns.Topic(this, 'ClickTopic', {
      displayName: 'Page views',
      masterKey: topicKey,
      enforceSSL: true,
    });
    this.topicCopy = new QueueWithDeadLetter(this, 'TopicCopy', {
      ...queueDefaults,
      encryptionKey: topicKey,
    });
    new QueueSubscription(this, 'TopicCopySubscription', {
      topic: this.clickTopic,
      subscriber: this.topicCopy,
      rawMessageDelivery: true,
      deadLetterRetentionPeriod: config.deadLetterRetention,
      allowPurge: config.allowQueuePurge,
      removalPolicy: config.removalPolicy,
    });

    this.addDashboard();
    this.addOutputs();
    this.acknowledgeNagFindings(config);
  }

  /** Each cdk-nag finding accepted on purpose, on the exact resource, with the reason. */
  private acknowledgeNagFindings(config: StageConfig): void {
    acknowledgeNagRule(
      this.transform,
      'LambdaDLQ',
      'Firehose invokes the transform synchronously and retries a failed invocation itself; the records it still cannot transform are written to the archive bucket under the errors/ prefix, which is where a dead-letter queue would have put them',
    );
    Validations.of(this.clickstream.stream).acknowledge({
      id: 'AwsSolutions::AwsSolutions-KDS3',
      reason:
        'The stream is encrypted with its own customer-managed key on purpose: its key policy decides who may read page views, independently of who may use the account-wide aws/kinesis key, and its use is logged per key',
    });
    acknowledgeSecureBucketFindings(this.accessLogBucket, config, 'access logs');
    acknowledgeSecureBucketFindings(this.archiveBucket, config, 'data');
  }

  private addDashboard(): void {
    const stream = this.clickstream.stream;
    const period = Duration.minutes(1);
    new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${this.stackName}-${Aws.REGION}`,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Clickstream: records in and read',
            left: [
              stream.metricIncomingRecords({ period, statistic: cloudwatch.Stats.SUM, label: 'in' }),
              stream.metricGetRecords({ period, statistic: cloudwatch.Stats.SUM, label: 'read' }),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Clickstream: iterator age (ms)',
            left: [
              stream.metricGetRecordsIteratorAgeMilliseconds({ period, statistic: cloudwatch.Stats.MAXIMUM }),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Failed batches (on-failure queue)',
            left: [
              this.failedRecords.queue.metricApproximateNumberOfMessagesVisible({
                period,
                statistic: cloudwatch.Stats.MAXIMUM,
              }),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Lambda errors',
            left: [
              this.consumer.function.metricErrors({ period, label: 'consumer' }),
              this.transform.metricErrors({ period, label: 'transform' }),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Archive: age of the oldest record not yet in S3 (s)',
            left: [
              this.archive.deliveryStream.metric('DeliveryToS3.DataFreshness', {
                period: Duration.minutes(5),
                statistic: cloudwatch.Stats.MAXIMUM,
              }),
            ],
          }),
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: [
              this.consumer.iteratorAgeAlarm,
              this.consumer.failedRecordsAlarm,
              this.archive.freshnessAlarm,
            ],
          }),
        ],
      ],
    });
  }

  private addOutputs(): void {
    const outputs: Record<string, [string, string]> = {
      StreamName: [
        this.clickstream.stream.streamName,
        'Kinesis stream of page views: partition key = sessionId',
      ],
      StreamArn: [this.clickstream.stream.streamArn, 'ARN of the page-view stream'],
      ConsumerFunctionName: [this.consumer.function.functionName, 'Reads the stream in order per shard'],
      FailedRecordsQueueUrl: [
        this.failedRecords.queue.queueUrl,
        'On-failure destination: a record of each batch the consumer failed after its retries',
      ],
      DeliveryStreamName: [
        this.archive.deliveryStream.deliveryStreamName,
        'Firehose: the stream into the archive bucket',
      ],
      ArchiveBucketName: [
        this.archiveBucket.bucketName,
        `Page views under ${ARCHIVE_PREFIXES.pageViews}, refused ones under errors/`,
      ],
      TransformFunctionName: [
        this.transform.functionName,
        'Firehose transform: Ok, Dropped (crawlers) or ProcessingFailed',
      ],
      ClickQueueUrl: [
        this.clickQueue.queue.queueUrl,
        'SQS FIFO queue of page views: message group id = sessionId',
      ],
      ClickTopicArn: [this.clickTopic.topicArn, 'SNS topic of page views'],
      TopicCopyQueueUrl: [this.topicCopy.queue.queueUrl, 'Queue subscribed to the topic (raw delivery)'],
      AlarmTopicArn: [this.alarmTopic.topicArn, 'SNS topic the alarms notify'],
    };
    for (const [id, [value, description]] of Object.entries(outputs))
      new CfnOutput(this, id, { value, description });
  }
}
