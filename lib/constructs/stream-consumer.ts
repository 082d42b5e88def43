import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Problems } from '../validation';
import type { AlarmNotificationProps } from './alarm-topic';
import { createHandlerFunction, type HandlerFunctionProps } from './handler-function';
import { acknowledgeNagRule } from './nag-acknowledgment';

/** Where a new mapping starts reading each shard. */
export const STREAM_STARTING_POSITIONS = ['TRIM_HORIZON', 'LATEST'] as const;
export type StreamStartingPosition = (typeof STREAM_STARTING_POSITIONS)[number];

/** Properties of a {@link StreamConsumer}. */
export interface StreamConsumerProps extends HandlerFunctionProps, AlarmNotificationProps {
  /** The Kinesis stream to read. */
  readonly stream: kinesis.IStream;
  /** Records per invocation (1–10,000). @default 100 */
  readonly batchSize?: number;
  /** How long to gather records before invoking (0–300 s). @default Duration.seconds(0) */
  readonly maxBatchingWindow?: Duration;
  /** Where a new mapping starts in each shard. @default 'TRIM_HORIZON' */
  readonly startingPosition?: StreamStartingPosition;
  /** Split a failing batch in two and retry each half, until the bad record is alone. @default true */
  readonly bisectBatchOnError?: boolean;
  /** Retries of a failing batch before its record goes to the on-failure queue (0–10,000). @default 2 */
  readonly retryAttempts?: number;
  /** Records older than this are not retried but sent on (60 s – 7 days). @default Duration.days(1) */
  readonly maxRecordAge?: Duration;
  /** The function reports the failed record (batchItemFailures) so Lambda retries from it only. @default true */
  readonly reportBatchItemFailures?: boolean;
  /** Receives a record (shard, sequence numbers, error) of each batch that failed all its retries. */
  readonly onFailureQueue: sqs.IQueue;
  /** The stream's readers are this far behind when the iterator-age alarm fires. @default Duration.minutes(1) */
  readonly iteratorAgeThreshold?: Duration;
}

/** AWS limits of a Kinesis event source mapping, in records, seconds and retries. */
export const STREAM_EVENT_SOURCE_LIMITS = {
  batchSize: { min: 1, max: 10_000, unit: 'records' },
  maxBatchingWindow: { min: 0, max: 300 },
  retryAttempts: { min: 0, max: 10_000, unit: 'retries' },
  maxRecordAge: { min: 60, max: 604_800 },
  timeout: { min: 1, max: 900 },
} as const;

/**
 * A Lambda function reading a Kinesis stream through an event source mapping, shard by shard and in order: a
 * failing batch is bisected and retried (from the reported record only, with ReportBatchItemFailures), and once
 * its retries are spent a record of it goes to the on-failure queue and the shard moves on. Alarms when the
 * stream's readers fall behind (GetRecords.IteratorAgeMilliseconds) and when a record of failure arrives.
 */
export class StreamConsumer extends Construct {
  /** The consuming function. */
  readonly function: nodejs.NodejsFunction;
  /** The Kinesis event source mapping. */
  readonly eventSource: sources.KinesisEventSource;
  /** In alarm while the stream's oldest unread record is older than the threshold. */
  readonly iteratorAgeAlarm: cloudwatch.Alarm;
  /** In alarm while the on-failure queue holds a record of a failed batch. */
  readonly failedRecordsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    validateStreamConsumerProps(props).throwIfAny(`StreamConsumer '${this.node.path}'`);

    this.function = createHandlerFunction(this, props);
    this.eventSource = new sources.KinesisEventSource(props.stream, {
      startingPosition:
        props.startingPosition === 'LATEST'
          ? lambda.StartingPosition.LATEST
          : lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? 100,
      maxBatchingWindow: props.maxBatchingWindow,
      bisectBatchOnError: props.bisectBatchOnError ?? true,
      retryAttempts: props.retryAttempts ?? 2,
      maxRecordAge: props.maxRecordAge ?? Duration.days(1),
      reportBatchItemFailures: props.reportBatchItemFailures ?? true,
      onFailure: new sources.SqsDlq(props.onFailureQueue),
    });
    this.function.addEventSource(this.eventSource);

    const period = Duration.minutes(1);
    const threshold = props.iteratorAgeThreshold ?? Duration.minutes(1);
    this.iteratorAgeAlarm = new cloudwatch.Alarm(this, 'IteratorAgeAlarm', {
      alarmDescription: `The readers of the stream behind ${this.node.path} are more than ${threshold.toHumanString()} behind`,
      metric: props.stream.metricGetRecordsIteratorAgeMilliseconds({
        period,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: threshold.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failedRecordsAlarm = new cloudwatch.Alarm(this, 'FailedRecordsAlarm', {
      alarmDescription: `Batches that ${this.node.path} failed after every retry are recorded in its on-failure queue`,
      metric: props.onFailureQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.iteratorAgeAlarm, this.failedRecordsAlarm]) {
      if (props.alarmAction) alarm.addAlarmAction(props.alarmAction);
    }
    acknowledgeNagRule(
      this.function,
      'LambdaDLQ',
      `Lambda's event source mapping reads the stream and invokes this function synchronously, and a Lambda dead-letter queue only receives failed asynchronous invocations: a batch that keeps failing is recorded in the mapping's on-failure queue instead`,
    );
  }
}

/** Checks the consumer's props against AWS's Kinesis event source limits. */
export function validateStreamConsumerProps(props: StreamConsumerProps): Problems {
  const problems = new Problems();
  const l = STREAM_EVENT_SOURCE_LIMITS;
  problems.range('batchSize', props.batchSize, l.batchSize);
  problems.durationRange('maxBatchingWindow', props.maxBatchingWindow, l.maxBatchingWindow);
  problems.range('retryAttempts', props.retryAttempts, l.retryAttempts);
  problems.durationRange('maxRecordAge', props.maxRecordAge, l.maxRecordAge);
  problems.durationRange('timeout', props.timeout, l.timeout);
  if (props.startingPosition !== undefined && !STREAM_STARTING_POSITIONS.includes(props.startingPosition)) {
    problems.add(
      `startingPosition must be one of ${STREAM_STARTING_POSITIONS.join(', ')}, but '${props.startingPosition}' was provided`,
    );
  }
  const threshold = props.iteratorAgeThreshold;
  problems.check(
    threshold !== undefined && !threshold.isUnresolved() && threshold.toMilliseconds() < 1_000,
    () => 'iteratorAgeThreshold must be at least 1 second',
  );
  return problems;
}
