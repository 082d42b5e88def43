/**
 * Amazon EC2 Auto Scaling: groups with min/max/desired capacity whose instances are local workers, simple, step
 * and target tracking scaling policies run by CloudWatch alarm actions, cooldowns and instance warm-up, scaling
 * activities, launch and termination notifications to SNS, and the AWS/AutoScaling group metrics every emulated
 * minute. One method per AWS operation, SDK shapes in and out; validates input and throws AwsError.
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
  DescribeAutoScalingInstancesType,
  Filter,
  MixedInstancesPolicy,
  DescribeNotificationConfigurationsType,
  DescribePoliciesType,
  DescribeScalingActivitiesType,
  DisableMetricsCollectionQuery,
  EnableMetricsCollectionQuery,
  ExecutePolicyType,
  Instance,
  LaunchTemplateSpecification,
  NotificationConfiguration,
  PolicyARNType,
  PutNotificationConfigurationType,
  PutScalingPolicyType,
  ScalingPolicy,
  SetDesiredCapacityType,
  StepAdjustment as SdkStepAdjustment,
  Tag,
  TargetTrackingConfiguration,
  TerminateInstanceInAutoScalingGroupType,
  UpdateAutoScalingGroupType,
} from '@aws-sdk/client-auto-scaling';
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { Clock, Timer } from '../clock';
import type { AlarmStateChange, CloudWatchService } from '../cloudwatch/service';
import { AwsError } from '../errors';
import type { InstanceLauncher, LocalInstance } from './instances';
import {
  ADJUSTMENT_TYPES,
  type AdjustmentType,
  adjustedCapacity,
  type StepAdjustment,
  stepAdjustmentsProblem,
  stepFor,
  TARGET_TRACKING_ALARM_PERIODS,
  TARGET_TRACKING_SCALE_IN_RATIO,
  targetTrackingCapacity,
} from './scaling-policy';

/** What the service needs from SNS: publishing a notification on Auto Scaling's behalf. */
export interface AutoScalingNotifier {
  publishInternal(topicArn: string, message: string, subject?: string): void;
}

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

/** One step of a group's desired capacity, for tests and `npm start`. */
export interface DesiredCapacityChange {
  readonly timestamp: number;
  readonly desiredCapacity: number;
  /** The activity cause: what changed it (a policy run by an alarm, a user request). */
  readonly cause: string;
}

/** What the group did, for `npm start`'s live log. */
export type AutoScalingEvent =
  | {
      readonly kind: 'desired-capacity-changed';
      readonly groupName: string;
      readonly from: number;
      readonly to: number;
      readonly cause: string;
    }
  | { readonly kind: 'instance-launched'; readonly groupName: string; readonly instanceId: string }
  | { readonly kind: 'instance-terminated'; readonly groupName: string; readonly instanceId: string };

type LifecycleState = 'Pending' | 'InService' | 'Terminating' | 'Terminated';

interface InstanceRecord {
  readonly id: string;
  readonly availabilityZone: string;
  lifecycle: LifecycleState;
  readonly launchedAt: number;
  inServiceAt?: number;
  protectedFromScaleIn: boolean;
  runtime?: LocalInstance;
  bootTimer?: Timer;
}

interface PolicyRecord {
  readonly name: string;
  readonly arn: string;
  readonly groupName: string;
  type: 'SimpleScaling' | 'StepScaling' | 'TargetTrackingScaling';
  adjustmentType?: AdjustmentType;
  scalingAdjustment?: number;
  minAdjustmentMagnitude?: number;
  cooldown?: number;
  stepAdjustments?: StepAdjustment[];
  metricAggregationType?: string;
  estimatedInstanceWarmup?: number;
  targetTracking?: TargetTrackingConfiguration;
  enabled: boolean;
  /** Alarms Auto Scaling created for a target tracking policy: high, then low. */
  alarms: { name: string; arn: string; role: 'high' | 'low' }[];
}

interface GroupRecord {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  defaultCooldown: number;
  defaultInstanceWarmup?: number;
  launchTemplate?: LaunchTemplateSpecification;
  launchConfigurationName?: string;
  availabilityZones: string[];
  vpcZoneIdentifier?: string;
  healthCheckType: string;
  healthCheckGracePeriod: number;
  tags: Tag[];
  terminationPolicies: string[];
  newInstancesProtectedFromScaleIn: boolean;
  mixedInstancesPolicy?: MixedInstancesPolicy;
  /** Configuration only, kept and returned: nothing here places, rebalances or shifts local instances. */
  config: GroupConfig;
  /** Metric names collected each minute; undefined when collection is off. */
  enabledMetrics?: string[];
  readonly instances: Map<string, InstanceRecord>;
  readonly policies: Map<string, PolicyRecord>;
  /** Topic ARN → notification types. */
  readonly notifications: Map<string, Set<string>>;
  launcher?: InstanceLauncher;
  /** Simple scaling and HonorCooldown wait until then. */
  cooldownUntil: number;
  deleting: boolean;
  readonly history: DesiredCapacityChange[];
  nextZone: number;
}

