/**
 * Auto Scaling's input checks, in AWS's words: names, lengths and quotas, 32-bit integers (the wire's codec reads
 * every number alike), the members whose effect the emulator does not have, and DescribeAutoScalingGroups' filters.
 * Every check throws the AwsError AWS answers; none changes anything.
 */
import type {
  CreateAutoScalingGroupType,
  Filter,
  LaunchTemplateSpecification,
  PutScalingPolicyType,
  StepAdjustment as SdkStepAdjustment,
  Tag,
  UpdateAutoScalingGroupType,
} from '@aws-sdk/client-auto-scaling';
import { AwsError } from '../errors';
import { type AdjustmentType, PREDEFINED_METRICS, type StepAdjustment } from './scaling-policy';

const NAME_MAX = 255;
/**
 * The emulator's own bound on a group's MaxSize (AWS bounds a group only by the account's EC2 quotas): every
 * local instance is a process on this machine, and each launch is a record, an activity and a notification.
 */
export const LOCAL_MAX_GROUP_SIZE = 100;
/** AWS quotas that cannot be raised (Amazon EC2 Auto Scaling User Guide, "Quotas for Auto Scaling resources"). */
export const QUOTAS = {
  policiesPerGroup: 50,
  stepAdjustments: 20,
  topicsPerGroup: 10,
  tagsPerGroup: 50,
} as const;
/** AWS: DesiredCapacityType values; only `units` means anything for local instances (no vCPU or memory weights). */
const DESIRED_CAPACITY_TYPES = ['units', 'vcpu', 'memory-mib'];
const DELETION_PROTECTION = ['none', 'prevent-force-deletion', 'prevent-all-deletion'];
const ZONE_DISTRIBUTION_STRATEGIES = ['balanced-best-effort', 'balanced-only'];
/** The filter names DescribeAutoScalingGroups takes (API reference, Filter): tag-key, tag-value and tag:<key>. */
const GROUP_FILTER_NAMES = 'tag-key, tag-value, tag:<key>';
/** AWS: DescribeAutoScalingInstances takes at most 50 instance IDs. */
export const MAX_INSTANCE_IDS = 50;
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
/**
 * The members of Auto Scaling's model that are doubles; every other number is a 32-bit Integer. Below
 * MemoryGiBPerVCpu and NetworkBandwidthGbps (InstanceRequirements), Min and Max are doubles too.
 */
const DOUBLE_MEMBERS: ReadonlySet<string> = new Set([
  'TargetValue',
  'MetricIntervalLowerBound',
  'MetricIntervalUpperBound',
  'MetricValue',
  'BreachThreshold',
  'MemoryGiBPerVCpu',
  'NetworkBandwidthGbps',
]);
const INT32_MAX = 2 ** 31 - 1;

/** Whether the member at this path of names (`StepAdjustments.member.1.MetricIntervalLowerBound`) is a double. */
export function isDoubleMember(names: readonly string[]): boolean {
  return names.some((name) => DOUBLE_MEMBERS.has(name));
}

/** `LaunchTemplate.Version` → `launchTemplate.version`, as AWS names members in validation messages. */
export function memberPath(names: readonly string[]): string {
  return names
    .filter((part) => part !== 'member' && !/^\d+$/.test(part))
    .map((part) => part.charAt(0).toLowerCase() + part.slice(1))
    .join('.');
}

/** AWS's Integer is 32-bit and whole: every number of the request but the doubles, checked before anything else. */
export function checkIntegers(input: unknown, names: string[] = []): void {
  if (typeof input === 'number') {
    if (!isDoubleMember(names) && !(Number.isInteger(input) && Math.abs(input) <= INT32_MAX)) {
      throw validation(
        `1 validation error detected: Value '${input}' at '${memberPath(names)}' failed to satisfy constraint: Member must be an integer`,
      );
    }
  } else if (Array.isArray(input)) {
    for (const item of input) checkIntegers(item, names);
  } else if (input !== null && typeof input === 'object' && !(input instanceof Date)) {
    for (const [name, value] of Object.entries(input)) checkIntegers(value, [...names, name]);
  }
}

/** MaxRecords, within AWS's bound for the operation; its default is that bound. */
export function pageSize(maxRecords: number | undefined, limit: number): number {
  const size = maxRecords ?? limit;
  if (!Number.isInteger(size) || size < 1 || size > limit) {
    throw validation(
      `1 validation error detected: Value '${maxRecords}' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to ${limit}`,
    );
  }
  return size;
}

/** AWS's answer to a NextToken it did not give out. */
export function invalidNextToken(): AwsError {
  return new AwsError('InvalidNextToken', 'The token is not valid.');
}

export function validation(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

/** A member of the request the local emulator cannot honour: refused by name rather than ignored. */
export function unsupported(member: string, why: string): AwsError {
  return validation(`${member} is not supported by the local emulator: ${why}.`);
}

/** Create and Update: members whose effect the emulator does not have are refused, every one before any change. */
export function refuseUnsupportedGroupMembers(
  input: CreateAutoScalingGroupType | UpdateAutoScalingGroupType,
): void {
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

/**
 * DescribeAutoScalingGroups' Filters as a test of a group's tags. AWS: the values of one filter are OR'ed, the
 * filters AND'ed; values match exactly (no wildcards, case-sensitive).
 */
export function groupFilter(filters: readonly Filter[]): (tags: readonly Tag[]) => boolean {
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
export function limitExceeded(message: string): AwsError {
  return new AwsError('LimitExceeded', message);
}

/** AWS's wording for a missing or malformed member of the request. */
export function requireName(value: string | undefined, member: string): string {
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

export function requireInteger(value: number | undefined, member: string): number {
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

export function optionalNonNegative(value: number | undefined, member: string): number | undefined {
  return value === undefined ? undefined : requireInteger(value, member);
}

export function checkSizes(min: number, max: number, desired: number): void {
  if (min > max) throw validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
  if (desired < min || desired > max) {
    throw validation(
      `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
    );
  }
}

/** The emulator's bound on MaxSize (after AWS's own checks, so that AWS's messages come first). */
export function checkLocalMaxSize(maxSize: number): void {
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
export function checkGroupStrings(input: CreateAutoScalingGroupType | UpdateAutoScalingGroupType): void {
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
export function checkTags(tags: readonly Tag[]): Tag[] {
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

export function checkLaunchTemplate(spec: LaunchTemplateSpecification): void {
  const byId = spec.LaunchTemplateId !== undefined;
  const byName = spec.LaunchTemplateName !== undefined;
  if (byId === byName) {
    throw validation('Valid requests must contain either launchTemplateId or LaunchTemplateName');
  }
}

export function checkExactAdjustment(type: AdjustmentType, adjustment: number): void {
  if (!Number.isInteger(adjustment))
    throw validation(`ScalingAdjustment ${adjustment} must be a whole number.`);
  if (type === 'ExactCapacity' && adjustment < 0) {
    throw validation('ScalingAdjustment must be non-negative for ExactCapacity adjustment type.');
  }
}

export function checkTargetTracking(input: PutScalingPolicyType): void {
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

export function toStep(s: SdkStepAdjustment): StepAdjustment {
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
