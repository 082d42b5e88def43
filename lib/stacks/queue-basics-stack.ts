import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { type IQueueWithDeadLetter, QueueWithDeadLetter } from '../constructs/queue-with-dead-letter';
import { stageQueueProps } from './shared-props';

/** Properties of the {@link QueueBasicsStack}. */
export interface QueueBasicsStackProps extends StackProps {
  /** The stage's removal policy, retention and purge rules. */
  readonly config: StageConfig;
}

/**
 * Chapter 1 of the workshop, the console walkthrough as code: a standard queue with its dead-letter queue,
 * a delay queue, and a FIFO queue with content-based deduplication and a FIFO dead-letter queue.
 */
export class QueueBasicsStack extends Stack {
  readonly standard: QueueWithDeadLetter;
  readonly delay: QueueWithDeadLetter;
  readonly fifo: QueueWithDeadLetter;

  constructor(scope: Construct, id: string, props: QueueBasicsStackProps) {
    super(scope, id, props);
    const stage = stageQueueProps(props.config);

    this.standard = new QueueWithDeadLetter(this, 'StandardQueue', {
      ...stage,
      visibilityTimeout: Duration.seconds(30),
      maxReceiveCount: 3,
    });
    this.delay = new QueueWithDeadLetter(this, 'DelayQueue', {
      ...stage,
      deliveryDelay: Duration.seconds(30),
    });
    this.fifo = new QueueWithDeadLetter(this, 'FifoQueue', {
      ...stage,
      fifo: true,
      contentBasedDeduplication: true,
    });

    const outputs: Record<string, [IQueueWithDeadLetter, string]> = {
      StandardQueue: [
        this.standard,
        'standard queue (visibility 30 s, retention 4 days, 3 receives to its DLQ)',
      ],
      DelayQueue: [this.delay, 'delay queue (every message hidden for 30 s)'],
      FifoQueue: [this.fifo, 'FIFO queue with content-based deduplication'],
    };
    for (const [name, [queues, description]] of Object.entries(outputs)) {
      new CfnOutput(this, `${name}Url`, {
        value: queues.queue.queueUrl,
        description: `URL of the ${description}`,
      });
      new CfnOutput(this, `${name}DeadLetterQueueUrl`, {
        value: queues.deadLetterQueue.queueUrl,
        description: `URL of the dead-letter queue of the ${description}`,
      });
    }
  }
}
