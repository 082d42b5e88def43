/**
 * What an alarm does when its state changes: the StateUpdate history item, SNS notifications (delivered to the
 * topic's ARN, in CloudWatch's JSON), the handlers other emulated services register (Auto Scaling policies, re-run
 * every minute the alarm stays in the state, as AWS does), and the Action history items of each outcome.
 */
import type { ActivityLog } from '../activity';
import type { Clock } from '../clock';
import { deliverToArn, type IntegrationGuard, serviceOfArn } from '../kit/arn-delivery';
import { type AlarmState, type ComparisonOperator, cloudWatchTime } from './alarm-evaluation';
import { type AlarmHistory, historyItem } from './alarm-history';
import { type Alarm, type AlarmConfig, alarmPeriod } from './alarm-validation';

const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'ca-central-1': 'Canada (Central)',
  'eu-west-1': 'EU (Ireland)',
  'eu-west-2': 'EU (London)',
  'eu-west-3': 'EU (Paris)',
  'eu-central-1': 'EU (Frankfurt)',
  'eu-north-1': 'EU (Stockholm)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'sa-east-1': 'South America (Sao Paulo)',
};

/** What an action handler is told when an alarm changes state (or stays in ALARM, for Auto Scaling actions). */
export interface AlarmStateChange {
  readonly alarmName: string;
  readonly alarmArn: string;
  readonly oldState: AlarmState;
  readonly newState: AlarmState;
  readonly reason: string;
  readonly reasonData?: string;
  /** Epoch ms of the change (or of the re-run). */
  readonly timestamp: number;
  /** True when the alarm did not change state and an Auto Scaling action runs again (AWS: once a minute). */
  readonly repeat: boolean;
  /** The most recent datapoint the evaluation used, if any: step scaling compares it to the threshold. */
  readonly metricValue?: number;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
}

export type AlarmActionHandler = (arn: string, change: AlarmStateChange) => void | Promise<void>;

/** What the service needs from SNS: publishing a notification on CloudWatch's behalf. */
export interface AlarmNotifier {
  publishInternal(topicArn: string, message: string, subject?: string): void;
}

export interface AlarmActionsOptions {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  readonly history: AlarmHistory;
  /** SNS, for actions naming topics. */
  readonly sns?: AlarmNotifier;
  /** Told about every change of state (npm start's log, the console), actions enabled or not. */
  readonly activity?: ActivityLog;
  /** Permissions (`--iam`): CloudWatch publishes as cloudwatch.amazonaws.com, for the alarm (aws:SourceArn). */
  readonly integrations?: IntegrationGuard;
}

export class AlarmActions {
  private readonly handlers: { matches: (arn: string) => boolean; handler: AlarmActionHandler }[] = [];

  constructor(private readonly options: AlarmActionsOptions) {}

