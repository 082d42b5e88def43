/**
 * The scaling engine of Auto Scaling: runs policies (simple with its cooldown, step with instance warm-up, target
 * tracking on its two CloudWatch alarms), reconciles a group's instances with its desired capacity (launch,
 * terminate with a shutdown grace), and records what it did as activities, SNS notifications and events.
 */
import { Listeners } from '../kit/listeners';
import { randomUUID } from 'node:crypto';
import type { Activity, TargetTrackingConfiguration } from '@aws-sdk/client-auto-scaling';
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { Clock, Timer } from '../clock';
import type { AlarmStateChange, CloudWatchService } from '../cloudwatch/service';
import type {
  AutoScalingEvent,
  AutoScalingNotifier,
  GroupRecord,
  InstanceRecord,
  PolicyRecord,
} from './model';
import {
  type AdjustmentType,
  adjustedCapacity,
  PREDEFINED_METRICS,
  stepFor,
  TARGET_TRACKING_ALARM_PERIODS,
  TARGET_TRACKING_SCALE_IN_RATIO,
  targetTrackingCapacity,
} from './scaling-policy';

export interface ScalingEngineOptions {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** Holds the alarms of target tracking policies. */
  readonly cloudwatch: CloudWatchService;
  readonly sns?: AutoScalingNotifier;
  /** Emulated time from launch to InService. */
  readonly bootTimeMs: number;
  /** Emulated time a terminating instance gets after SIGTERM before it is powered off. */
  readonly shutdownGraceMs: number;
}

/** An activity with its place in the order they started (DescribeScalingActivities lists the newest first). */
export type ActivityRecord = Activity & { readonly order: number };

export class ScalingEngine {
  readonly activities: ActivityRecord[] = [];
  private readonly listeners = new Listeners<AutoScalingEvent>('Auto Scaling');
  private activityOrder = 0;

  /** `groups` is the service's own map: a deleted group leaves it once its last instance is gone. */
  constructor(
    private readonly options: ScalingEngineOptions,
    private readonly groups: Map<string, GroupRecord>,
  ) {}

