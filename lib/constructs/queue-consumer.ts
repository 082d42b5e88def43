import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { Problems } from '../validation';
import type { AlarmNotificationProps } from './alarm-topic';
import { createHandlerFunction, type HandlerFunctionProps } from './handler-function';
import { acknowledgeNagRule } from './nag-acknowledgment';
import type { IQueueWithDeadLetter } from './queue-with-dead-letter';

/**
 * Properties of a {@link QueueConsumer}: its function's, its event source's (`batchSize`, `maxBatchingWindow`,
 * `maxConcurrency`, with AWS's limits and a FIFO queue's) and where its dead-letter alarm notifies.
 */
export interface QueueConsumerProps
  extends
    HandlerFunctionProps,
    Pick<sources.SqsEventSourceProps, 'batchSize' | 'maxBatchingWindow' | 'maxConcurrency'>,
    AlarmNotificationProps {
  /** The queue to consume; its visibility timeout must cover 6 × the function timeout. */
  readonly source: IQueueWithDeadLetter;
}

/** AWS limits of an SQS event source mapping. */
export const EVENT_SOURCE_LIMITS = {
  fifoBatchSize: { min: 1, max: 10, unit: 'records' },
  standardBatchSize: { min: 1, max: 10_000, unit: 'records' },
  maxBatchingWindow: { min: 0, max: 300 },
  maxConcurrency: { min: 2, max: 1_000, unit: 'invocations' },
  timeout: { min: 1, max: 900 },
  /** AWS guidance: the queue's visibility timeout is at least 6 × the function timeout. */
  visibilityToTimeoutRatio: 6,
} as const;

/**
 * A Lambda function fed by an SQS queue through an event source mapping that reports partial batch
 * failures, so one bad record is retried (and dead-lettered) alone. Alarms as soon as the DLQ holds a message.
 */
export class QueueConsumer extends Construct {
  /** The consuming function. */
  readonly function: nodejs.NodejsFunction;
  /** The SQS event source mapping. */
  readonly eventSource: sources.SqsEventSource;
  /** In alarm while the dead-letter queue is not empty. */
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: QueueConsumerProps) {
    super(scope, id);
    validateQueueConsumerProps(props).throwIfAny(`QueueConsumer '${this.node.path}'`);

    this.function = createHandlerFunction(this, props);
    this.eventSource = new sources.SqsEventSource(props.source.queue, {
      batchSize: props.batchSize ?? 10,
      maxBatchingWindow: props.maxBatchingWindow,
      maxConcurrency: props.maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.function.addEventSource(this.eventSource);

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `Messages that ${this.node.path} failed ${props.source.maxReceiveCount} times wait in its dead-letter queue`,
      metric: props.source.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) this.deadLetterAlarm.addAlarmAction(props.alarmAction);
    this.acknowledgeNagFindings(props.source);
  }

  /** Failures of an SQS-fed function end in the source's dead-letter queue, not in Lambda's own mechanisms. */
  private acknowledgeNagFindings(source: IQueueWithDeadLetter): void {
    const deadLetter = `the dead-letter queue of ${source.node.path} after ${source.maxReceiveCount} receives`;
    acknowledgeNagRule(
      this.function,
      'LambdaDLQ',
      `Lambda's event source mapping polls the queue and invokes this function synchronously, and a Lambda dead-letter queue only receives failed asynchronous invocations: a record that keeps failing goes to ${deadLetter}`,
    );
    const mapping = this.function.node.children.find((c) => c instanceof lambda.EventSourceMapping);
    if (mapping) {
      acknowledgeNagRule(
        mapping,
        'LambdaEventSourceMappingDestination',
        `AWS: on-failure destinations are for stream and Kafka event sources, not SQS; a record that fails returns to the queue, whose redrive policy moves it to ${deadLetter}, where the DeadLetterAlarm sees it`,
      );
    }
  }
}

/** Checks the consumer's props against AWS's event source limits and the queue it reads. */
export function validateQueueConsumerProps(props: QueueConsumerProps): Problems {
  const problems = new Problems();
  const l = EVENT_SOURCE_LIMITS;
  const fifo = props.source.fifo;
  const batch = fifo ? l.fifoBatchSize : l.standardBatchSize;
  problems.range(`batchSize${fifo ? ' (FIFO queue)' : ''}`, props.batchSize, batch);
  problems.durationRange('maxBatchingWindow', props.maxBatchingWindow, l.maxBatchingWindow);
  problems.range('maxConcurrency', props.maxConcurrency, l.maxConcurrency);
  problems.durationRange('timeout', props.timeout, l.timeout);
  if (fifo && props.maxBatchingWindow !== undefined) {
    problems.add('maxBatchingWindow is not supported for FIFO queues');
  }
  // AWS: a batch size above 10 needs a batching window of at least 1 second.
  if (
    !fifo &&
    (props.batchSize ?? 0) > 10 &&
    (props.maxBatchingWindow?.toSeconds({ integral: false }) ?? 0) < 1
  ) {
    problems.add(`batchSize ${props.batchSize} is above 10, so maxBatchingWindow must be at least 1 second`);
  }

  const visibility = props.source.visibilityTimeout;
  const timeout = props.timeout ?? Duration.seconds(30);
  if (!visibility.isUnresolved() && !timeout.isUnresolved()) {
    const needed = timeout.toSeconds({ integral: false }) * l.visibilityToTimeoutRatio;
    const actual = visibility.toSeconds({ integral: false });
    problems.check(
      actual < needed,
      () =>
        `the queue's visibility timeout (${actual} seconds) must be at least ${l.visibilityToTimeoutRatio} × the function timeout (${timeout.toSeconds({ integral: false })} seconds) = ${needed} seconds, as AWS recommends for SQS event sources; raise the queue's visibilityTimeout or lower timeout`,
    );
  }
  return problems;
}