/** The members a group keeps and returns as given, which change nothing about local instances. */
type GroupConfig = Pick<
  AutoScalingGroup,
  | 'PlacementGroup'
  | 'ServiceLinkedRoleARN'
  | 'Context'
  | 'DesiredCapacityType'
  | 'DeletionProtection'
  | 'CapacityRebalance'
  | 'InstanceMaintenancePolicy'
  | 'AvailabilityZoneDistribution'
  | 'AvailabilityZoneImpairmentPolicy'
>;

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
const PREDEFINED_METRICS: Record<string, { namespace: string; metricName: string; statistic: string }> = {
  ASGAverageCPUUtilization: { namespace: 'AWS/EC2', metricName: 'CPUUtilization', statistic: 'Average' },
  ASGAverageNetworkIn: { namespace: 'AWS/EC2', metricName: 'NetworkIn', statistic: 'Average' },
  ASGAverageNetworkOut: { namespace: 'AWS/EC2', metricName: 'NetworkOut', statistic: 'Average' },
};
/** AWS: a group's default cooldown when none is given. */
const DEFAULT_COOLDOWN_SECONDS = 300;
const DEFAULT_SHUTDOWN_GRACE_MS = 120_000;
const NAME_MAX = 255;
const MAX_RECORDS = { groups: 100, policies: 100, activities: 100, instances: 50, notifications: 100 };
/**
 * The emulator's own bound on a group's MaxSize (AWS bounds a group only by the account's EC2 quotas): every
 * local instance is a process on this machine, and each launch is a record, an activity and a notification.
 */
export const LOCAL_MAX_GROUP_SIZE = 100;
/** AWS quotas that cannot be raised (Amazon EC2 Auto Scaling User Guide, "Quotas for Auto Scaling resources"). */
const QUOTAS = { policiesPerGroup: 50, stepAdjustments: 20, topicsPerGroup: 10, tagsPerGroup: 50 } as const;
/** AWS: DesiredCapacityType values; only `units` means anything for local instances (no vCPU or memory weights). */
const DESIRED_CAPACITY_TYPES = ['units', 'vcpu', 'memory-mib'];
const DELETION_PROTECTION = ['none', 'prevent-force-deletion', 'prevent-all-deletion'];
const ZONE_DISTRIBUTION_STRATEGIES = ['balanced-best-effort', 'balanced-only'];
/** The filter names DescribeAutoScalingGroups takes (API reference, Filter): tag-key, tag-value and tag:<key>. */
const GROUP_FILTER_NAMES = 'tag-key, tag-value, tag:<key>';
/** AWS: DescribeAutoScalingInstances takes at most 50 instance IDs. */
const MAX_INSTANCE_IDS = 50;
/** AWS's length constraints of the string members the emulator keeps (API reference, CreateAutoScalingGroup). */
const LENGTHS = {
  launchConfigurationName: [1, 255],
  'launchTemplate.launchTemplateId': [1, 255],
  'launchTemplate.launchTemplateName': [3, 128],
  'launchTemplate.version': [1, 255],
  instanceId: [1, 19],
  'availabilityZones.member': [1, 255],
  healthCheckType: [1, 32],
  vPCZoneIdentifier: [1, 5000],
  'terminationPolicies.member': [1, 1600],
} as const;

export class AutoScalingService {
  private readonly clock: Clock;
  private readonly region: string;
  private readonly accountId: string;
  private readonly cloudwatch: CloudWatchService;
  private readonly sns: AutoScalingNotifier | undefined;
  private readonly bootTimeMs: number;
  private readonly shutdownGraceMs: number;
  private readonly groups = new Map<string, GroupRecord>();
  private readonly policiesByArn = new Map<string, PolicyRecord>();
  private readonly activities: (Activity & { readonly order: number })[] = [];
  private readonly listeners = new Set<(event: AutoScalingEvent) => void>();
  private readonly removeHooks: (() => void)[] = [];
  private activityOrder = 0;
  private closed = false;