  /** Listens to scaling events; returns the function that removes the listener. */
  observe(listener: (event: AutoScalingEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  /** A CloudWatch alarm action naming the policy: AWS re-runs it every minute the alarm stays in its state. */
  runAlarmAction(policy: PolicyRecord, change: AlarmStateChange): void {
    const group = this.groups.get(policy.groupName);
    if (!group || group.deleting || !policy.enabled) return;
    const cause = `a monitor alarm ${change.alarmName} in state ${change.newState} triggered policy ${policy.name}`;
    if (policy.type === 'TargetTrackingScaling') {
      const role = policy.alarms.find((a) => a.arn === change.alarmArn)?.role;
      if (role && change.metricValue !== undefined)
        this.runTargetTracking(group, policy, role, change.metricValue, cause);
      return;
    }
    const onLowValues = change.comparisonOperator.startsWith('LessThan');
    this.runPolicy(group, policy, change.metricValue, change.threshold, cause, true, onLowValues);
  }

  runPolicy(
    group: GroupRecord,
    policy: PolicyRecord,
    metricValue: number | undefined,
    threshold: number | undefined,
    cause: string,
    honorCooldown: boolean,
    alarmOnLowValues = false,
  ): void {
    const type = policy.adjustmentType as AdjustmentType;
    const now = this.options.clock.now();
    if (policy.type === 'SimpleScaling') {
      // AWS: a simple scaling policy waits for the cooldown after the previous scaling activity
      if (honorCooldown && now < group.cooldownUntil) return;
      const target = adjustedCapacity(
        group.desiredCapacity,
        type,
        policy.scalingAdjustment as number,
        policy.minAdjustmentMagnitude,
      );
      if (this.changeDesired(group, this.clamp(group, target), cause)) {
        group.cooldownUntil = now + (policy.cooldown ?? group.defaultCooldown) * 1000;
      }
      return;
    }
    if (metricValue === undefined || threshold === undefined) return;
    const step = stepFor(policy.stepAdjustments ?? [], metricValue - threshold, alarmOnLowValues);
    if (!step) return;
    const warmupMs = this.warmupMs(group, policy);
    const outward =
      type === 'ExactCapacity' ? step.ScalingAdjustment > group.desiredCapacity : step.ScalingAdjustment > 0;
    if (outward) {
      // AWS: instances still warming up do not count as current capacity, so a breach in the same step while
      // they warm up adds nothing, and a breach in a larger step adds only the difference
      const capacity = this.capacityExcludingWarming(group, warmupMs);
      const target = this.clamp(
        group,
        adjustedCapacity(capacity, type, step.ScalingAdjustment, policy.minAdjustmentMagnitude),
      );
      if (target > group.desiredCapacity) this.changeDesired(group, target, cause);
    } else {
      // AWS: while instances warm up, dynamic scaling does not scale in
      if (this.warmingCount(group, warmupMs) > 0) return;
      const target = this.clamp(
        group,
        adjustedCapacity(group.desiredCapacity, type, step.ScalingAdjustment, policy.minAdjustmentMagnitude),
      );
      if (target < group.desiredCapacity) this.changeDesired(group, target, cause);
    }
  }

  private runTargetTracking(
    group: GroupRecord,
    policy: PolicyRecord,
    role: 'high' | 'low',
    metricValue: number,
    cause: string,
  ): void {
    const target = (policy.targetTracking as TargetTrackingConfiguration).TargetValue as number;
    const warmupMs = this.warmupMs(group, policy);
    // the metric is a per-instance load over the instances in service: scale that count to the target
    const inService = [...group.instances.values()].filter((i) => i.lifecycle === 'InService').length;
    const basis = Math.max(inService, 1);
    const wanted = this.clamp(group, targetTrackingCapacity(basis, metricValue, target));
    if (role === 'high') {
      if (wanted > group.desiredCapacity) this.changeDesired(group, wanted, cause);
    } else if (this.warmingCount(group, warmupMs) === 0 && wanted < group.desiredCapacity) {
      this.changeDesired(group, wanted, cause);
    }
  }

  /** AWS: a policy's warm-up, else the group's default instance warm-up, else its default cooldown. */
  private warmupMs(group: GroupRecord, policy: PolicyRecord): number {
    return (policy.estimatedInstanceWarmup ?? group.defaultInstanceWarmup ?? group.defaultCooldown) * 1000;
  }

  private warmingCount(group: GroupRecord, warmupMs: number): number {
    const now = this.options.clock.now();
    return [...group.instances.values()].filter(
      (i) =>
        i.lifecycle === 'Pending' ||
        (i.lifecycle === 'InService' && now < (i.inServiceAt ?? i.launchedAt) + warmupMs),
    ).length;
  }

  private capacityExcludingWarming(group: GroupRecord, warmupMs: number): number {
    const live = [...group.instances.values()].filter(
      (i) => i.lifecycle === 'Pending' || i.lifecycle === 'InService',
    );
    return live.length - this.warmingCount(group, warmupMs);
  }

  /** Within min and max; a capacity that is not a number (a target of 0 tracked) leaves the group as it is. */
  private clamp(group: GroupRecord, capacity: number): number {
    if (Number.isNaN(capacity)) return group.desiredCapacity;
    return Math.min(Math.max(capacity, group.minSize), group.maxSize);
  }

  /** Sets the desired capacity and launches or terminates to match; false when it did not change. */
  changeDesired(group: GroupRecord, desired: number, cause: string): boolean {
    if (desired === group.desiredCapacity && group.history.length > 0) {
      this.reconcile(group, cause);
      return false;
    }
    const from = group.desiredCapacity;
    const text = this.recordDesired(group, desired, cause);
    this.emit({ kind: 'desired-capacity-changed', groupName: group.name, from, to: desired, cause: text });
    this.reconcile(group, text);
    return true;
  }

  recordDesired(group: GroupRecord, desired: number, cause: string): string {
    const now = this.options.clock.now();
    const text = `At ${isoSeconds(now)} ${cause} changing the desired capacity from ${group.desiredCapacity} to ${desired}.`;
    group.desiredCapacity = desired;
    group.history.push({ timestamp: now, desiredCapacity: desired, cause: text });
    return text;
  }

  /** Launches or terminates instances until the live ones match the desired capacity. */
  reconcile(group: GroupRecord, cause: string): void {
    const live = () =>
      [...group.instances.values()].filter((i) => i.lifecycle === 'Pending' || i.lifecycle === 'InService');
    const now = isoSeconds(this.options.clock.now());
    let count = live().length;
    while (count < group.desiredCapacity) {
      this.launch(
        group,
        `${cause}  At ${now} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${count} to ${group.desiredCapacity}.`,
      );
      count++;
    }
    if (count > group.desiredCapacity) {
      // The emulator picks pending instances first, then the oldest (AWS's Default policy balances zones first,
      // then prefers the oldest launch template and the instance closest to its next billing hour).
      const candidates = live()
        .filter((i) => !i.protectedFromScaleIn || group.deleting)
        .sort((a, b) =>
          a.lifecycle === b.lifecycle ? a.launchedAt - b.launchedAt : a.lifecycle === 'Pending' ? -1 : 1,
        );
      const excess = Math.min(count - group.desiredCapacity, candidates.length);
      for (const instance of candidates.slice(0, excess)) {
        this.terminate(
          group,
          instance,
          `${cause}  At ${now} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${count} to ${group.desiredCapacity}.  At ${now} instance ${instance.id} was selected for termination.`,
        );
        count--;
      }
    }
  }

  private launch(group: GroupRecord, cause: string): void {
    const now = this.options.clock.now();
    const instance: InstanceRecord = {
      id: `i-${randomUUID().replace(/-/g, '').slice(0, 17)}`,
      availabilityZone: group.availabilityZones[group.nextZone++ % group.availabilityZones.length],
      lifecycle: 'Pending',
      launchedAt: now,
      protectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
    };
    group.instances.set(instance.id, instance);
    const activity = this.addActivity(group, `Launching a new EC2 instance: ${instance.id}`, cause, instance);
    const inService = () => {
      instance.bootTimer = undefined;
      if (instance.lifecycle !== 'Pending') return;
      instance.lifecycle = 'InService';
      instance.inServiceAt = this.options.clock.now();
      try {
        instance.runtime = group.launcher?.launch({ instanceId: instance.id, groupName: group.name });
      } catch (error) {
        this.finishActivity(
          activity,
          'Failed',
          `Launching a new EC2 instance failed: ${(error as Error).message}`,
        );
        this.notify(group, 'autoscaling:EC2_INSTANCE_LAUNCH_ERROR', activity, instance);
        group.instances.delete(instance.id);
        return;
      }
      this.finishActivity(activity, 'Successful');
      this.notify(group, 'autoscaling:EC2_INSTANCE_LAUNCH', activity, instance);
      this.emit({ kind: 'instance-launched', groupName: group.name, instanceId: instance.id });
    };
    if (this.options.bootTimeMs > 0)
      instance.bootTimer = this.options.clock.setTimer(now + this.options.bootTimeMs, inService);
    else inService();
  }

  terminate(group: GroupRecord, instance: InstanceRecord, cause: string): Activity & { order: number } {
    instance.lifecycle = 'Terminating';
    if (instance.bootTimer) this.options.clock.clearTimer(instance.bootTimer);
    const activity = this.addActivity(group, `Terminating EC2 instance: ${instance.id}`, cause, instance);
    const runtime = instance.runtime;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (powerOff) this.options.clock.clearTimer(powerOff);
      instance.lifecycle = 'Terminated';
      group.instances.delete(instance.id);
      this.finishActivity(activity, 'Successful');
      this.notify(group, 'autoscaling:EC2_INSTANCE_TERMINATE', activity, instance);
      this.emit({ kind: 'instance-terminated', groupName: group.name, instanceId: instance.id });
      this.removeIfGone(group);
    };
    let powerOff: Timer | undefined;
    if (!runtime) {
      finish();
      return activity;
    }
    // EC2: the OS gets the shutdown signal; whatever has not exited by the end of the grace is powered off
    powerOff = this.options.clock.setTimer(this.options.clock.now() + this.options.shutdownGraceMs, () => {
      powerOff = undefined;
      runtime.kill();
      finish();
    });
    try {
      runtime.stop().then(finish, finish);
    } catch {
      // the instance's code failed to take the signal: it is powered off at the end of its grace
    }
    return activity;
  }

  /** A deleted group leaves the service once its last instance has terminated. */
  removeIfGone(group: GroupRecord): void {
    if (group.deleting && group.instances.size === 0 && this.groups.get(group.name) === group) {
      this.groups.delete(group.name);
    }
  }

  // ===== target tracking alarms ==============================================================================

  /**
   * Creates or updates the alarms of a target tracking policy and returns them; the policy's record is left to
   * the caller. All or nothing: the low alarm (the longer evaluation window, the one CloudWatch could refuse
   * when it accepts the high one) is put first, and alarms created here are removed again if a later one fails.
   */
  putTargetTrackingAlarms(group: GroupRecord, policy: PolicyRecord): PolicyRecord['alarms'] {
    const config = policy.targetTracking as TargetTrackingConfiguration;
    const metric = alarmMetric(config, group.name);
    const target = config.TargetValue as number;
    const roles: ('high' | 'low')[] = config.DisableScaleIn ? ['high'] : ['high', 'low'];
    const previous = policy.alarms;
    const alarms = roles.map((role) => {
      const name = previous.find((a) => a.role === role)?.name ?? targetTrackingAlarmName(group.name, role);
      return {
        name,
        arn: `arn:aws:cloudwatch:${this.options.region}:${this.options.accountId}:alarm:${name}`,
        role,
      };
    });
    const created: string[] = [];
    try {
      for (const alarm of [...alarms].reverse()) {
        const periods = TARGET_TRACKING_ALARM_PERIODS[alarm.role];
        this.options.cloudwatch.putMetricAlarm({
          AlarmName: alarm.name,
          AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${policy.arn}.`,
          ActionsEnabled: true,
          AlarmActions: [policy.arn],
          ...metric,
          EvaluationPeriods: periods,
          DatapointsToAlarm: periods,
          Threshold: alarm.role === 'high' ? target : target * TARGET_TRACKING_SCALE_IN_RATIO,
          ComparisonOperator: alarm.role === 'high' ? 'GreaterThanThreshold' : 'LessThanThreshold',
        });
        if (!previous.some((a) => a.name === alarm.name)) created.push(alarm.name);
      }
    } catch (error) {
      this.deleteAlarmsThatExist(created);
      throw error;
    }
    this.deleteAlarmsThatExist(
      previous.filter((a) => !alarms.some((b) => b.name === a.name)).map((a) => a.name),
    );
    return alarms;
  }

  /** DeleteAlarms refuses the whole call for one missing name (someone may have deleted a policy's alarm). */
  deleteAlarmsThatExist(names: string[]): void {
    if (names.length === 0) return;
    const existing = this.options.cloudwatch.describeAlarms({ AlarmNames: names }).MetricAlarms ?? [];
    const found = existing.map((a) => a.AlarmName as string);
    if (found.length > 0) this.options.cloudwatch.deleteAlarms({ AlarmNames: found });
  }

  private addActivity(
    group: GroupRecord,
    description: string,
    cause: string,
    instance: InstanceRecord,
  ): Activity & { order: number } {
    const activity = {
      ActivityId: randomUUID(),
      AutoScalingGroupName: group.name,
      AutoScalingGroupARN: group.arn,
      Description: description,
      Cause: cause,
      StartTime: new Date(this.options.clock.now()),
      StatusCode: 'InProgress' as const,
      Progress: 0,
      Details: JSON.stringify({
        ...(group.vpcZoneIdentifier ? { 'Subnet ID': group.vpcZoneIdentifier.split(',')[0] } : {}),
        'Availability Zone': instance.availabilityZone,
      }),
      order: this.activityOrder++,
    };
    this.activities.push(activity);
    return activity;
  }

  private finishActivity(activity: Activity, status: 'Successful' | 'Failed', message?: string): void {
    Object.assign(activity, {
      StatusCode: status,
      Progress: 100,
      EndTime: new Date(this.options.clock.now()),
      ...(message ? { StatusMessage: message } : {}),
    });
  }

  /** The message Auto Scaling publishes to a topic, in AWS's field names. */
  private notify(group: GroupRecord, event: string, activity: Activity, instance: InstanceRecord): void {
    if (!this.options.sns) return;
    for (const [topic, types] of group.notifications) {
      if (!types.has(event)) continue;
      const message = {
        Origin: event.includes('LAUNCH') ? 'EC2' : 'AutoScalingGroup',
        Destination: event.includes('LAUNCH') ? 'AutoScalingGroup' : 'EC2',
        Progress: activity.Progress,
        AccountId: this.options.accountId,
        Description: activity.Description,
        RequestId: activity.ActivityId,
        EndTime: activity.EndTime?.toISOString(),
        AutoScalingGroupARN: group.arn,
        ActivityId: activity.ActivityId,
        StartTime: activity.StartTime?.toISOString(),
        Service: 'AWS Auto Scaling',
        Time: new Date(this.options.clock.now()).toISOString(),
        EC2InstanceId: instance.id,
        StatusCode: activity.StatusCode === 'Successful' ? 'InProgress' : activity.StatusCode,
        StatusMessage: activity.StatusMessage ?? '',
        Details: JSON.parse(activity.Details ?? '{}'),
        AutoScalingGroupName: group.name,
        Cause: activity.Cause,
        Event: event,
      };
      const what = event.endsWith('LAUNCH')
        ? 'launch'
        : event.endsWith('TERMINATE')
          ? 'termination'
          : event.endsWith('LAUNCH_ERROR')
            ? 'failed launch'
            : 'failed termination';
      try {
        this.options.sns.publishInternal(
          topic,
          JSON.stringify(message),
          `Auto Scaling: ${what} for group "${group.name}"`,
        );
      } catch (error) {
        // AWS: notifications are best effort; a missing topic does not stop the scaling
        console.error(`emulator: Auto Scaling notification to ${topic} failed: ${(error as Error).message}`);
      }
    }
  }

  emit(event: AutoScalingEvent): void {
    this.listeners.emit(event);
  }
}

/** `TargetTracking-<group>-AlarmHigh-<uuid>`, the group name cut so the name fits CloudWatch's 255 characters. */
function targetTrackingAlarmName(groupName: string, role: 'high' | 'low'): string {
  const suffix = `-Alarm${role === 'high' ? 'High' : 'Low'}-${randomUUID()}`;
  return `TargetTracking-${groupName.slice(0, 255 - 'TargetTracking-'.length - '-AlarmHigh-'.length - 36)}${suffix}`;
}

/** The metric part of PutMetricAlarm for a target tracking policy (one metric, or metric math). */
function alarmMetric(config: TargetTrackingConfiguration, groupName: string): Record<string, unknown> {
  const predefined = config.PredefinedMetricSpecification;
  if (predefined) {
    const m = PREDEFINED_METRICS[predefined.PredefinedMetricType as string];
    return {
      Namespace: m.namespace,
      MetricName: m.metricName,
      Statistic: m.statistic,
      Period: 60,
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: groupName }],
    };
  }
  const c = config.CustomizedMetricSpecification ?? {};
  if (c.Metrics && c.Metrics.length > 0) {
    const metrics: MetricDataQuery[] = c.Metrics.map((q) => ({
      Id: q.Id,
      ...(q.Expression !== undefined ? { Expression: q.Expression } : {}),
      ...(q.Label !== undefined ? { Label: q.Label } : {}),
      ReturnData: q.ReturnData ?? true,
      ...(q.MetricStat
        ? {
            MetricStat: {
              Metric: q.MetricStat.Metric,
              Stat: q.MetricStat.Stat,
              Period: q.MetricStat.Period ?? 60,
              ...(q.MetricStat.Unit ? { Unit: q.MetricStat.Unit } : {}),
            },
          }
        : {}),
    })) as MetricDataQuery[];
    return { Metrics: metrics };
  }
  return {
    Namespace: c.Namespace,
    MetricName: c.MetricName,
    Statistic: c.Statistic,
    Period: c.Period ?? 60,
    Dimensions: c.Dimensions ?? [],
    ...(c.Unit ? { Unit: c.Unit } : {}),
  };
}

/** An activity as DescribeScalingActivities returns it, without its place in the order. */
export function publicActivity(a: Activity & { order?: number }): Activity {
  const { order: _order, ...rest } = a;
  return { ...rest };
}

/** `2026-01-01T00:05:00Z`, as activity causes write times. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
