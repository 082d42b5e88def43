import { Aws, type CfnElement, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { acknowledgeNagRule } from '../constructs/nag-acknowledgment';
import type { QueueConsumer } from '../constructs/queue-consumer';
import { QueueProducer } from '../constructs/queue-producer';
import { QueueWithDeadLetter } from '../constructs/queue-with-dead-letter';
import { lambdaEntry, stageFunctionProps, stageQueueProps } from './shared-props';
import { CONSUMED_QUEUE_VISIBILITY_TIMEOUT, stageConsumer } from './stage-consumer';
import {
  accessLogBucketProps,
  acknowledgeBucketNotificationsFindings,
  acknowledgeSecureBucketFindings,
  secureBucketProps,
} from './secure-bucket-props';

/** Properties of the {@link PipelineStack}. */
export interface PipelineStackProps extends StackProps {
  /** The stage's removal policy, retention and purge rules. */
  readonly config: StageConfig;
}

/** Key prefixes of the order bucket: what each one triggers or holds. */
export const PIPELINE_PREFIXES = {
  /** Order files uploaded here go to the producer Lambda. */
  uploads: 'uploads/',
  /** Objects uploaded here go straight to the images queue, no Lambda in between. */
  images: 'images/',
  /** The consumer writes one result per order here. */
  results: 'results/',
} as const;

/**
 * The central chapter of the workshop: S3 upload → producer Lambda → SQS work queue (with DLQ) → consumer
 * Lambda → result object, plus the producer's invocation records through Lambda destinations, a direct
 * S3 → SQS notification, a dashboard and a dead-letter alarm.
 */
export class PipelineStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly workQueue: QueueWithDeadLetter;
  readonly invocationRecords: QueueWithDeadLetter;
  readonly imagesQueue: QueueWithDeadLetter;
  readonly producer: QueueProducer;
  readonly consumer: QueueConsumer;
  readonly alarmTopic: sns.Topic;
  private readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;

    // AWS: a server access log target must use SSE-S3 (not SSE-KMS), as secureBucketProps does.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', accessLogBucketProps(config));
    this.bucket = new s3.Bucket(this, 'OrderBucket', {
      ...secureBucketProps(config),
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'order-bucket/',
    });

    const queueDefaults = stageQueueProps(config);
    this.workQueue = new QueueWithDeadLetter(this, 'WorkQueue', {
      ...queueDefaults,
      visibilityTimeout: CONSUMED_QUEUE_VISIBILITY_TIMEOUT,
      maxReceiveCount: 3,
    });
    this.invocationRecords = new QueueWithDeadLetter(this, 'InvocationRecordsQueue', queueDefaults);
    this.imagesQueue = new QueueWithDeadLetter(this, 'ImagesQueue', queueDefaults);

    const functionDefaults = stageFunctionProps(config);
    this.producer = new QueueProducer(this, 'Producer', {
      ...functionDefaults,
      entry: lambdaEntry('producer'),
      serviceName: 'order-producer',
      queue: this.workQueue.queue,
      timeout: Duration.seconds(60),
    });
    this.producer.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadUploads',
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${PIPELINE_PREFIXES.uploads}*`)],
      }),
    );
    // As in the console walkthrough: every asynchronous invocation leaves a record, success or failure.
    this.producer.function.configureAsyncInvoke({
      onSuccess: new destinations.SqsDestination(this.invocationRecords.queue),
      onFailure: new destinations.SqsDestination(this.invocationRecords.queue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
    });
    this.bucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.LambdaDestination(this.producer.function),
      { prefix: PIPELINE_PREFIXES.uploads },
    );
    this.bucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.SqsDestination(this.imagesQueue.queue),
      {
        prefix: PIPELINE_PREFIXES.images,
      },
    );

    const { consumer, alarms } = stageConsumer(this, 'Consumer', config, {
      entry: lambdaEntry('consumer'),
      serviceName: 'order-consumer',
      source: this.workQueue,
      environment: { BUCKET_NAME: this.bucket.bucketName },
    });
    this.consumer = consumer;
    this.alarmTopic = alarms.topic;
    this.consumer.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WriteResults',
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${PIPELINE_PREFIXES.results}*`)],
      }),
    );

    this.addDashboard();
    this.addOutputs();
    this.acknowledgeNagFindings(config);
  }

  /** Each cdk-nag finding accepted on purpose, on the exact resource, with the reason. */
  private acknowledgeNagFindings(config: StageConfig): void {
    const bucketArn = `<${this.getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>`;
    Validations.of(this.producer.function.role as iam.Role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${bucketArn}/${PIPELINE_PREFIXES.uploads}*]`,
      reason: `The producer reads whichever file lands under ${PIPELINE_PREFIXES.uploads}: keys are unknown at deploy time, so s3:GetObject is scoped to that prefix, not the bucket`,
    });
    Validations.of(this.consumer.function.role as iam.Role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${bucketArn}/${PIPELINE_PREFIXES.results}*]`,
      reason: `The consumer writes results/<orderId>.json for orders not known at deploy time, so s3:PutObject is scoped to the ${PIPELINE_PREFIXES.results} prefix, not the bucket`,
    });
    acknowledgeBucketNotificationsFindings(this.bucket);
    acknowledgeNagRule(
      this.producer.function,
      'LambdaDLQ',
      `S3 invokes the producer asynchronously, and its Lambda destinations send a record of every invocation, failed or not, to the queue ${this.invocationRecords.node.path}: AWS recommends destinations over a dead-letter queue, which would receive the failed events without their error`,
    );
    acknowledgeSecureBucketFindings(this.accessLogBucket, config, 'access logs');
    acknowledgeSecureBucketFindings(this.bucket, config, 'data');
  }

  private addDashboard(): void {
    const work = this.workQueue.queue;
    const dlq = this.workQueue.deadLetterQueue;
    const functions = [this.producer.function, this.consumer.function];
    const period = Duration.minutes(1);
    new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${this.stackName}-${Aws.REGION}`,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Work queue: visible and in-flight messages',
            left: [
              work.metricApproximateNumberOfMessagesVisible({ period, label: 'visible' }),
              work.metricApproximateNumberOfMessagesNotVisible({ period, label: 'in flight' }),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Work queue: age of oldest message (s)',
            left: [work.metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM })],
          }),
          new cloudwatch.GraphWidget({
            title: 'Dead-letter queue depth',
            left: [
              dlq.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Lambda errors',
            left: functions.map((f, i) => f.metricErrors({ period, label: ['producer', 'consumer'][i] })),
          }),
          new cloudwatch.GraphWidget({
            title: 'Lambda duration p99 (ms)',
            left: functions.map((f, i) =>
              f.metricDuration({
                period,
                statistic: cloudwatch.Stats.p(99),
                label: ['producer', 'consumer'][i],
              }),
            ),
          }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [this.consumer.deadLetterAlarm] }),
        ],
      ],
    });
  }

  private addOutputs(): void {
    const outputs: Record<string, [string, string]> = {
      BucketName: [this.bucket.bucketName, `Order bucket: upload orders under ${PIPELINE_PREFIXES.uploads}`],
      WorkQueueUrl: [this.workQueue.queue.queueUrl, 'Work queue the producer sends orders to'],
      DeadLetterQueueUrl: [this.workQueue.deadLetterQueue.queueUrl, 'Dead-letter queue of the work queue'],
      DestinationQueueUrl: [
        this.invocationRecords.queue.queueUrl,
        "Lambda destination queue: a record of each of the producer's asynchronous invocations",
      ],
      ImagesQueueUrl: [
        this.imagesQueue.queue.queueUrl,
        `Receives S3 events for objects under ${PIPELINE_PREFIXES.images}`,
      ],
      ProducerFunctionName: [this.producer.function.functionName, 'Producer Lambda (S3 → SQS)'],
      ConsumerFunctionName: [this.consumer.function.functionName, 'Consumer Lambda (SQS → results/)'],
      AlarmTopicArn: [this.alarmTopic.topicArn, 'SNS topic the dead-letter alarm notifies'],
    };
    for (const [id, [value, description]] of Object.entries(outputs))
      new CfnOutput(this, id, { value, description });
  }
}
