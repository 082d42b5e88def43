/**
 * Amazon EC2 Auto Scaling: groups with min/max/desired capacity whose instances are local workers, simple, step
 * and target tracking scaling policies run by CloudWatch alarm actions, scaling activities, launch and termination
 * notifications to SNS, and the AWS/AutoScaling group metrics every emulated minute. One method per AWS operation,
 * SDK shapes in and out; the checks are in validation.ts, the scaling itself in scaling-engine.ts.
 *
 * Everything follows the emulator's Clock. Instances start through the group's {@link InstanceLauncher}
 * (`setInstanceLauncher`); a group without one keeps instance records only. The sequence of desired capacities
 * of each group is kept for tests (`desiredCapacityHistory`).
 */
import { randomUUID } from 'node:crypto';
import type {
  Activity,
  AutoScalingGroup,
  AutoScalingInstanceDetails,
  CreateAutoScalingGroupType,
  DeleteAutoScalingGroupType,
  DeleteNotificationConfigurationType,
  DeletePolicyType,
  AutoScalingGroupNamesType,
  DescribeAutoScalingInstancesType,
  DescribeNotificationConfigurationsType,
  DescribePoliciesType,
  DescribeScalingActivitiesType,
  DisableMetricsCollectionQuery,
  EnableMetricsCollectionQuery,
  ExecutePolicyType,
  Instance,
  NotificationConfiguration,
  PolicyARNType,
  PutNotificationConfigurationType,
  PutScalingPolicyType,
  ScalingPolicy,
  SetDesiredCapacityType,
  TerminateInstanceInAutoScalingGroupType,
  UpdateAutoScalingGroupType,
} from '@aws-sdk/client-auto-scaling';
import type { Clock } from '../clock';
import type { AlarmStateChange, CloudWatchService } from '../cloudwatch/service';
import { AwsError } from '../errors';
import { type Page, pageOf } from '../kit/pagination';
import type { InstanceLauncher } from './instances';
import type {
  AutoScalingEvent,
  AutoScalingNotifier,
  DesiredCapacityChange,
  GroupConfig,
  GroupRecord,
  InstanceRecord,
  LifecycleState,
  PolicyRecord,
} from './model';
import { ScalingEngine, isoSeconds, publicActivity } from './scaling-engine';
import { ADJUSTMENT_TYPES, type AdjustmentType, stepAdjustmentsProblem } from './scaling-policy';
import {
  checkExactAdjustment,
  checkGroupStrings,
  checkIntegers,
  checkLaunchTemplate,
  checkLocalMaxSize,
  checkSizes,
  checkTags,
  checkTargetTracking,
  groupFilter,
  invalidNextToken,
  limitExceeded,
  MAX_INSTANCE_IDS,
  optionalNonNegative,
  pageSize,
  QUOTAS,
  refuseUnsupportedGroupMembers,
  requireInteger,
  requireName,
  toStep,
  unsupported,
  validation,
} from './validation';

export type { AutoScalingEvent, AutoScalingNotifier, DesiredCapacityChange } from './model';
export { LOCAL_MAX_GROUP_SIZE } from './validation';

export interface AutoScalingServiceOptions {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** CloudWatch: runs the policies its alarms name, holds target tracking alarms, receives group metrics. */
  readonly cloudwatch: CloudWatchService;
  /** SNS, for notification configurations. */
  readonly sns?: AutoScalingNotifier;
  /** Emulated time from launch to InService (boot and user data). @default 0 */
  readonly bootTimeMs?: number;
  /** Emulated time a terminating instance gets after SIGTERM before it is powered off. @default 120 seconds */
  readonly shutdownGraceMs?: number;
}

/** AWS: the group metrics `EnableMetricsCollection` offers (the instance-count ones; no warm pool). */
export const GROUP_METRICS = [
  'GroupMinSize',
  'GroupMaxSize',
  'GroupDesiredCapacity',
  'GroupInServiceInstances',
  'GroupPendingInstances',
  'GroupStandbyInstances',
  'GroupTerminatingInstances',
  'GroupTotalInstances',
] as const;

const NOTIFICATION_TYPES = [
  'autoscaling:EC2_INSTANCE_LAUNCH',
  'autoscaling:EC2_INSTANCE_LAUNCH_ERROR',
  'autoscaling:EC2_INSTANCE_TERMINATE',
  'autoscaling:EC2_INSTANCE_TERMINATE_ERROR',
  'autoscaling:TEST_NOTIFICATION',
];
const POLICY_TYPES = ['SimpleScaling', 'StepScaling', 'TargetTrackingScaling'] as const;
const METRIC_AGGREGATION_TYPES = ['Minimum', 'Maximum', 'Average'];
/** AWS: a group's default cooldown when none is given. */
const DEFAULT_COOLDOWN_SECONDS = 300;
const DEFAULT_SHUTDOWN_GRACE_MS = 120_000;
const MAX_RECORDS = { groups: 100, policies: 100, activities: 100, instances: 50, notifications: 100 };

/** Told about every group that may have changed (`--state-dir`): its settings, policies or capacity. */
export interface AutoScalingChanges {
  groupChanged(name: string): void;
}

export class AutoScalingService {
  private readonly groups = new Map<string, GroupRecord>();
  private readonly policiesByArn = new Map<string, PolicyRecord>();
  private readonly engine: ScalingEngine;
  private readonly removeHooks: (() => void)[] = [];
  private closed = false;
  /** Durable-state listener (persistence); undefined without `--state-dir`, so the hooks cost one check. */
  private changes: AutoScalingChanges | undefined;

