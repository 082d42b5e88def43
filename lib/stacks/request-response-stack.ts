import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { AlarmTopic } from '../constructs/alarm-topic';
import { QueueConsumer } from '../constructs/queue-consumer';
import { QueueWithDeadLetter } from '../constructs/queue-with-dead-letter';
import { checkHostQueueNamePrefix, TemporaryQueueAccess } from '../constructs/temporary-queue-access';
import { Problems } from '../validation';
import { lambdaEntry, stageFunctionProps, stageQueueProps } from './shared-props';

/** Properties of the {@link RequestResponseStack}. */
export interface RequestResponseStackProps extends StackProps {
  /** The stage's removal policy, retention and purge rules. */
  readonly config: StageConfig;
  /** Start of the requesters' host queue names. @default `decoupled-<stage>-replies-` */
  readonly hostQueueNamePrefix?: string;
  /** Age of the oldest waiting request that raises the backlog alarm: requesters would time out. @default 30 seconds */
  readonly requestAgeAlarmThreshold?: Duration;
}

/** The tag key every host queue carries; its value is the stack's name. */
export const HOST_QUEUE_TAG_KEY = 'decoupled-request-response';

/** The responder's timeout; the request queue's visibility timeout is 6 × it, as AWS recommends. */
const RESPONDER_TIMEOUT = Duration.seconds(10);

/**
 * Chapter 6 of the workshop, request-response over queues: requesters send quote requests to a request queue,
 * each carrying the address of a virtual queue on the requester's own host queue (lambda/shared/temporary-queues);
 * a responder Lambda prices each quote as the fan-out chapter does and replies to that address. Requesters may
 * create and delete only host queues under the prefix that carry the stack's tag, and the responder may send only
 * to those. Alarms: a request dead-lettered, requests waiting too long; a dashboard of both.
 */
export class RequestResponseStack extends Stack {
  readonly requests: QueueWithDeadLetter;
  readonly responder: QueueConsumer;
  readonly access: TemporaryQueueAccess;
  readonly alarmTopic: sns.Topic;
  /** In alarm while the oldest request waits longer than the threshold. */
  readonly backlogAlarm: cloudwatch.Alarm;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: RequestResponseStackProps) {
    super(scope, id, props);
    const { config } = props;
    const hostQueueNamePrefix = props.hostQueueNamePrefix ?? `decoupled-${config.stage}-replies-`;
    const threshold = props.requestAgeAlarmThreshold ?? Duration.seconds(30);
    const problems = new Problems();
    checkHostQueueNamePrefix(problems, hostQueueNamePrefix);
    problems.durationRange('requestAgeAlarmThreshold', threshold, { min: 1, max: 3_600 });
    problems.throwIfAny(`RequestResponseStack '${this.node.path}'`);

    this.requests = new QueueWithDeadLetter(this, 'Requests', {
      ...stageQueueProps(config),
      visibilityTimeout: Duration.seconds(RESPONDER_TIMEOUT.toSeconds() * 6),
    });
    const alarms = new AlarmTopic(this, 'AlarmTopic', { removalPolicy: config.removalPolicy });
    this.alarmTopic = alarms.topic;
    this.access = new TemporaryQueueAccess(this, 'TemporaryQueues', {
      hostQueueNamePrefix,
      ownerTag: { key: HOST_QUEUE_TAG_KEY, value: this.stackName },
      requestQueue: this.requests.queue,
    });
    // no batching window: a request waits for nothing but a free responder
    this.responder = new QueueConsumer(this, 'QuoteResponder', {
      ...stageFunctionProps(config),
      entry: lambdaEntry('quote-responder'),
      serviceName: 'quote-responder',
      source: this.requests,
      timeout: RESPONDER_TIMEOUT,
      batchSize: 10,
      maxConcurrency: 5,
      alarmAction: alarms.alarmAction,
      environment: { HOST_QUEUE_NAME_PREFIX: hostQueueNamePrefix },
    });
    this.access.grantReply(this.responder.function);

    this.backlogAlarm = new cloudwatch.Alarm(this, 'BacklogAlarm', {
      alarmDescription: `Quote requests wait more than ${threshold.toSeconds()} s for the responder: requesters time out`,
      metric: this.requests.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: threshold.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.backlogAlarm.addAlarmAction(alarms.alarmAction);
    this.dashboard = this.addDashboard();
    this.addOutputs(hostQueueNamePrefix);
  }

  private addDashboard(): cloudwatch.Dashboard {
    const queue = this.requests.queue;
    const fn = this.responder.function;
    const period = Duration.minutes(1);
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${this.stackName}-${Aws.REGION}`,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Requests: sent and answered',
            left: [
              queue.metricNumberOfMessagesSent({ period, label: 'sent' }),
              queue.metricNumberOfMessagesDeleted({ period, label: 'answered' }),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Requests: age of oldest (s)',
            left: [
              queue.metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM }),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Dead-letter queue depth',
            left: [
              this.requests.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period,
                statistic: cloudwatch.Stats.MAXIMUM,
              }),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Responder duration (ms)',
            left: [
              fn.metricDuration({ period, statistic: cloudwatch.Stats.p(50), label: 'p50' }),
              fn.metricDuration({ period, statistic: cloudwatch.Stats.p(99), label: 'p99' }),
            ],
          }),
          new cloudwatch.GraphWidget({ title: 'Responder errors', left: [fn.metricErrors({ period })] }),
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: [this.responder.deadLetterAlarm, this.backlogAlarm],
          }),
        ],
      ],
    });
  }

  private addOutputs(hostQueueNamePrefix: string): void {
    const outputs: Record<string, [string, string]> = {
      RequestQueueUrl: [
        this.requests.queue.queueUrl,
        'Quote requests: send with the ResponseQueueUrl attribute (npx decoupled request-quote)',
      ],
      RequestDeadLetterQueueUrl: [
        this.requests.deadLetterQueue.queueUrl,
        'Requests the responder failed 3 times',
      ],
      HostQueueNamePrefix: [hostQueueNamePrefix, 'Start of every requester host queue name'],
      HostQueueTag: [`${HOST_QUEUE_TAG_KEY}=${this.stackName}`, 'The tag every host queue is created with'],
      RequesterPolicyArn: [
        this.access.requesterPolicy.managedPolicyArn,
        'Attach to requesters: send requests, own tagged host queues',
      ],
      QuoteResponderFunctionName: [this.responder.function.functionName, 'Prices each quote and replies'],
      AlarmTopicArn: [this.alarmTopic.topicArn, 'SNS topic the dead-letter and backlog alarms notify'],
    };
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }
}