  constructor(options: AutoScalingServiceOptions) {
    this.clock = options.clock;
    this.region = options.region;
    this.accountId = options.accountId;
    this.cloudwatch = options.cloudwatch;
    this.sns = options.sns;
    this.bootTimeMs = options.bootTimeMs ?? 0;
    this.shutdownGraceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    this.removeHooks.push(
      // only the policies that exist here: other handlers may own other scaling policy ARNs
      this.cloudwatch.registerActionHandler(
        (arn) => this.policiesByArn.has(arn),
        (arn, change) => this.onAlarmAction(arn, change),
      ),
      this.cloudwatch.onMinute((minuteStart) => this.publishGroupMetrics(minuteStart)),
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
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Emulator shutdown: powers every instance off (nothing is left to release work to); removes the hooks. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const remove of this.removeHooks.splice(0)) remove();
    for (const group of this.groups.values()) {
      for (const instance of group.instances.values()) {
        if (instance.bootTimer) this.clock.clearTimer(instance.bootTimer);
        instance.runtime?.kill();
      }
    }
  }

  // ===== groups ==============================================================================================

  /** Creates a group; in-process callers (local mode, tests) may give the launcher its instances run from the start. */
  createAutoScalingGroup(input: CreateAutoScalingGroupType, launcher?: InstanceLauncher): void {
    // every member is checked before anything is created: a refused request leaves nothing behind
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
    refuseUnsupported(input);
    const config = groupConfig(input);
    const subnets = splitSubnets(input.VPCZoneIdentifier);
    if ((input.AvailabilityZones ?? []).length === 0 && subnets.length === 0) {
      throw validation('At least one Availability Zone or VPC Subnet is required.');
    }
    const cooldown = optionalNonNegative(input.DefaultCooldown, 'defaultCooldown');
    const warmup = optionalNonNegative(input.DefaultInstanceWarmup, 'defaultInstanceWarmup');
    const gracePeriod = optionalNonNegative(input.HealthCheckGracePeriod, 'healthCheckGracePeriod');
    const tags = checkTags(input.Tags ?? []);
    const now = this.clock.now();
    const group: GroupRecord = {
      name,
      arn: `arn:aws:autoscaling:${this.region}:${this.accountId}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`,
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
          : subnets.map((_, i) => `${this.region}${String.fromCharCode(97 + (i % 6))}`),
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
    this.changeDesired(group, desired, `a user request created an AutoScalingGroup`);
  }

  updateAutoScalingGroup(input: UpdateAutoScalingGroupType): void {
    // every member is checked before the group changes: a refused update leaves the group as it was
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
    refuseUnsupported(input);
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
    this.changeDesired(
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
    this.reconcile(group, `a user request deleted the AutoScalingGroup`);
    this.removeIfGone(group);
  }

  /** IncludeManagedResources changes nothing: no local group is managed by an operator (Operator is refused). */
  describeAutoScalingGroups(
    input: {
      AutoScalingGroupNames?: string[];
      Filters?: Filter[];
      IncludeInstances?: boolean;
      IncludeManagedResources?: boolean;
      MaxRecords?: number;
      NextToken?: string;
    } = {},
  ): { AutoScalingGroups: AutoScalingGroup[]; NextToken?: string } {
    const matches = groupFilter(input.Filters ?? []);
    const names = input.AutoScalingGroupNames && new Set(input.AutoScalingGroupNames);
    // AWS: names and every filter must all match
    const all = [...this.groups.values()].filter(
      (g) => (names === undefined || names.has(g.name)) && matches(g.tags),
    );
    const { page, next } = paginate(all, input.MaxRecords, input.NextToken, MAX_RECORDS.groups);
    return {
      AutoScalingGroups: page.map((g) => this.describeGroup(g, input.IncludeInstances ?? true)),
      ...(next ? { NextToken: next } : {}),
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
    const { page, next } = paginate(all, input.MaxRecords, input.NextToken, MAX_RECORDS.instances);
    return { AutoScalingInstances: page, ...(next ? { NextToken: next } : {}) };
  }

  setDesiredCapacity(input: SetDesiredCapacityType): void {
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
    if (input.HonorCooldown && this.clock.now() < group.cooldownUntil) {
      throw new AwsError(
        'ScalingActivityInProgress',
        'The operation can’t be performed because there are scaling activities in progress.',
      );
    }
    this.changeDesired(group, desired, 'a user request explicitly set group desired capacity');
    if (input.HonorCooldown) group.cooldownUntil = this.clock.now() + group.defaultCooldown * 1000;
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
      this.recordDesired(
        group,
        group.desiredCapacity - 1,
        'a user request explicitly terminated an instance',
      );
    }
    const activity = this.terminate(
      group,
      instance,
      `At ${isoSeconds(this.clock.now())} instance ${instance.id} taken out of service in response to a user request${input.ShouldDecrementDesiredCapacity ? ', shrinking the capacity' : ''}.`,
    );
    if (!input.ShouldDecrementDesiredCapacity)
      this.reconcile(group, 'an instance was terminated by a user request');
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
      this.recordDesired(
        group,
        group.desiredCapacity - instances.length,
        'a user request explicitly terminated instances',
      );
    }
    const activities = instances.map((instance) =>
      this.terminate(
        group,
        instance,
        `At ${isoSeconds(this.clock.now())} instance ${instance.id} taken out of service in response to a user request${decrement ? ', shrinking the capacity' : ''}.`,
      ),
    );
    if (!decrement) this.reconcile(group, 'instances were terminated by a user request');
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
    const { page, next } = paginate(out, input.MaxRecords, input.NextToken, MAX_RECORDS.notifications);
    return { NotificationConfigurations: page, ...(next ? { NextToken: next } : {}) };
  }

  deleteNotificationConfiguration(input: DeleteNotificationConfigurationType): void {
    const group = this.group(requireName(input.AutoScalingGroupName, 'autoScalingGroupName'));
    group.notifications.delete(requireName(input.TopicARN, 'topicARN'));
  }

  // ===== policies ============================================================================================

  putScalingPolicy(input: PutScalingPolicyType): PolicyARNType {
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
      arn: `arn:aws:autoscaling:${this.region}:${this.accountId}:scalingPolicy:${randomUUID()}:autoScalingGroupName/${group.name}:policyName/${name}`,
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
    if (type === 'TargetTrackingScaling') updated.alarms = this.putTargetTrackingAlarms(group, updated);
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
    const { page, next } = paginate(all, input.MaxRecords, input.NextToken, MAX_RECORDS.policies);
    return { ScalingPolicies: page.map(describePolicy), ...(next ? { NextToken: next } : {}) };
  }

  deletePolicy(input: DeletePolicyType): void {
    const name = requireName(input.PolicyName, 'policyName');
    const policy =
      this.policiesByArn.get(name) ??
      (input.AutoScalingGroupName !== undefined
        ? this.group(input.AutoScalingGroupName).policies.get(name)
        : undefined);
    if (!policy) throw validation(`Policy ${name} not found.`);
    this.removePolicy(this.group(policy.groupName), policy);
  }

  /** Runs a policy now, as an alarm would; step scaling needs MetricValue and BreachThreshold. */
  executePolicy(input: ExecutePolicyType): void {
    const name = requireName(input.PolicyName, 'policyName');
    const policy =
      this.policiesByArn.get(name) ??
      (input.AutoScalingGroupName !== undefined
        ? this.group(input.AutoScalingGroupName).policies.get(name)
        : undefined);
    if (!policy) throw validation(`Policy ${name} not found.`);
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
    if (policy.type === 'SimpleScaling' && input.HonorCooldown && this.clock.now() < group.cooldownUntil) {
      throw new AwsError(
        'ScalingActivityInProgress',
        'The operation can’t be performed because there are scaling activities in progress.',
      );
    }
    this.runPolicy(
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
    const all = this.activities
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
    const { page, next } = paginate(all, input.MaxRecords, input.NextToken, MAX_RECORDS.activities);
    return { Activities: page.map(publicActivity), ...(next ? { NextToken: next } : {}) };
  }

  // ===== scaling =============================================================================================

  private onAlarmAction(arn: string, change: AlarmStateChange): void {
    const policy = this.policiesByArn.get(arn);
    if (!policy) throw new Error(`Policy ${arn} does not exist`);
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

  private runPolicy(
    group: GroupRecord,
    policy: PolicyRecord,
    metricValue: number | undefined,
    threshold: number | undefined,
    cause: string,
    honorCooldown: boolean,
    alarmOnLowValues = false,
  ): void {
    const type = policy.adjustmentType as AdjustmentType;
    const now = this.clock.now();
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
    const now = this.clock.now();
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
  private changeDesired(group: GroupRecord, desired: number, cause: string): boolean {
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

  private recordDesired(group: GroupRecord, desired: number, cause: string): string {
    const now = this.clock.now();
    const text = `At ${isoSeconds(now)} ${cause} changing the desired capacity from ${group.desiredCapacity} to ${desired}.`;
    group.desiredCapacity = desired;
    group.history.push({ timestamp: now, desiredCapacity: desired, cause: text });
    return text;
  }

  /** Launches or terminates instances until the live ones match the desired capacity. */
  private reconcile(group: GroupRecord, cause: string): void {
    const live = () =>
      [...group.instances.values()].filter((i) => i.lifecycle === 'Pending' || i.lifecycle === 'InService');
    const now = isoSeconds(this.clock.now());
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
    const now = this.clock.now();
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
      instance.inServiceAt = this.clock.now();
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
    if (this.bootTimeMs > 0) instance.bootTimer = this.clock.setTimer(now + this.bootTimeMs, inService);
    else inService();
  }

  private terminate(
    group: GroupRecord,
    instance: InstanceRecord,
    cause: string,
  ): Activity & { order: number } {
    instance.lifecycle = 'Terminating';
    if (instance.bootTimer) this.clock.clearTimer(instance.bootTimer);
    const activity = this.addActivity(group, `Terminating EC2 instance: ${instance.id}`, cause, instance);
    const runtime = instance.runtime;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (powerOff) this.clock.clearTimer(powerOff);
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
    powerOff = this.clock.setTimer(this.clock.now() + this.shutdownGraceMs, () => {
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

  private removeIfGone(group: GroupRecord): void {
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
  private putTargetTrackingAlarms(group: GroupRecord, policy: PolicyRecord): PolicyRecord['alarms'] {
    const config = policy.targetTracking as TargetTrackingConfiguration;
    const metric = alarmMetric(config, group.name);
    const target = config.TargetValue as number;
    const roles: ('high' | 'low')[] = config.DisableScaleIn ? ['high'] : ['high', 'low'];
    const previous = policy.alarms;
    const alarms = roles.map((role) => {
      const name = previous.find((a) => a.role === role)?.name ?? targetTrackingAlarmName(group.name, role);
      return { name, arn: `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm:${name}`, role };
    });
    const created: string[] = [];
    try {
      for (const alarm of [...alarms].reverse()) {
        const periods = TARGET_TRACKING_ALARM_PERIODS[alarm.role];
        this.cloudwatch.putMetricAlarm({
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

  private removePolicy(group: GroupRecord, policy: PolicyRecord): void {
    this.deleteAlarmsThatExist(policy.alarms.map((a) => a.name));
    group.policies.delete(policy.name);
    this.policiesByArn.delete(policy.arn);
  }

  /** DeleteAlarms refuses the whole call for one missing name (someone may have deleted a policy's alarm). */
  private deleteAlarmsThatExist(names: string[]): void {
    if (names.length === 0) return;
    const existing = this.cloudwatch.describeAlarms({ AlarmNames: names }).MetricAlarms ?? [];
    const found = existing.map((a) => a.AlarmName as string);
    if (found.length > 0) this.cloudwatch.deleteAlarms({ AlarmNames: found });
  }

  // ===== metrics, notifications, activities ==================================================================

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
        this.cloudwatch.recordMetric({
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
      StartTime: new Date(this.clock.now()),
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
      EndTime: new Date(this.clock.now()),
      ...(message ? { StatusMessage: message } : {}),
    });
  }

  /** The message Auto Scaling publishes to a topic, in AWS's field names. */
  private notify(group: GroupRecord, event: string, activity: Activity, instance: InstanceRecord): void {
    if (!this.sns) return;
    for (const [topic, types] of group.notifications) {
      if (!types.has(event)) continue;
      const message = {
        Origin: event.includes('LAUNCH') ? 'EC2' : 'AutoScalingGroup',
        Destination: event.includes('LAUNCH') ? 'AutoScalingGroup' : 'EC2',
        Progress: activity.Progress,
        AccountId: this.accountId,
        Description: activity.Description,
        RequestId: activity.ActivityId,
        EndTime: activity.EndTime?.toISOString(),
        AutoScalingGroupARN: group.arn,
        ActivityId: activity.ActivityId,
        StartTime: activity.StartTime?.toISOString(),
        Service: 'AWS Auto Scaling',
        Time: new Date(this.clock.now()).toISOString(),
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
        this.sns.publishInternal(
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

  private emit(event: AutoScalingEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('emulator: Auto Scaling listener failed', error);
      }
    }
  }

  // ===== shapes ==============================================================================================

  private group(name: string | undefined): GroupRecord {
    const group = name === undefined ? undefined : this.groups.get(name);
    if (!group) throw validation(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
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
      ServiceLinkedRoleARN: `arn:aws:iam::${this.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
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

// ----- helpers --------------------------------------------------------------------------------------------------

function validation(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

/** A member of the request the local emulator cannot honour: refused by name rather than ignored. */
function unsupported(member: string, why: string): AwsError {
  return validation(`${member} is not supported by the local emulator: ${why}.`);
}

/** Create and Update: members whose effect the emulator does not have are refused, every one before any change. */
function refuseUnsupported(input: CreateAutoScalingGroupType | UpdateAutoScalingGroupType): void {
  const create = input as CreateAutoScalingGroupType;
  const nonEmpty = (list: unknown[] | undefined) => list !== undefined && list.length > 0;
  const refusals: [boolean, string, string][] = [
    [nonEmpty(create.LoadBalancerNames), 'LoadBalancerNames', 'it emulates no load balancers'],
    [nonEmpty(create.TargetGroupARNs), 'TargetGroupARNs', 'it emulates no load balancer target groups'],
    [nonEmpty(create.TrafficSources), 'TrafficSources', 'it emulates no load balancers or VPC Lattice'],
    [
      nonEmpty(create.LifecycleHookSpecificationList),
      'LifecycleHookSpecificationList',
      'it runs no lifecycle hooks',
    ],
    [create.Operator !== undefined, 'Operator', 'no local group is managed by another service'],
    [
      nonEmpty(input.AvailabilityZoneIds),
      'AvailabilityZoneIds',
      'give AvailabilityZones or VPCZoneIdentifier',
    ],
    [
      input.MaxInstanceLifetime !== undefined && input.MaxInstanceLifetime !== 0,
      'MaxInstanceLifetime',
      'it does not replace instances by age',
    ],
    [
      input.CapacityReservationSpecification !== undefined,
      'CapacityReservationSpecification',
      'it emulates no EC2 capacity reservations',
    ],
    [input.InstanceLifecyclePolicy !== undefined, 'InstanceLifecyclePolicy', 'it runs no lifecycle hooks'],
    [
      (input.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? []).some((o) => o.InstanceRequirements),
      'MixedInstancesPolicy.LaunchTemplate.Overrides.member.N.InstanceRequirements',
      'local instances have no instance types to select; give InstanceType',
    ],
  ];
  for (const [refused, member, why] of refusals) if (refused) throw unsupported(member, why);
  if (input.DesiredCapacityType !== undefined && input.DesiredCapacityType !== 'units') {
    if (!DESIRED_CAPACITY_TYPES.includes(input.DesiredCapacityType)) {
      throw validation(
        `DesiredCapacityType ${input.DesiredCapacityType} is not valid; use one of ${DESIRED_CAPACITY_TYPES.join(', ')}.`,
      );
    }
    throw unsupported('DesiredCapacityType', 'local instances have no vCPUs or memory to weigh; use units');
  }
  if (input.DeletionProtection !== undefined && !DELETION_PROTECTION.includes(input.DeletionProtection)) {
    throw validation(
      `DeletionProtection ${input.DeletionProtection} is not valid; use one of ${DELETION_PROTECTION.join(', ')}.`,
    );
  }
  const strategy = input.AvailabilityZoneDistribution?.CapacityDistributionStrategy;
  if (strategy !== undefined && !ZONE_DISTRIBUTION_STRATEGIES.includes(strategy)) {
    throw validation(
      `CapacityDistributionStrategy ${strategy} is not valid; use one of ${ZONE_DISTRIBUTION_STRATEGIES.join(', ')}.`,
    );
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

/**
 * DescribeAutoScalingGroups' Filters as a test of a group's tags. AWS: the values of one filter are OR'ed, the
 * filters AND'ed; values match exactly (no wildcards, case-sensitive).
 */
function groupFilter(filters: readonly Filter[]): (tags: readonly Tag[]) => boolean {
  const tests = filters.map((filter, i) => {
    const name = filter.Name;
    if (name === undefined || name === '') {
      throw validation(
        `1 validation error detected: Value null at 'filters.${i + 1}.member.name' failed to satisfy constraint: Member must not be null`,
      );
    }
    const values = new Set(filter.Values ?? []);
    if (name === 'tag-key') return (tags: readonly Tag[]) => tags.some((t) => values.has(t.Key as string));
    if (name === 'tag-value') return (tags: readonly Tag[]) => tags.some((t) => values.has(t.Value ?? ''));
    if (name.startsWith('tag:')) {
      const key = name.slice('tag:'.length);
      return (tags: readonly Tag[]) => tags.some((t) => t.Key === key && values.has(t.Value ?? ''));
    }
    throw validation(`Filter name ${name} is not valid. Valid filter names are: ${GROUP_FILTER_NAMES}.`);
  });
  return (tags) => tests.every((test) => test(tags));
}

/** AWS's LimitExceeded: a quota of the account or of the group. */
function limitExceeded(message: string): AwsError {
  return new AwsError('LimitExceeded', message);
}

/** AWS's wording for a missing or malformed member of the request. */
function requireName(value: string | undefined, member: string): string {
  if (value === undefined || value === '') {
    throw validation(
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (value.length > NAME_MAX) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${NAME_MAX}`,
    );
  }
  return value;
}

function requireInteger(value: number | undefined, member: string): number {
  if (value === undefined || value === null) {
    throw validation(
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to 0`,
    );
  }
  return value;
}

function optionalNonNegative(value: number | undefined, member: string): number | undefined {
  return value === undefined ? undefined : requireInteger(value, member);
}

function checkSizes(min: number, max: number, desired: number): void {
  if (min > max) throw validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
  if (desired < min || desired > max) {
    throw validation(
      `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
    );
  }
}

/** The emulator's bound on MaxSize (after AWS's own checks, so that AWS's messages come first). */
function checkLocalMaxSize(maxSize: number): void {
  if (maxSize > LOCAL_MAX_GROUP_SIZE) {
    throw validation(
      `MaxSize ${maxSize} is above the emulator's local limit of ${LOCAL_MAX_GROUP_SIZE} instances per AutoScalingGroup: each local instance is a process on this machine.`,
    );
  }
}

function checkLength(value: string, member: string, [min, max]: readonly [number, number]): void {
  if (value.length < min || value.length > max) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length ${value.length < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`,
    );
  }
}

/** AWS's length constraints of the strings a group keeps (Create and Update share them). */
function checkGroupStrings(input: CreateAutoScalingGroupType | UpdateAutoScalingGroupType): void {
  const single: [string | undefined, keyof typeof LENGTHS][] = [
    [input.LaunchConfigurationName, 'launchConfigurationName'],
    [input.LaunchTemplate?.LaunchTemplateId, 'launchTemplate.launchTemplateId'],
    [input.LaunchTemplate?.LaunchTemplateName, 'launchTemplate.launchTemplateName'],
    [input.LaunchTemplate?.Version, 'launchTemplate.version'],
    [(input as CreateAutoScalingGroupType).InstanceId, 'instanceId'],
    [input.HealthCheckType, 'healthCheckType'],
    [input.VPCZoneIdentifier, 'vPCZoneIdentifier'],
  ];
  for (const [value, member] of single) {
    if (value !== undefined) checkLength(String(value), member, LENGTHS[member]);
  }
  for (const zone of input.AvailabilityZones ?? []) {
    checkLength(String(zone), 'availabilityZones.member', LENGTHS['availabilityZones.member']);
  }
  for (const policy of input.TerminationPolicies ?? []) {
    checkLength(String(policy), 'terminationPolicies.member', LENGTHS['terminationPolicies.member']);
  }
}

/** AWS: at most 50 tags, keys of 1 to 128 characters, values of at most 256. */
function checkTags(tags: readonly Tag[]): Tag[] {
  if (tags.length > QUOTAS.tagsPerGroup) {
    throw limitExceeded(
      `The number of tags (${tags.length}) exceeds the limit of ${QUOTAS.tagsPerGroup} tags per AutoScalingGroup.`,
    );
  }
  tags.forEach((tag, i) => {
    if (tag.Key === undefined || tag.Key === null) {
      throw validation(
        `1 validation error detected: Value null at 'tags.${i + 1}.member.key' failed to satisfy constraint: Member must not be null`,
      );
    }
    checkLength(String(tag.Key), `tags.${i + 1}.member.key`, [1, 128]);
    if (tag.Value !== undefined) checkLength(String(tag.Value), `tags.${i + 1}.member.value`, [0, 256]);
  });
  return tags.map((t) => ({ ...t }));
}

/** `TargetTracking-<group>-AlarmHigh-<uuid>`, the group name cut so the name fits CloudWatch's 255 characters. */
function targetTrackingAlarmName(groupName: string, role: 'high' | 'low'): string {
  const suffix = `-Alarm${role === 'high' ? 'High' : 'Low'}-${randomUUID()}`;
  return `TargetTracking-${groupName.slice(0, 255 - 'TargetTracking-'.length - '-AlarmHigh-'.length - 36)}${suffix}`;
}

function checkLaunchTemplate(spec: LaunchTemplateSpecification): void {
  const byId = spec.LaunchTemplateId !== undefined;
  const byName = spec.LaunchTemplateName !== undefined;
  if (byId === byName) {
    throw validation('Valid requests must contain either launchTemplateId or LaunchTemplateName');
  }
}

function checkExactAdjustment(type: AdjustmentType, adjustment: number): void {
  if (!Number.isInteger(adjustment))
    throw validation(`ScalingAdjustment ${adjustment} must be a whole number.`);
  if (type === 'ExactCapacity' && adjustment < 0) {
    throw validation('ScalingAdjustment must be non-negative for ExactCapacity adjustment type.');
  }
}

function checkTargetTracking(input: PutScalingPolicyType): void {
  const config = input.TargetTrackingConfiguration;
  if (!config)
    throw validation('TargetTrackingConfiguration is required for target tracking scaling policies.');
  if (input.AdjustmentType !== undefined || input.ScalingAdjustment !== undefined || input.StepAdjustments) {
    throw validation(
      'AdjustmentType, ScalingAdjustment and StepAdjustments are not supported for target tracking scaling policies.',
    );
  }
  if (typeof config.TargetValue !== 'number' || !Number.isFinite(config.TargetValue)) {
    throw validation(
      "1 validation error detected: Value null at 'targetTrackingConfiguration.targetValue' failed to satisfy constraint: Member must not be null",
    );
  }
  const predefined = config.PredefinedMetricSpecification;
  const customized = config.CustomizedMetricSpecification;
  if ((predefined === undefined) === (customized === undefined)) {
    throw validation(
      'Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification must be specified.',
    );
  }
  if (predefined && !PREDEFINED_METRICS[predefined.PredefinedMetricType as string]) {
    throw validation(
      `The emulator supports the predefined metric types ${Object.keys(PREDEFINED_METRICS).join(', ')}; ${predefined.PredefinedMetricType} needs a load balancer.`,
    );
  }
  if (customized) {
    const metrics = customized.Metrics;
    if (metrics && metrics.length > 0) {
      if (customized.MetricName !== undefined || customized.Namespace !== undefined) {
        throw validation(
          'Metrics cannot be specified together with MetricName, Namespace, Dimensions or Statistic.',
        );
      }
      if (metrics.filter((m) => m.ReturnData !== false).length !== 1) {
        throw validation('Exactly one metric data query must have ReturnData set to true (or unset).');
      }
    } else if (
      customized.MetricName === undefined ||
      customized.Namespace === undefined ||
      customized.Statistic === undefined
    ) {
      throw validation('A customized metric needs MetricName, Namespace and Statistic, or Metrics.');
    }
  }
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

function toStep(s: SdkStepAdjustment): StepAdjustment {
  if (typeof s.ScalingAdjustment !== 'number') {
    throw validation(
      "1 validation error detected: Value null at 'stepAdjustments.member.scalingAdjustment' failed to satisfy constraint: Member must not be null",
    );
  }
  return {
    ...(s.MetricIntervalLowerBound !== undefined
      ? { MetricIntervalLowerBound: s.MetricIntervalLowerBound }
      : {}),
    ...(s.MetricIntervalUpperBound !== undefined
      ? { MetricIntervalUpperBound: s.MetricIntervalUpperBound }
      : {}),
    ScalingAdjustment: s.ScalingAdjustment,
  };
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

function publicActivity(a: Activity & { order?: number }): Activity {
  const { order: _order, ...rest } = a;
  return { ...rest };
}

function splitSubnets(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function paginate<T>(
  items: T[],
  maxRecords: number | undefined,
  token: string | undefined,
  limit: number,
): { page: T[]; next?: string } {
  const max = maxRecords ?? limit;
  if (!Number.isInteger(max) || max < 1 || max > limit) {
    throw validation(
      `1 validation error detected: Value '${maxRecords}' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to ${limit}`,
    );
  }
  const from = token === undefined ? 0 : Number(token);
  if (!Number.isInteger(from) || from < 0) throw new AwsError('InvalidNextToken', 'The token is not valid.');
  const page = items.slice(from, from + max);
  return from + max < items.length ? { page, next: String(from + max) } : { page };
}

/** `2026-01-01T00:05:00Z`, as activity causes write times. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