  constructor(private readonly options: AutoScalingServiceOptions) {
    this.engine = new ScalingEngine(
      {
        ...options,
        bootTimeMs: options.bootTimeMs ?? 0,
        shutdownGraceMs: options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS,
      },
      this.groups,
    );
    this.removeHooks.push(
      // only the policies that exist here: other handlers may own other scaling policy ARNs
      options.cloudwatch.registerActionHandler(
        (arn) => this.policiesByArn.has(arn),
        (arn, change) => this.onAlarmAction(arn, change),
      ),
      options.cloudwatch.onMinute((minuteStart) => this.publishGroupMetrics(minuteStart)),
    );
  }

  // ===== in-process hooks ====================================================================================

  /** Makes the group's instances run `launcher`'s code from now on (instances already running keep theirs). */
  setInstanceLauncher(groupName: string, launcher: InstanceLauncher | undefined): void {
    this.group(groupName).launcher = launcher;
  }

  /** Every desired capacity the group has had, oldest first, starting with its creation. */
  desiredCapacityHistory(groupName: string): readonly DesiredCapacityChange[] {
    return this.group(groupName).history;
  }

  /** Listens to scaling events; returns the function that removes the listener. */
  observe(listener: (event: AutoScalingEvent) => void): () => void {
    return this.engine.observe(listener);
  }