  /** See CloudWatchService.registerActionHandler. */
  register(matches: (arn: string) => boolean, handler: AlarmActionHandler): () => void {
    const entry = { matches, handler };
    this.handlers.push(entry);
    return () => {
      const i = this.handlers.indexOf(entry);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  /** Sets the alarm's state and reason; on a change of state, records it and runs the state's actions. */
  transition(
    alarm: Alarm,
    state: AlarmState,
    reason: string,
    reasonData: string | undefined,
    metricValue: number | undefined,
    now: number,
  ): void {
    const old = alarm.state;
    // the history item is written out before anything changes: whatever fails, fails with the alarm untouched
    const item =
      old === state
        ? undefined
        : historyItem(alarm.config.name, now, 'StateUpdate', `Alarm updated from ${old} to ${state}`, {
            version: '1.0',
            oldState: {
              stateValue: old,
              stateReason: alarm.stateReason,
              ...parsedReasonData(alarm.stateReasonData),
            },
            newState: { stateValue: state, stateReason: reason, ...parsedReasonData(reasonData) },
          });
    alarm.stateReason = reason;
    alarm.stateReasonData = reasonData;
    alarm.stateUpdatedAt = now;
    if (item === undefined) return;
    alarm.state = state;
    alarm.stateTransitionedAt = now;
    this.options.history.push(item);
    if (this.options.activity?.active) {
      this.options.activity.emit({
        kind: 'alarm-state-changed',
        alarmName: alarm.config.name,
        oldState: old,
        newState: state,
        reason,
      });
    }
    if (!alarm.config.actionsEnabled) return;
    const change: AlarmStateChange = {
      alarmName: alarm.config.name,
      alarmArn: alarm.arn,
      oldState: old,
      newState: state,
      reason,
      reasonData,
      timestamp: now,
      repeat: false,
      metricValue,
      threshold: alarm.config.threshold,
      comparisonOperator: alarm.config.comparison,
    };
    for (const arn of actionsFor(alarm.config, state)) this.runAction(alarm, arn, change);
  }

  /** AWS: Auto Scaling actions run again every minute the alarm stays in the state. */
  repeatAutoScalingActions(alarm: Alarm, metricValue: number | undefined, now: number): void {
    if (!alarm.config.actionsEnabled || alarm.state === 'INSUFFICIENT_DATA') return;
    const arns = actionsFor(alarm.config, alarm.state).filter(isAutoScalingAction);
    if (arns.length === 0) return;
    const change: AlarmStateChange = {
      alarmName: alarm.config.name,
      alarmArn: alarm.arn,
      oldState: alarm.state,
      newState: alarm.state,
      reason: alarm.stateReason,
      reasonData: alarm.stateReasonData,
      timestamp: now,
      repeat: true,
      metricValue,
      threshold: alarm.config.threshold,
      comparisonOperator: alarm.config.comparison,
    };
    for (const arn of arns) this.runAction(alarm, arn, change);
  }

  private runAction(alarm: Alarm, arn: string, change: AlarmStateChange): void {
    const name = alarm.config.name;
    const succeeded = () => {
      if (!change.repeat) {
        this.options.history.add(
          name,
          this.options.clock.now(),
          'Action',
          `Successfully executed action ${arn}`,
          {
            actionState: 'Succeeded',
            stateUpdateTimestamp: change.timestamp,
          },
        );
      }
    };
    const failed = (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.options.history.add(
        name,
        this.options.clock.now(),
        'Action',
        `Failed to execute action ${arn}. Received error: "${message}"`,
        {
          actionState: 'Failed',
          stateUpdateTimestamp: change.timestamp,
          error: message,
        },
      );
    };
    try {
      if (serviceOfArn(arn) === 'sns') {
        this.authorizePublish(alarm.arn, arn);
        const region = REGION_NAMES[this.options.region] ?? this.options.region;
        deliverToArn({ sns: this.options.sns }, arn, {
          event: JSON.stringify(this.notification(alarm, change)),
          subject: `${change.newState}: "${name}" in ${region}`.slice(0, 100),
        });
        succeeded();
        return;
      }
      const entry = this.handlers.find((h) => h.matches(arn));
      if (!entry) throw new Error('the local emulator has no handler for this action');
      const outcome = entry.handler(arn, change);
      if (outcome instanceof Promise) outcome.then(succeeded, failed);
      else succeeded();
    } catch (error) {
      failed(error);
    }
  }

  /**
   * AWS: the topic policy must let cloudwatch.amazonaws.com publish for the alarm, and an encrypted topic's key
   * policy must let it use the key; a refusal is the action's failure, worded as the alarm history shows it.
   */
  private authorizePublish(alarmArn: string, topicArn: string): void {
    const guard = this.options.integrations;
    const denied = guard?.({
      service: 'cloudwatch.amazonaws.com',
      action: 'sns:Publish',
      resource: topicArn,
      sourceArn: alarmArn,
    });
    if (denied === undefined) return;
    const local = `(local emulator: ${denied})`;
    throw new Error(
      denied.startsWith('kms:')
        ? `null (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException) ${local}`
        : `Resource: ${alarmArn} is not authorized to perform: SNS:Publish on resource: ${topicArn} ${
            denied.startsWith('explicitly')
              ? 'with an explicit deny in a resource-based policy'
              : 'because no resource-based policy allows the SNS:Publish action'
          } ${local}`,
    );
  }

  /** The JSON message CloudWatch publishes to SNS topics, in AWS's field order. */
  private notification(alarm: Alarm, change: AlarmStateChange): Record<string, unknown> {
    const c = alarm.config;
    const trigger: Record<string, unknown> = {};
    if (c.metrics === undefined) {
      Object.assign(trigger, {
        MetricName: c.metricName,
        Namespace: c.namespace,
        StatisticType: c.statistic !== undefined ? 'Statistic' : 'ExtendedStatistic',
        ...(c.statistic !== undefined
          ? { Statistic: c.statistic.toUpperCase() }
          : { ExtendedStatistic: c.extendedStatistic }),
        Unit: c.unit ?? null,
        Dimensions: c.dimensions.map((d) => ({ value: d.Value, name: d.Name })),
        Period: c.period,
        EvaluationPeriods: c.evaluationPeriods,
      });
    } else {
      Object.assign(trigger, { Period: alarmPeriod(c), EvaluationPeriods: c.evaluationPeriods });
    }
    if (c.datapointsToAlarm !== undefined) trigger.DatapointsToAlarm = c.datapointsToAlarm;
    Object.assign(trigger, {
      ComparisonOperator: c.comparison,
      Threshold: c.threshold,
      TreatMissingData: c.treatMissingData ?? 'missing',
      EvaluateLowSampleCountPercentile: c.evaluateLowSampleCountPercentile ?? '',
    });
    if (c.metrics !== undefined) {
      trigger.Metrics = c.metrics.map((q) => ({
        ...(q.Expression !== undefined ? { Expression: q.Expression } : {}),
        Id: q.Id,
        ...(q.Label !== undefined ? { Label: q.Label } : {}),
        ...(q.MetricStat !== undefined
          ? {
              MetricStat: {
                Metric: {
                  Dimensions: (q.MetricStat.Metric?.Dimensions ?? []).map((d) => ({
                    value: d.Value,
                    name: d.Name,
                  })),
                  MetricName: q.MetricStat.Metric?.MetricName,
                  Namespace: q.MetricStat.Metric?.Namespace,
                },
                Period: q.MetricStat.Period,
                Stat: q.MetricStat.Stat,
                ...(q.MetricStat.Unit !== undefined ? { Unit: q.MetricStat.Unit } : {}),
              },
            }
          : {}),
        ReturnData: q.ReturnData !== false,
      }));
    }
    return {
      AlarmName: c.name,
      AlarmDescription: c.description ?? null,
      AWSAccountId: this.options.accountId,
      AlarmConfigurationUpdatedTimestamp: cloudWatchTime(alarm.configurationUpdatedAt),
      NewStateValue: change.newState,
      NewStateReason: change.reason,
      StateChangeTime: cloudWatchTime(change.timestamp),
      Region: REGION_NAMES[this.options.region] ?? this.options.region,
      AlarmArn: alarm.arn,
      OldStateValue: change.oldState,
      OKActions: c.okActions,
      AlarmActions: c.alarmActions,
      InsufficientDataActions: c.insufficientDataActions,
      Trigger: trigger,
    };
  }
}

function actionsFor(c: AlarmConfig, state: AlarmState): string[] {
  return state === 'ALARM' ? c.alarmActions : state === 'OK' ? c.okActions : c.insufficientDataActions;
}

/** EC2 Auto Scaling and Application Auto Scaling policy ARNs: AWS re-runs these while the alarm stays in state. */
function isAutoScalingAction(arn: string): boolean {
  const service = serviceOfArn(arn);
  return service === 'autoscaling' || service === 'application-autoscaling';
}

function parsedReasonData(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    return { stateReasonData: JSON.parse(text) };
  } catch {
    return {};
  }
}
