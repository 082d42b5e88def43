import type { Duration } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct } from 'constructs';
import { Problems } from '../validation';
import type { AlarmNotificationProps } from './alarm-topic';
import type { IQueueWorkerFleet } from './queue-worker-fleet';

/** One scale-out step: from this backlog on, add this many instances. */
export interface BacklogStep {
  /** Messages waiting, inclusive lower bound of the step (the first step's is the alarm threshold). */
  readonly fromBacklog: number;
  /** Instances to add while the backlog is in this step. */
  readonly addInstances: number;
}

/** Properties of a {@link BacklogStepScaling}. */
export interface BacklogStepScalingProps extends AlarmNotificationProps {
  /** The fleet to scale, on its queue's ApproximateNumberOfMessagesVisible. */
  readonly fleet: IQueueWorkerFleet;
  /** Scale-out steps in increasing backlog order. @default 10 → +1, 100 → +2, 500 → +4 */
  readonly scaleOutSteps?: readonly BacklogStep[];
  /** Minutes in a row the backlog must be high before the fleet grows (1–10). @default 1 */
  readonly scaleOutMinutes?: number;
  /** The fleet shrinks while at most this many messages wait (below the first step). @default 0 */
  readonly scaleInBacklog?: number;
  /** Minutes in a row the backlog must be low before the fleet shrinks, at least scaleOutMinutes (1–60). @default 5 */
  readonly scaleInMinutes?: number;
  /** Instances removed each minute the scale-in alarm stays in ALARM (1–10). @default 1 */
  readonly removeInstances?: number;
}

/** AWS's limits for the alarms and policies, and this construct's for the steps. */
export const BACKLOG_SCALING_LIMITS = {
  scaleOutMinutes: { min: 1, max: 10, unit: 'minutes' },
  scaleInMinutes: { min: 1, max: 60, unit: 'minutes' },
  removeInstances: { min: 1, max: 10, unit: 'instances' },
  addInstances: { min: 1, max: 100, unit: 'instances' },
  steps: { min: 1, max: 20 },
  /** AWS: target tracking values; backlog per instance below 1 would mean "less than one job each". */
  targetValue: { min: 1, max: 1_000_000 },
} as const;

const DEFAULT_STEPS: readonly BacklogStep[] = [
  { fromBacklog: 10, addInstances: 1 },
  { fromBacklog: 100, addInstances: 2 },
  { fromBacklog: 500, addInstances: 4 },
];

/**
 * The classic set-up: step scaling from two CloudWatch alarms on the queue's backlog. Out fast (a step policy
 * that adds more instances the larger the backlog), in slowly (one instance per minute once the backlog has been
 * low for several minutes, because an idle queue's SQS metrics arrive late and a draining fleet should not
 * shrink on one quiet minute). AWS re-invokes a scaling policy every minute its alarm stays in ALARM; while new
 * instances warm up, Auto Scaling counts them as already added, so one step does not add them twice.
 */
export class BacklogStepScaling extends Construct {
  readonly scaleOutAlarm: cloudwatch.Alarm;
  readonly scaleInAlarm: cloudwatch.Alarm;
  readonly scaleOutPolicy: autoscaling.StepScalingAction;
  readonly scaleInPolicy: autoscaling.StepScalingAction;

