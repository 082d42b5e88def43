import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { AlarmTopic } from '../constructs/alarm-topic';
import { EVENT_SOURCE_LIMITS, QueueConsumer, type QueueConsumerProps } from '../constructs/queue-consumer';
import { stageFunctionProps } from './shared-props';

/** The timeout of the stacks' queue consumers. */
const CONSUMER_TIMEOUT = Duration.seconds(30);

/** The visibility timeout of a queue that a {@link stageConsumer} reads: 6 × its timeout, as AWS recommends. */
export const CONSUMED_QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(
  CONSUMER_TIMEOUT.toSeconds() * EVENT_SOURCE_LIMITS.visibilityToTimeoutRatio,
);

/** What differs between the stacks' queue consumers: the handler, the queue it reads and its environment. */
export type StageConsumerProps = Pick<QueueConsumerProps, 'entry' | 'serviceName' | 'source' | 'environment'>;

/**
 * A stack's queue consumer (batches of up to 10 records gathered for a second, at most 5 invocations at once),
 * preceded by the `AlarmTopic` its dead-letter alarm notifies.
 */
export function stageConsumer(
  scope: Construct,
  id: string,
  config: StageConfig,
  props: StageConsumerProps,
): { readonly consumer: QueueConsumer; readonly alarms: AlarmTopic } {
  const alarms = new AlarmTopic(scope, 'AlarmTopic', { removalPolicy: config.removalPolicy });
  const consumer = new QueueConsumer(scope, id, {
    ...stageFunctionProps(config),
    ...props,
    timeout: CONSUMER_TIMEOUT,
    batchSize: 10,
    maxBatchingWindow: Duration.seconds(1),
    maxConcurrency: 5,
    alarmAction: alarms.alarmAction,
  });
  return { consumer, alarms };
}