  /** Persistence (`--state-dir`): every group an operation or the scaling engine touches goes to `changes`. */
  persistTo(changes: AutoScalingChanges): void {
    this.changes = changes;
    this.removeHooks.push(this.engine.observe((event) => changes.groupChanged(event.groupName)));
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** A group as kept (persistence); undefined once deleted. */
  groupRecord(name: string): GroupRecord | undefined {
    return this.groups.get(name);
  }

  /**
   * Restore: a group as kept, without instances; it launches its desired capacity again (new instances, as AWS
   * replaces instances that are gone). Its policies answer their alarms' actions again.
   */
  adoptGroup(group: GroupRecord): void {
    this.groups.set(group.name, group);
    for (const policy of group.policies.values()) this.policiesByArn.set(policy.arn, policy);
    this.engine.reconcile(group, `At ${isoSeconds(this.options.clock.now())} the emulator restarted.`);
  }

  /** Emulator shutdown: powers every instance off (nothing is left to release work to); removes the hooks. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const remove of this.removeHooks.splice(0)) remove();
    for (const group of this.groups.values()) {
      for (const instance of group.instances.values()) {
        if (instance.bootTimer) this.options.clock.clearTimer(instance.bootTimer);
        instance.runtime?.kill();
      }
    }
  }

  // ===== groups ==============================================================================================

  /** Creates a group; in-process callers (local mode, tests) may give the launcher its instances run from the start. */
  createAutoScalingGroup(input: CreateAutoScalingGroupType, launcher?: InstanceLauncher): void {
    // every member is checked before anything is created: a refused request leaves nothing behind
    checkIntegers(input);
    const name = requireName(input.AutoScalingGroupName, 'autoScalingGroupName');
    const minSize = requireInteger(input.MinSize, 'minSize');
    const maxSize = requireInteger(input.MaxSize, 'maxSize');
    const desired =
      input.DesiredCapacity === undefined
        ? minSize
        : requireInteger(input.DesiredCapacity, 'desiredCapacity');
    if (this.groups.has(name)) {
      throw new AwsError(
        'AlreadyExists',
        `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`,
      );
    }
    if (
      input.LaunchTemplate === undefined &&
      input.LaunchConfigurationName === undefined &&
      input.MixedInstancesPolicy === undefined &&
      input.InstanceId === undefined
    ) {
      throw validation(
        'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
      );
    }
    if (input.LaunchTemplate) checkLaunchTemplate(input.LaunchTemplate);
    checkSizes(minSize, maxSize, desired);
    checkLocalMaxSize(maxSize);
    checkGroupStrings(input);
    refuseUnsupportedGroupMembers(input);
    const config = groupConfig(input);
    const subnets = splitSubnets(input.VPCZoneIdentifier);
    if ((input.AvailabilityZones ?? []).length === 0 && subnets.length === 0) {
      throw validation('At least one Availability Zone or VPC Subnet is required.');
    }
    const cooldown = optionalNonNegative(input.DefaultCooldown, 'defaultCooldown');
    const warmup = optionalNonNegative(input.DefaultInstanceWarmup, 'defaultInstanceWarmup');
    const gracePeriod = optionalNonNegative(input.HealthCheckGracePeriod, 'healthCheckGracePeriod');
    const tags = checkTags(input.Tags ?? []);
    const now = this.options.clock.now();
    const group: GroupRecord = {
      name,
      arn: `arn:aws:autoscaling:${this.options.region}:${this.options.accountId}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`,
      createdAt: now,
      minSize,
      maxSize,
      desiredCapacity: 0,
      defaultCooldown: cooldown ?? DEFAULT_COOLDOWN_SECONDS,
      defaultInstanceWarmup: warmup,
      launchTemplate: input.LaunchTemplate,
      launchConfigurationName: input.LaunchConfigurationName,
      availabilityZones:
        input.AvailabilityZones && input.AvailabilityZones.length > 0
          ? [...input.AvailabilityZones]
          : subnets.map((_, i) => `${this.options.region}${String.fromCharCode(97 + (i % 6))}`),
      vpcZoneIdentifier: subnets.length > 0 ? subnets.join(',') : undefined,
      healthCheckType: input.HealthCheckType ?? 'EC2',
      healthCheckGracePeriod: gracePeriod ?? 0,
      tags: tags.map((t) => ({ ...t, ResourceId: name, ResourceType: 'auto-scaling-group' })),
      terminationPolicies: input.TerminationPolicies ? [...input.TerminationPolicies] : ['Default'],
      newInstancesProtectedFromScaleIn: input.NewInstancesProtectedFromScaleIn ?? false,
      ...(input.MixedInstancesPolicy ? { mixedInstancesPolicy: input.MixedInstancesPolicy } : {}),
      config: { DeletionProtection: 'none', ...config },
      instances: new Map(),
      policies: new Map(),
      notifications: new Map(),
      cooldownUntil: 0,
      deleting: false,
      history: [],
      nextZone: 0,
      launcher,
    };
    this.groups.set(name, group);
    this.changes?.groupChanged(name);
    this.engine.changeDesired(group, desired, `a user request created an AutoScalingGroup`);
  }

  updateAutoScalingGroup(input: UpdateAutoScalingGroupType): void {
    // every member is checked before the group changes: a refused update leaves the group as it was
    checkIntegers(input);
    const group = this.group(requireName(input.AutoScalingGroupName, 'autoScalingGroupName'));
    const minSize = input.MinSize === undefined ? group.minSize : requireInteger(input.MinSize, 'minSize');
    const maxSize = input.MaxSize === undefined ? group.maxSize : requireInteger(input.MaxSize, 'maxSize');
    const desired =
      input.DesiredCapacity === undefined
        ? // AWS: a new MinSize above (or MaxSize below) the current size moves the desired capacity with it
          Math.min(Math.max(group.desiredCapacity, minSize), maxSize)
        : requireInteger(input.DesiredCapacity, 'desiredCapacity');
    checkSizes(minSize, maxSize, desired);
    checkLocalMaxSize(maxSize);
    if (input.LaunchTemplate) checkLaunchTemplate(input.LaunchTemplate);
    checkGroupStrings(input);
    const cooldown = optionalNonNegative(input.DefaultCooldown, 'defaultCooldown');
    const warmup = optionalNonNegative(input.DefaultInstanceWarmup, 'defaultInstanceWarmup');
    const gracePeriod = optionalNonNegative(input.HealthCheckGracePeriod, 'healthCheckGracePeriod');
    refuseUnsupportedGroupMembers(input);
    const config = groupConfig(input);
    group.minSize = minSize;
    Object.assign(group.config, config);
    if (input.MixedInstancesPolicy) group.mixedInstancesPolicy = input.MixedInstancesPolicy;
    group.maxSize = maxSize;
    if (cooldown !== undefined) group.defaultCooldown = cooldown;
    if (warmup !== undefined) group.defaultInstanceWarmup = warmup;
    if (input.LaunchTemplate) group.launchTemplate = input.LaunchTemplate;
    if (input.LaunchConfigurationName) group.launchConfigurationName = input.LaunchConfigurationName;
    if (input.VPCZoneIdentifier) group.vpcZoneIdentifier = splitSubnets(input.VPCZoneIdentifier).join(',');
    if (input.AvailabilityZones && input.AvailabilityZones.length > 0)
      group.availabilityZones = [...input.AvailabilityZones];
    if (input.HealthCheckType) group.healthCheckType = input.HealthCheckType;
    if (gracePeriod !== undefined) group.healthCheckGracePeriod = gracePeriod;
    if (input.TerminationPolicies) group.terminationPolicies = [...input.TerminationPolicies];
    if (input.NewInstancesProtectedFromScaleIn !== undefined)
      group.newInstancesProtectedFromScaleIn = input.NewInstancesProtectedFromScaleIn;
    this.engine.changeDesired(
      group,
      desired,
      `a user request update of AutoScalingGroup constraints to min: ${minSize}, max: ${maxSize}, desired: ${desired}`,
    );
  }

  deleteAutoScalingGroup(input: DeleteAutoScalingGroupType): void {
    const name = requireName(input.AutoScalingGroupName, 'autoScalingGroupName');
    const group = this.groups.get(name);
    if (!group) throw validation(`AutoScalingGroup name not found - ${name}`);
    const protection = group.config.DeletionProtection;
    if (
      protection === 'prevent-all-deletion' ||
      (protection === 'prevent-force-deletion' && input.ForceDelete)
    ) {
      throw validation(
        `AutoScalingGroup ${name} has DeletionProtection set to ${protection}; update its DeletionProtection before deleting it.`,
      );
    }
    const live = [...group.instances.values()].filter((i) => i.lifecycle !== 'Terminated');
    if (live.length > 0 && !input.ForceDelete) {
      throw new AwsError(
        'ResourceInUse',
        'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.',
      );
    }
    for (const policy of [...group.policies.values()]) this.removePolicy(group, policy);
    group.deleting = true;
    group.minSize = 0;
    group.desiredCapacity = 0;
    this.engine.reconcile(group, `a user request deleted the AutoScalingGroup`);
    this.engine.removeIfGone(group);
    this.changes?.groupChanged(name);
  }

  /** IncludeManagedResources changes nothing: no local group is managed by an operator (Operator is refused). */
  describeAutoScalingGroups(input: AutoScalingGroupNamesType = {}): {
    AutoScalingGroups: AutoScalingGroup[];
    NextToken?: string;
  } {
    const matches = groupFilter(input.Filters ?? []);
    const names = input.AutoScalingGroupNames && new Set(input.AutoScalingGroupNames);
    // AWS: names and every filter must all match
    const all = [...this.groups.values()].filter(
      (g) => (names === undefined || names.has(g.name)) && matches(g.tags),
    );
    const page = pageFrom(all, input, MAX_RECORDS.groups);
    return {
      AutoScalingGroups: page.items.map((g) => this.describeGroup(g, input.IncludeInstances ?? true)),
      NextToken: page.nextToken,
    };
  }

  describeAutoScalingInstances(input: DescribeAutoScalingInstancesType = {}): {
    AutoScalingInstances: AutoScalingInstanceDetails[];
    NextToken?: string;
  } {
    if (input.InstanceIds && input.InstanceIds.length > MAX_INSTANCE_IDS) {
      throw validation(
        `1 validation error detected: Value '[${input.InstanceIds.join(', ')}]' at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to ${MAX_INSTANCE_IDS}`,
      );
    }
    const ids = input.InstanceIds && new Set(input.InstanceIds);
    const all = [...this.groups.values()].flatMap((g) =>
      [...g.instances.values()]
        .filter((i) => ids === undefined || ids.has(i.id))
        .map((i): AutoScalingInstanceDetails => ({
          ...this.describeInstance(g, i),
          AutoScalingGroupName: g.name,
        })),
    );
    const page = pageFrom(all, input, MAX_RECORDS.instances);
    return { AutoScalingInstances: page.items, NextToken: page.nextToken };
  }

  setDesiredCapacity(input: SetDesiredCapacityType): void {
    checkIntegers(input);
    const group = this.group(requireName(input.AutoScalingGroupName, 'autoScalingGroupName'));
    const desired = requireInteger(input.DesiredCapacity, 'desiredCapacity');
    if (desired > group.maxSize) {
      throw validation(
        `New SetDesiredCapacity value ${desired} is above max value ${group.maxSize} for the AutoScalingGroup.`,
      );
    }
    if (desired < group.minSize) {
      throw validation(
        `New SetDesiredCapacity value ${desired} is below min value ${group.minSize} for the AutoScalingGroup.`,
      );
    }
    if (input.HonorCooldown && this.options.clock.now() < group.cooldownUntil) {
      throw new AwsError(
        'ScalingActivityInProgress',
        'The operation can’t be performed because there are scaling activities in progress.',
      );
    }
    this.engine.changeDesired(group, desired, 'a user request explicitly set group desired capacity');
    if (input.HonorCooldown) group.cooldownUntil = this.options.clock.now() + group.defaultCooldown * 1000;
  }

  terminateInstanceInAutoScalingGroup(input: TerminateInstanceInAutoScalingGroupType): {
    Activity?: Activity;
    Activities?: Activity[];
  } {
    if (input.InstanceIds !== undefined) return this.terminateInstances(input);
    if (input.AutoScalingGroupName !== undefined) {
      throw validation('AutoScalingGroupName is only valid together with InstanceIds.');
    }
    const id = requireName(input.InstanceId, 'instanceId');
    const found = [...this.groups.values()]
      .map((g) => [g, g.instances.get(id)] as const)
      .find(([, i]) => i !== undefined && i.lifecycle !== 'Terminated');
    if (!found || !found[1])
      throw validation(`Instance Id not found - No managed instance found for instance ID: ${id}`);
    const [group, instance] = found;
    if (input.ShouldDecrementDesiredCapacity === undefined) {
      throw validation(
        "1 validation error detected: Value null at 'shouldDecrementDesiredCapacity' failed to satisfy constraint: Member must not be null",
      );
    }
    if (input.ShouldDecrementDesiredCapacity) {
      if (group.desiredCapacity - 1 < group.minSize) {
        throw validation(
          `Currently, desiredSize equals minSize (${group.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
        );
      }
      this.engine.recordDesired(
        group,
        group.desiredCapacity - 1,
        'a user request explicitly terminated an instance',
      );
    }
    const activity = this.engine.terminate(
      group,
      instance,
      `At ${isoSeconds(this.options.clock.now())} instance ${instance.id} taken out of service in response to a user request${input.ShouldDecrementDesiredCapacity ? ', shrinking the capacity' : ''}.`,
    );
    if (!input.ShouldDecrementDesiredCapacity)
      this.engine.reconcile(group, 'an instance was terminated by a user request');
    return { Activity: publicActivity(activity) };
  }

  /** AWS: InstanceIds (with AutoScalingGroupName, instead of InstanceId) terminates several at once. */
  private terminateInstances(input: TerminateInstanceInAutoScalingGroupType): { Activities: Activity[] } {
    if (input.InstanceId !== undefined) {
      throw validation('Specify either InstanceId or InstanceIds, not both.');
    }
    const group = this.group(requireName(input.AutoScalingGroupName, 'autoScalingGroupName'));
    const ids = [...new Set(input.InstanceIds ?? [])];
    if (ids.length === 0) {
      throw validation(
        "1 validation error detected: Value '[]' at 'instanceIds' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    }
    if (ids.length > MAX_INSTANCE_IDS) {
      throw validation(
        `1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to ${MAX_INSTANCE_IDS}`,
      );
    }
    if (input.ShouldDecrementDesiredCapacity === undefined) {
      throw validation(
        "1 validation error detected: Value null at 'shouldDecrementDesiredCapacity' failed to satisfy constraint: Member must not be null",
      );
    }
    // every instance is checked before any is terminated
    const instances = ids.map((id) => {
      const instance = group.instances.get(id);
      if (!instance || instance.lifecycle === 'Terminated' || instance.lifecycle === 'Terminating') {
        throw validation(
          `Instance Id not found - No managed instance found for instance ID: ${id} in AutoScalingGroup ${group.name}`,
        );
      }
      return instance;
    });
    const decrement = input.ShouldDecrementDesiredCapacity;
    if (decrement && group.desiredCapacity - instances.length < group.minSize) {
      throw validation(
        `Terminating ${instances.length} instances without replacement would take the desired capacity below the group's min size (${group.minSize}). Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
      );
    }
    if (decrement) {
      this.engine.recordDesired(
        group,
        group.desiredCapacity - instances.length,
        'a user request explicitly terminated instances',
      );
    }
    const activities = instances.map((instance) =>
      this.engine.terminate(
        group,
        instance,
        `At ${isoSeconds(this.options.clock.now())} instance ${instance.id} taken out of service in response to a user request${decrement ? ', shrinking the capacity' : ''}.`,
      ),
    );
    if (!decrement) this.engine.reconcile(group, 'instances were terminated by a user request');
    return { Activities: activities.map(publicActivity) };
  }

  // ===== metrics collection and notifications ================================================================

  enableMetricsCollection(input: EnableMetricsCollectionQuery): void {
    const group = this.group(requireName(input.AutoScalingGroupName, 'autoScalingGroupName'));
    if (input.Granularity !== '1Minute') {
      throw validation(`Granularity ${input.Granularity ?? 'null'} is not a valid granularity; use 1Minute.`);
    }
    const requested = input.Metrics && input.Metrics.length > 0 ? input.Metrics : [...GROUP_METRICS];
    const unknown = requested.filter((m) => !(GROUP_METRICS as readonly string[]).includes(m));
    if (unknown.length > 0) throw validation(`Metric ${unknown[0]} is not a valid metric.`);
    group.enabledMetrics = [...new Set([...(group.enabledMetrics ?? []), ...requested])];
  }

  disableMetricsCollection(input: DisableMetricsCollectionQuery): void {
    const group = this.group(requireName(input.AutoScalingGroupName, 'autoScalingGroupName'));
    const removed = input.Metrics && input.Metrics.length > 0 ? input.Metrics : [...GROUP_METRICS];
    const unknown = removed.filter((m) => !(GROUP_METRICS as readonly string[]).includes(m));
    if (unknown.length > 0) throw validation(`Metric ${unknown[0]} is not a valid metric.`);
    const left = (group.enabledMetrics ?? []).filter((m) => !removed.includes(m));
    group.enabledMetrics = left.length > 0 ? left : undefined;
  }

  putNotificationConfiguration(input: PutNotificationConfigurationType): void {
    const group = this.group(requireName(input.AutoScalingGroupName, 'autoScalingGroupName'));
    const topic = requireName(input.TopicARN, 'topicARN');
    const types = input.NotificationTypes ?? [];
    const unknown = types.find((t) => !NOTIFICATION_TYPES.includes(t));
    if (unknown !== undefined) throw validation(`${unknown} is not a valid notification type.`);
    if (types.length === 0) {
      throw validation(
        "1 validation error detected: Value null at 'notificationTypes' failed to satisfy constraint: Member must not be null",
      );
    }
    if (!group.notifications.has(topic) && group.notifications.size >= QUOTAS.topicsPerGroup) {
      throw limitExceeded(
        `You have reached the limit of ${QUOTAS.topicsPerGroup} SNS topics per AutoScalingGroup for ${group.name}.`,
      );
    }
    group.notifications.set(topic, new Set(types));
  }

  describeNotificationConfigurations(input: DescribeNotificationConfigurationsType = {}): {
    NotificationConfigurations: NotificationConfiguration[];
    NextToken?: string;
  } {
    const names =
      input.AutoScalingGroupNames && input.AutoScalingGroupNames.length > 0
        ? new Set(input.AutoScalingGroupNames)
        : undefined;
    const out: NotificationConfiguration[] = [];
    for (const group of this.groups.values()) {
      if (names !== undefined && !names.has(group.name)) continue;
      for (const [topic, types] of group.notifications) {
        for (const type of types)
          out.push({ AutoScalingGroupName: group.name, TopicARN: topic, NotificationType: type });
      }
    }
    const page = pageFrom(out, input, MAX_RECORDS.notifications);
    return { NotificationConfigurations: page.items, NextToken: page.nextToken };
  }

  deleteNotificationConfiguration(input: DeleteNotificationConfigurationType): void {
    const group = this.group(requireName(input.AutoScalingGroupName, 'autoScalingGroupName'));
    group.notifications.delete(requireName(input.TopicARN, 'topicARN'));
  }

  // ===== policies ============================================================================================

  putScalingPolicy(input: PutScalingPolicyType): PolicyARNType {
    checkIntegers(input);
    const group = this.group(requireName(input.AutoScalingGroupName, 'autoScalingGroupName'));
    const name = requireName(input.PolicyName, 'policyName');
    if (input.PredictiveScalingConfiguration !== undefined) {
      throw unsupported(
        'PredictiveScalingConfiguration',
        'predictive scaling forecasts from history it does not have',
      );
    }
    const type = (input.PolicyType ?? 'SimpleScaling') as PolicyRecord['type'];
    if (!POLICY_TYPES.includes(type)) {
      throw validation(
        `Unsupported policy type ${input.PolicyType}: the emulator runs ${POLICY_TYPES.join(', ')}.`,
      );
    }
    const existing = group.policies.get(name);
    if (existing && existing.type !== type) {
      throw validation(`A policy's type cannot be changed: ${name} is a ${existing.type} policy.`);
    }
    if (!existing && group.policies.size >= QUOTAS.policiesPerGroup) {
      throw limitExceeded(
        `You have reached the limit of ${QUOTAS.policiesPerGroup} scaling policies per AutoScalingGroup for ${group.name}.`,
      );
    }
    const policy: PolicyRecord = existing ?? {
      name,
      arn: `arn:aws:autoscaling:${this.options.region}:${this.options.accountId}:scalingPolicy:${randomUUID()}:autoScalingGroupName/${group.name}:policyName/${name}`,
      groupName: group.name,
      type,
      enabled: true,
      alarms: [],
    };
    const updated: PolicyRecord = { ...policy, enabled: input.Enabled ?? true, alarms: policy.alarms };
    if (type === 'TargetTrackingScaling') {
      checkTargetTracking(input);
      updated.targetTracking = input.TargetTrackingConfiguration;
      updated.estimatedInstanceWarmup = optionalNonNegative(
        input.EstimatedInstanceWarmup,
        'estimatedInstanceWarmup',
      );
    } else {
      const adjustmentType = input.AdjustmentType as AdjustmentType | undefined;
      if (adjustmentType === undefined) {
        throw validation(`AdjustmentType is required for ${type} policies.`);
      }
      if (!ADJUSTMENT_TYPES.includes(adjustmentType)) {
        throw validation(`Unsupported adjustment type ${adjustmentType}`);
      }
      const magnitude = input.MinAdjustmentMagnitude ?? input.MinAdjustmentStep;
      if (magnitude !== undefined) {
        if (adjustmentType !== 'PercentChangeInCapacity') {
          throw validation(
            'MinAdjustmentMagnitude is only supported with PercentChangeInCapacity adjustment type.',
          );
        }
        if (!Number.isInteger(magnitude) || magnitude < 1)
          throw validation('MinAdjustmentMagnitude must be at least 1.');
      }
      updated.adjustmentType = adjustmentType;
      updated.minAdjustmentMagnitude = magnitude;
      if (type === 'SimpleScaling') {
        if (input.ScalingAdjustment === undefined) {
          throw validation('ScalingAdjustment is required for simple scaling policies.');
        }
        if (input.StepAdjustments && input.StepAdjustments.length > 0) {
          throw validation('StepAdjustments are not supported for simple scaling policies.');
        }
        checkExactAdjustment(adjustmentType, input.ScalingAdjustment);
        updated.scalingAdjustment = input.ScalingAdjustment;
        updated.cooldown = optionalNonNegative(input.Cooldown, 'cooldown');
      } else {
        if (input.ScalingAdjustment !== undefined) {
          throw validation('ScalingAdjustment is not supported for step scaling policies.');
        }
        if (input.Cooldown !== undefined)
          throw validation('Cooldown is not supported for step scaling policies.');
        if ((input.StepAdjustments ?? []).length > QUOTAS.stepAdjustments) {
          throw validation(
            `There can be at most ${QUOTAS.stepAdjustments} step adjustments per scaling policy`,
          );
        }
        const steps = (input.StepAdjustments ?? []).map(toStep);
        const problem = stepAdjustmentsProblem(steps);
        if (problem) throw validation(problem);
        for (const step of steps) checkExactAdjustment(adjustmentType, step.ScalingAdjustment);
        const aggregation = input.MetricAggregationType ?? 'Average';
        if (!METRIC_AGGREGATION_TYPES.includes(aggregation)) {
          throw validation(`Unsupported metric aggregation type ${aggregation}`);
        }
        updated.stepAdjustments = steps;
        updated.metricAggregationType = aggregation;
        updated.estimatedInstanceWarmup = optionalNonNegative(
          input.EstimatedInstanceWarmup,
          'estimatedInstanceWarmup',
        );
      }
    }
    // the alarms first: CloudWatch may still refuse the metric, and then the policy must stay as it was
    if (type === 'TargetTrackingScaling')
      updated.alarms = this.engine.putTargetTrackingAlarms(group, updated);
    group.policies.set(name, updated);
    this.policiesByArn.set(updated.arn, updated);
    return {
      PolicyARN: updated.arn,
      ...(updated.alarms.length > 0
        ? { Alarms: updated.alarms.map((a) => ({ AlarmName: a.name, AlarmARN: a.arn })) }
        : {}),
    };
  }

  describePolicies(input: DescribePoliciesType = {}): {
    ScalingPolicies: ScalingPolicy[];
    NextToken?: string;
  } {
    const groups =
      input.AutoScalingGroupName !== undefined
        ? [this.groups.get(input.AutoScalingGroupName)].filter((g): g is GroupRecord => g !== undefined)
        : [...this.groups.values()];
    const names = input.PolicyNames && input.PolicyNames.length > 0 ? new Set(input.PolicyNames) : undefined;
    const types = input.PolicyTypes && input.PolicyTypes.length > 0 ? new Set(input.PolicyTypes) : undefined;
    const all = groups
      .flatMap((g) => [...g.policies.values()])
      .filter((p) => names === undefined || names.has(p.name) || names.has(p.arn))
      .filter((p) => types === undefined || types.has(p.type));
    const page = pageFrom(all, input, MAX_RECORDS.policies);
    return { ScalingPolicies: page.items.map(describePolicy), NextToken: page.nextToken };
  }

  deletePolicy(input: DeletePolicyType): void {
    const policy = this.policyNamed(input);
    this.removePolicy(this.group(policy.groupName), policy);
  }

  /** Runs a policy now, as an alarm would; step scaling needs MetricValue and BreachThreshold. */
  executePolicy(input: ExecutePolicyType): void {
    const policy = this.policyNamed(input);
    const group = this.group(policy.groupName);
    if (policy.type === 'TargetTrackingScaling') {
      throw validation('ExecutePolicy is not supported for target tracking scaling policies.');
    }
    if (
      policy.type === 'StepScaling' &&
      (input.MetricValue === undefined || input.BreachThreshold === undefined)
    ) {
      throw validation('MetricValue and BreachThreshold are required for step scaling policies.');
    }
    if (
      policy.type === 'SimpleScaling' &&
      input.HonorCooldown &&
      this.options.clock.now() < group.cooldownUntil
    ) {
      throw new AwsError(
        'ScalingActivityInProgress',
        'The operation can’t be performed because there are scaling activities in progress.',
      );
    }
    this.engine.runPolicy(
      group,
      policy,
      input.MetricValue,
      input.BreachThreshold,
      'a user request executed policy',
      input.HonorCooldown ?? false,
    );
  }

  // ===== activities ==========================================================================================

  describeScalingActivities(input: DescribeScalingActivitiesType = {}): {
    Activities: Activity[];
    NextToken?: string;
  } {
    if (input.Filters !== undefined && input.Filters.length > 0) {
      throw unsupported('Filters', 'activities are selected by AutoScalingGroupName and ActivityIds');
    }
    // AWS: a deleted group's activities only with IncludeDeletedGroups
    if (
      input.AutoScalingGroupName !== undefined &&
      !this.groups.has(input.AutoScalingGroupName) &&
      !input.IncludeDeletedGroups
    ) {
      return { Activities: [] };
    }
    const ids = input.ActivityIds && input.ActivityIds.length > 0 ? new Set(input.ActivityIds) : undefined;
    const all = this.engine.activities
      .filter(
        (a) =>
          input.AutoScalingGroupName === undefined || a.AutoScalingGroupName === input.AutoScalingGroupName,
      )
      .filter(
        (a) =>
          input.IncludeDeletedGroups ||
          this.groups.get(a.AutoScalingGroupName as string)?.arn === a.AutoScalingGroupARN,
      )
      .filter((a) => ids === undefined || ids.has(a.ActivityId as string))
      // AWS: newest first
      .sort((a, b) => b.order - a.order);
    const page = pageFrom(all, input, MAX_RECORDS.activities);
    return { Activities: page.items.map(publicActivity), NextToken: page.nextToken };
  }

  // ===== CloudWatch hooks ====================================================================================

  /** An alarm action naming one of this service's policies: the engine runs it. */
  private onAlarmAction(arn: string, change: AlarmStateChange): void {
    const policy = this.policiesByArn.get(arn);
    if (!policy) throw new Error(`Policy ${arn} does not exist`);
    this.engine.runAlarmAction(policy, change);
  }

  /** A policy goes with the alarms Auto Scaling made for it. */
  private removePolicy(group: GroupRecord, policy: PolicyRecord): void {
    this.engine.deleteAlarmsThatExist(policy.alarms.map((a) => a.name));
    group.policies.delete(policy.name);
    this.policiesByArn.delete(policy.arn);
  }

  /** AWS/AutoScaling group metrics, each emulated minute, for the groups that collect them. */
  private publishGroupMetrics(minuteStart: number): void {
    for (const group of this.groups.values()) {
      if (!group.enabledMetrics) continue;
      const count = (state: LifecycleState) =>
        [...group.instances.values()].filter((i) => i.lifecycle === state).length;
      const values: Record<string, number> = {
        GroupMinSize: group.minSize,
        GroupMaxSize: group.maxSize,
        GroupDesiredCapacity: group.desiredCapacity,
        GroupInServiceInstances: count('InService'),
        GroupPendingInstances: count('Pending'),
        GroupStandbyInstances: 0,
        GroupTerminatingInstances: count('Terminating'),
        GroupTotalInstances: count('InService') + count('Pending') + count('Terminating'),
      };
      for (const metricName of group.enabledMetrics) {
        this.options.cloudwatch.recordMetric({
          namespace: 'AWS/AutoScaling',
          metricName,
          dimensions: [{ Name: 'AutoScalingGroupName', Value: group.name }],
          timestamp: minuteStart,
          unit: 'None',
          value: values[metricName],
        });
      }
    }
  }

  // ===== shapes ==============================================================================================

  /** PolicyName is the policy's ARN, or its name within AutoScalingGroupName. */
  private policyNamed(input: { PolicyName?: string; AutoScalingGroupName?: string }): PolicyRecord {
    const name = requireName(input.PolicyName, 'policyName');
    const policy =
      this.policiesByArn.get(name) ??
      (input.AutoScalingGroupName !== undefined
        ? this.group(input.AutoScalingGroupName).policies.get(name)
        : undefined);
    if (!policy) throw validation(`Policy ${name} not found.`);
    return policy;
  }

  private group(name: string | undefined): GroupRecord {
    const group = name === undefined ? undefined : this.groups.get(name);
    if (!group) throw validation(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
    // every operation on a group finds it here: the recorder writes it only if it changed
    this.changes?.groupChanged(group.name);
    return group;
  }

  private describeGroup(g: GroupRecord, includeInstances = true): AutoScalingGroup {
    return {
      AutoScalingGroupName: g.name,
      AutoScalingGroupARN: g.arn,
      ...(g.launchTemplate ? { LaunchTemplate: g.launchTemplate } : {}),
      ...(g.launchConfigurationName ? { LaunchConfigurationName: g.launchConfigurationName } : {}),
      MinSize: g.minSize,
      MaxSize: g.maxSize,
      DesiredCapacity: g.desiredCapacity,
      DefaultCooldown: g.defaultCooldown,
      AvailabilityZones: g.availabilityZones,
      LoadBalancerNames: [],
      TargetGroupARNs: [],
      HealthCheckType: g.healthCheckType,
      HealthCheckGracePeriod: g.healthCheckGracePeriod,
      ...(includeInstances
        ? { Instances: [...g.instances.values()].map((i) => this.describeInstance(g, i)) }
        : {}),
      ...(g.mixedInstancesPolicy ? { MixedInstancesPolicy: g.mixedInstancesPolicy } : {}),
      CreatedTime: new Date(g.createdAt),
      SuspendedProcesses: [],
      ...(g.vpcZoneIdentifier ? { VPCZoneIdentifier: g.vpcZoneIdentifier } : {}),
      EnabledMetrics: (g.enabledMetrics ?? []).map((m) => ({ Metric: m, Granularity: '1Minute' })),
      ...(g.deleting ? { Status: 'Delete in progress' } : {}),
      Tags: g.tags,
      TerminationPolicies: g.terminationPolicies,
      NewInstancesProtectedFromScaleIn: g.newInstancesProtectedFromScaleIn,
      ServiceLinkedRoleARN: `arn:aws:iam::${this.options.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      ...g.config,
      ...(g.defaultInstanceWarmup !== undefined ? { DefaultInstanceWarmup: g.defaultInstanceWarmup } : {}),
    };
  }

  private describeInstance(g: GroupRecord, i: InstanceRecord): Instance {
    return {
      InstanceId: i.id,
      AvailabilityZone: i.availabilityZone,
      LifecycleState: i.lifecycle === 'Terminating' ? 'Terminating' : i.lifecycle,
      HealthStatus: 'Healthy',
      ...(g.launchTemplate ? { LaunchTemplate: g.launchTemplate } : {}),
      ...(g.launchConfigurationName ? { LaunchConfigurationName: g.launchConfigurationName } : {}),
      ProtectedFromScaleIn: i.protectedFromScaleIn,
    };
  }
}

/** The configuration-only members given, to keep and return. */
function groupConfig(input: CreateAutoScalingGroupType | UpdateAutoScalingGroupType): GroupConfig {
  const config: GroupConfig = {
    PlacementGroup: input.PlacementGroup,
    ServiceLinkedRoleARN: input.ServiceLinkedRoleARN,
    Context: input.Context,
    DesiredCapacityType: input.DesiredCapacityType,
    DeletionProtection: input.DeletionProtection,
    CapacityRebalance: input.CapacityRebalance,
    InstanceMaintenancePolicy: input.InstanceMaintenancePolicy,
    AvailabilityZoneDistribution: input.AvailabilityZoneDistribution,
    AvailabilityZoneImpairmentPolicy: input.AvailabilityZoneImpairmentPolicy,
  };
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as GroupConfig;
}

function describePolicy(p: PolicyRecord): ScalingPolicy {
  return {
    AutoScalingGroupName: p.groupName,
    PolicyName: p.name,
    PolicyARN: p.arn,
    PolicyType: p.type,
    ...(p.adjustmentType ? { AdjustmentType: p.adjustmentType } : {}),
    ...(p.minAdjustmentMagnitude !== undefined
      ? { MinAdjustmentMagnitude: p.minAdjustmentMagnitude, MinAdjustmentStep: p.minAdjustmentMagnitude }
      : {}),
    ...(p.scalingAdjustment !== undefined ? { ScalingAdjustment: p.scalingAdjustment } : {}),
    ...(p.cooldown !== undefined ? { Cooldown: p.cooldown } : {}),
    ...(p.stepAdjustments ? { StepAdjustments: p.stepAdjustments } : {}),
    ...(p.metricAggregationType ? { MetricAggregationType: p.metricAggregationType } : {}),
    ...(p.estimatedInstanceWarmup !== undefined
      ? { EstimatedInstanceWarmup: p.estimatedInstanceWarmup }
      : {}),
    Alarms: p.alarms.map((a) => ({ AlarmName: a.name, AlarmARN: a.arn })),
    ...(p.targetTracking ? { TargetTrackingConfiguration: p.targetTracking } : {}),
    Enabled: p.enabled,
  };
}

function splitSubnets(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** One page of a Describe operation: MaxRecords within AWS's bound for it, NextToken one this service gave out. */
function pageFrom<T>(
  all: readonly T[],
  input: { readonly MaxRecords?: number; readonly NextToken?: string },
  limit: number,
): Page<T> {
  return pageOf(all, {
    pageSize: pageSize(input.MaxRecords, limit),
    token: input.NextToken,
    invalidToken: invalidNextToken,
  });
}