  constructor(scope: Construct, id: string, props: BacklogStepScalingProps) {
    super(scope, id);
    validateBacklogStepScalingProps(props).throwIfAny(`BacklogStepScaling '${this.node.path}'`);
    const steps = props.scaleOutSteps ?? DEFAULT_STEPS;
    const threshold = steps[0].fromBacklog;
    const scaleInBacklog = props.scaleInBacklog ?? 0;
    const outMinutes = props.scaleOutMinutes ?? 1;
    const inMinutes = props.scaleInMinutes ?? 5;
    const group = props.fleet.autoScalingGroup;
    const backlog = props.fleet.metricBacklog({ statistic: cloudwatch.Stats.MAXIMUM });

    this.scaleOutPolicy = new autoscaling.StepScalingAction(this, 'ScaleOutPolicy', {
      autoScalingGroup: group,
      adjustmentType: autoscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      metricAggregationType: autoscaling.MetricAggregationType.MAXIMUM,
    });
    steps.forEach((step, i) => {
      const next = steps[i + 1];
      this.scaleOutPolicy.addAdjustment({
        adjustment: step.addInstances,
        // AWS: step bounds are relative to the alarm threshold
        lowerBound: step.fromBacklog - threshold,
        upperBound: next === undefined ? undefined : next.fromBacklog - threshold,
      });
    });
    this.scaleOutAlarm = new cloudwatch.Alarm(this, 'ScaleOutAlarm', {
      alarmDescription: `Scale out: ${threshold} or more jobs wait in ${props.fleet.node.path}'s queue for ${outMinutes} minute(s)`,
      metric: backlog,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: outMinutes,
      datapointsToAlarm: outMinutes,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.scaleOutAlarm.addAlarmAction(new cwActions.AutoScalingAction(this.scaleOutPolicy));

    this.scaleInPolicy = new autoscaling.StepScalingAction(this, 'ScaleInPolicy', {
      autoScalingGroup: group,
      adjustmentType: autoscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      metricAggregationType: autoscaling.MetricAggregationType.MAXIMUM,
    });
    this.scaleInPolicy.addAdjustment({ adjustment: -(props.removeInstances ?? 1), upperBound: 0 });
    this.scaleInAlarm = new cloudwatch.Alarm(this, 'ScaleInAlarm', {
      alarmDescription: `Scale in: at most ${scaleInBacklog} jobs wait in ${props.fleet.node.path}'s queue for ${inMinutes} minutes in a row`,
      metric: backlog,
      threshold: scaleInBacklog,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: inMinutes,
      datapointsToAlarm: inMinutes,
      // No data says nothing about the backlog: keep the state rather than shrink on silence.
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    this.scaleInAlarm.addAlarmAction(new cwActions.AutoScalingAction(this.scaleInPolicy));
    if (props.alarmAction) {
      this.scaleOutAlarm.addAlarmAction(props.alarmAction);
      this.scaleInAlarm.addAlarmAction(props.alarmAction);
    }
  }
}

/** Checks the steps and evaluation windows, returning every problem found. */
export function validateBacklogStepScalingProps(props: BacklogStepScalingProps): Problems {
  const problems = new Problems();
  const l = BACKLOG_SCALING_LIMITS;
  problems.range('scaleOutMinutes', props.scaleOutMinutes, l.scaleOutMinutes);
  problems.range('scaleInMinutes', props.scaleInMinutes, l.scaleInMinutes);
  problems.range('removeInstances', props.removeInstances, l.removeInstances);
  const outMinutes = props.scaleOutMinutes ?? 1;
  const inMinutes = props.scaleInMinutes ?? 5;
  problems.check(
    Number.isInteger(inMinutes) && Number.isInteger(outMinutes) && inMinutes < outMinutes,
    () =>
      `scaleInMinutes (${inMinutes}) must be at least scaleOutMinutes (${outMinutes}): scale in more slowly than out, since SQS metrics of an idle queue lag`,
  );
  const steps = props.scaleOutSteps ?? DEFAULT_STEPS;
  if (steps.length < l.steps.min || steps.length > l.steps.max) {
    problems.add(
      `scaleOutSteps must have ${l.steps.min} to ${l.steps.max} steps, but ${steps.length} were given`,
    );
  }
  steps.forEach((step, i) => {
    problems.range(`scaleOutSteps[${i}].fromBacklog`, step.fromBacklog, {
      min: 1,
      max: 1_000_000_000,
      unit: 'messages',
    });
    problems.range(`scaleOutSteps[${i}].addInstances`, step.addInstances, l.addInstances);
    const previous = steps[i - 1];
    // AWS: step intervals cannot overlap or leave gaps, so the bounds must strictly increase.
    problems.check(
      previous !== undefined && !(step.fromBacklog > previous.fromBacklog),
      () =>
        `scaleOutSteps must be in increasing fromBacklog order, but step ${i} (${step.fromBacklog}) does not exceed step ${i - 1} (${previous?.fromBacklog})`,
    );
  });
  const scaleInBacklog = props.scaleInBacklog ?? 0;
  problems.range('scaleInBacklog', props.scaleInBacklog, { min: 0, max: 1_000_000_000, unit: 'messages' });
  if (steps.length > 0) {
    problems.check(
      scaleInBacklog >= steps[0].fromBacklog,
      () =>
        `scaleInBacklog (${scaleInBacklog}) must be below the first scale-out step (${steps[0].fromBacklog}), or both alarms could be in ALARM at once`,
    );
  }
  return problems;
}

/** Properties of a {@link BacklogTargetTracking}. */
export interface BacklogTargetTrackingProps {
  /** The fleet to scale (its group must collect GroupInServiceInstances, as QueueWorkerFleet's does). */
  readonly fleet: IQueueWorkerFleet;
  /** How long a job may wait before a worker starts it. */
  readonly acceptableLatency: Duration;
  /** How long a worker takes per job, measured. */
  readonly timePerJob: Duration;
  /** Seconds until a new instance counts in the metric. @default the group's default instance warm-up */
  readonly estimatedInstanceWarmup?: Duration;
  /** Leave scale-in to something else (the policy only adds instances). @default false */
  readonly disableScaleIn?: boolean;
}

/**
 * AWS's recommended set-up for queue workers: target tracking on backlog per instance (messages visible ÷
 * instances in service, by CloudWatch metric math), with the target the backlog one instance can clear within
 * the acceptable latency: acceptable latency ÷ time per job. Auto Scaling creates and owns the two alarms
 * (AlarmHigh after 3 minutes above the target, AlarmLow after 15 minutes below 90% of it).
 */
export class BacklogTargetTracking extends Construct {
  readonly policy: autoscaling.CfnScalingPolicy;
  /** acceptable latency ÷ time per job. */
  readonly targetBacklogPerInstance: number;

  constructor(scope: Construct, id: string, props: BacklogTargetTrackingProps) {
    super(scope, id);
    validateBacklogTargetTrackingProps(props).throwIfAny(`BacklogTargetTracking '${this.node.path}'`);
    this.targetBacklogPerInstance = targetBacklogPerInstance(props.acceptableLatency, props.timePerJob);
    const fleet = props.fleet;
    const groupName = fleet.autoScalingGroup.autoScalingGroupName;
    const queueName = fleet.source.queue.queueName;
    this.policy = new autoscaling.CfnScalingPolicy(this, 'Policy', {
      autoScalingGroupName: groupName,
      policyType: 'TargetTrackingScaling',
      estimatedInstanceWarmup: props.estimatedInstanceWarmup?.toSeconds(),
      targetTrackingConfiguration: {
        targetValue: this.targetBacklogPerInstance,
        disableScaleIn: props.disableScaleIn,
        customizedMetricSpecification: {
          metrics: [
            {
              id: 'backlog',
              label: 'Messages waiting',
              returnData: false,
              metricStat: {
                metric: {
                  namespace: 'AWS/SQS',
                  metricName: 'ApproximateNumberOfMessagesVisible',
                  dimensions: [{ name: 'QueueName', value: queueName }],
                },
                stat: 'Sum',
              },
            },
            {
              id: 'instances',
              label: 'Instances in service',
              returnData: false,
              metricStat: {
                metric: {
                  namespace: 'AWS/AutoScaling',
                  metricName: 'GroupInServiceInstances',
                  dimensions: [{ name: 'AutoScalingGroupName', value: groupName }],
                },
                stat: 'Average',
              },
            },
            {
              id: 'backlogPerInstance',
              label: 'Backlog per instance',
              expression: 'backlog / instances',
              returnData: true,
            },
          ],
        },
      },
    });
  }
}

/** AWS's guidance: the backlog one instance may hold is the acceptable latency ÷ the time it takes per job. */
export function targetBacklogPerInstance(acceptableLatency: Duration, timePerJob: Duration): number {
  const ratio = acceptableLatency.toSeconds({ integral: false }) / timePerJob.toSeconds({ integral: false });
  return Math.floor(ratio * 100) / 100;
}

/** Checks the target this set-up derives, returning every problem found. */
export function validateBacklogTargetTrackingProps(props: BacklogTargetTrackingProps): Problems {
  const problems = new Problems();
  const l = BACKLOG_SCALING_LIMITS;
  const latency = props.acceptableLatency;
  const perJob = props.timePerJob;
  if (!latency.isUnresolved() && !perJob.isUnresolved()) {
    const perJobSeconds = perJob.toSeconds({ integral: false });
    if (!(perJobSeconds > 0)) {
      problems.add(`timePerJob must be above 0 seconds, but ${perJobSeconds} was provided`);
    } else {
      const target = targetBacklogPerInstance(latency, perJob);
      problems.check(
        target < l.targetValue.min || target > l.targetValue.max,
        () =>
          `acceptableLatency ÷ timePerJob must be from ${l.targetValue.min} to ${l.targetValue.max.toLocaleString('en-US')} jobs per instance, but it is ${target}`,
      );
    }
  }
  problems.durationRange('estimatedInstanceWarmup', props.estimatedInstanceWarmup, { min: 0, max: 3_600 });
  return problems;
}
