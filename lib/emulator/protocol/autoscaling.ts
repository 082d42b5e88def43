/**
 * Auto Scaling on the wire: the AWS query protocol (form POST `Action=<Op>&Version=2011-01-01`, XML replies with
 * `member` lists), as @aws-sdk/client-auto-scaling and the AWS CLI speak it.
 */
import type { AutoScalingService } from '../autoscaling/service';
import { AwsError } from '../errors';
import { formOf, type ServiceProtocol, type WireRequest, type WireResponse } from './router';
import { element, errorResponseXml, escapeXml } from './xml';

const XMLNS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';

type Shape =
  | 'string'
  | 'integer'
  | 'double'
  | 'boolean'
  | { readonly list: Shape }
  | { readonly struct: Readonly<Record<string, Shape>> };

const S: Shape = 'string';
const I: Shape = 'integer';
const D: Shape = 'double';
const B: Shape = 'boolean';
const list = (of: Shape): Shape => ({ list: of });
const struct = (members: Record<string, Shape>): Shape => ({ struct: members });

const LAUNCH_TEMPLATE = struct({ LaunchTemplateId: S, LaunchTemplateName: S, Version: S });
const TAGS = list(struct({ Key: S, Value: S, PropagateAtLaunch: B, ResourceId: S, ResourceType: S }));
const DIMENSIONS = list(struct({ Name: S, Value: S }));
const METRIC = struct({ Namespace: S, MetricName: S, Dimensions: DIMENSIONS });
const TARGET_TRACKING = struct({
  PredefinedMetricSpecification: struct({ PredefinedMetricType: S, ResourceLabel: S }),
  CustomizedMetricSpecification: struct({
    MetricName: S,
    Namespace: S,
    Dimensions: DIMENSIONS,
    Statistic: S,
    Unit: S,
    Period: I,
    Metrics: list(
      struct({
        Id: S,
        Expression: S,
        MetricStat: struct({ Metric: METRIC, Stat: S, Unit: S, Period: I }),
        Label: S,
        Period: I,
        ReturnData: B,
      }),
    ),
  }),
  TargetValue: D,
  DisableScaleIn: B,
});
const FILTERS = list(struct({ Name: S, Values: list(S) }));
const MIN_MAX = struct({ Min: I, Max: I });
const MIXED_INSTANCES_POLICY = struct({
  LaunchTemplate: struct({
    LaunchTemplateSpecification: LAUNCH_TEMPLATE,
    Overrides: list(
      struct({
        InstanceType: S,
        WeightedCapacity: S,
        LaunchTemplateSpecification: LAUNCH_TEMPLATE,
        // read only to be refused by the service: VCpuCount and MemoryMiB are its required members
        InstanceRequirements: struct({ VCpuCount: MIN_MAX, MemoryMiB: MIN_MAX }),
        ImageId: S,
      }),
    ),
  }),
  InstancesDistribution: struct({
    OnDemandAllocationStrategy: S,
    OnDemandBaseCapacity: I,
    OnDemandPercentageAboveBaseCapacity: I,
    SpotAllocationStrategy: S,
    SpotInstancePools: I,
    SpotMaxPrice: S,
    DistributionSegments: list(struct({ TargetCapacityTypes: list(S) })),
  }),
});
const GROUP_FIELDS = {
  AutoScalingGroupName: S,
  LaunchConfigurationName: S,
  LaunchTemplate: LAUNCH_TEMPLATE,
  MinSize: I,
  MaxSize: I,
  DesiredCapacity: I,
  DefaultCooldown: I,
  AvailabilityZones: list(S),
  HealthCheckType: S,
  HealthCheckGracePeriod: I,
  VPCZoneIdentifier: S,
  TerminationPolicies: list(S),
  NewInstancesProtectedFromScaleIn: B,
  DefaultInstanceWarmup: I,
  MaxInstanceLifetime: I,
  CapacityRebalance: B,
  MixedInstancesPolicy: MIXED_INSTANCES_POLICY,
  AvailabilityZoneIds: list(S),
  PlacementGroup: S,
  ServiceLinkedRoleARN: S,
  Context: S,
  DesiredCapacityType: S,
  DeletionProtection: S,
  InstanceMaintenancePolicy: struct({ MinHealthyPercentage: I, MaxHealthyPercentage: I }),
  AvailabilityZoneDistribution: struct({ CapacityDistributionStrategy: S }),
  AvailabilityZoneImpairmentPolicy: struct({ ZonalShiftEnabled: B, ImpairedZoneHealthCheckBehavior: S }),
  SkipZonalShiftValidation: B,
  CapacityReservationSpecification: struct({
    CapacityReservationPreference: S,
    CapacityReservationTarget: struct({
      CapacityReservationIds: list(S),
      CapacityReservationResourceGroupArns: list(S),
    }),
  }),
  InstanceLifecyclePolicy: struct({ RetentionTriggers: struct({ TerminateHookAbandon: S }) }),
} as const;

interface Operation {
  readonly members: Readonly<Record<string, Shape>>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table passes wire-checked input to typed service methods
  readonly call: (service: AutoScalingService, input: any) => unknown;
}

const OPERATIONS: Record<string, Operation> = {
  CreateAutoScalingGroup: {
    members: {
      ...GROUP_FIELDS,
      InstanceId: S,
      Tags: TAGS,
      LoadBalancerNames: list(S),
      TargetGroupARNs: list(S),
      TrafficSources: list(struct({ Identifier: S, Type: S })),
      LifecycleHookSpecificationList: list(
        struct({
          LifecycleHookName: S,
          LifecycleTransition: S,
          NotificationMetadata: S,
          HeartbeatTimeout: I,
          DefaultResult: S,
          NotificationTargetARN: S,
          RoleARN: S,
        }),
      ),
      Operator: struct({ Principal: S }),
    },
    call: (s, i) => s.createAutoScalingGroup(i),
  },
  UpdateAutoScalingGroup: { members: GROUP_FIELDS, call: (s, i) => s.updateAutoScalingGroup(i) },
  DeleteAutoScalingGroup: {
    members: { AutoScalingGroupName: S, ForceDelete: B },
    call: (s, i) => s.deleteAutoScalingGroup(i),
  },
  DescribeAutoScalingGroups: {
    members: {
      AutoScalingGroupNames: list(S),
      MaxRecords: I,
      NextToken: S,
      IncludeInstances: B,
      IncludeManagedResources: B,
      Filters: FILTERS,
    },
    call: (s, i) => s.describeAutoScalingGroups(i),
  },
  DescribeAutoScalingInstances: {
    members: { InstanceIds: list(S), IncludeManagedResources: B, MaxRecords: I, NextToken: S },
    call: (s, i) => s.describeAutoScalingInstances(i),
  },
  SetDesiredCapacity: {
    members: { AutoScalingGroupName: S, DesiredCapacity: I, HonorCooldown: B },
    call: (s, i) => s.setDesiredCapacity(i),
  },
  TerminateInstanceInAutoScalingGroup: {
    members: {
      InstanceId: S,
      InstanceIds: list(S),
      AutoScalingGroupName: S,
      ShouldDecrementDesiredCapacity: B,
    },
    call: (s, i) => s.terminateInstanceInAutoScalingGroup(i),
  },
  PutScalingPolicy: {
    members: {
      AutoScalingGroupName: S,
      PolicyName: S,
      PolicyType: S,
      AdjustmentType: S,
      MinAdjustmentStep: I,
      MinAdjustmentMagnitude: I,
      ScalingAdjustment: I,
      Cooldown: I,
      MetricAggregationType: S,
      StepAdjustments: list(
        struct({ MetricIntervalLowerBound: D, MetricIntervalUpperBound: D, ScalingAdjustment: I }),
      ),
      EstimatedInstanceWarmup: I,
      TargetTrackingConfiguration: TARGET_TRACKING,
      Enabled: B,
      // read only to be refused by the service: MetricSpecifications and its TargetValue are required
      PredictiveScalingConfiguration: struct({
        MetricSpecifications: list(struct({ TargetValue: D })),
        Mode: S,
      }),
    },
    call: (s, i) => s.putScalingPolicy(i),
  },
  DescribePolicies: {
    members: {
      AutoScalingGroupName: S,
      PolicyNames: list(S),
      PolicyTypes: list(S),
      IncludeManagedResources: B,
      NextToken: S,
      MaxRecords: I,
    },
    call: (s, i) => s.describePolicies(i),
  },
  DeletePolicy: { members: { AutoScalingGroupName: S, PolicyName: S }, call: (s, i) => s.deletePolicy(i) },
  ExecutePolicy: {
    members: { AutoScalingGroupName: S, PolicyName: S, HonorCooldown: B, MetricValue: D, BreachThreshold: D },
    call: (s, i) => s.executePolicy(i),
  },
  DescribeScalingActivities: {
    members: {
      ActivityIds: list(S),
      AutoScalingGroupName: S,
      IncludeDeletedGroups: B,
      IncludeManagedResources: B,
      MaxRecords: I,
      NextToken: S,
      Filters: FILTERS,
    },
    call: (s, i) => s.describeScalingActivities(i),
  },
  PutNotificationConfiguration: {
    members: { AutoScalingGroupName: S, TopicARN: S, NotificationTypes: list(S) },
    call: (s, i) => s.putNotificationConfiguration(i),
  },
  DescribeNotificationConfigurations: {
    members: { AutoScalingGroupNames: list(S), IncludeManagedResources: B, NextToken: S, MaxRecords: I },
    call: (s, i) => s.describeNotificationConfigurations(i),
  },
  DeleteNotificationConfiguration: {
    members: { AutoScalingGroupName: S, TopicARN: S },
    call: (s, i) => s.deleteNotificationConfiguration(i),
  },
  EnableMetricsCollection: {
    members: { AutoScalingGroupName: S, Metrics: list(S), Granularity: S },
    call: (s, i) => s.enableMetricsCollection(i),
  },
  DisableMetricsCollection: {
    members: { AutoScalingGroupName: S, Metrics: list(S) },
    call: (s, i) => s.disableMetricsCollection(i),
  },
};

export class AutoScalingProtocol implements ServiceProtocol {
  readonly signingName = 'autoscaling';
  readonly queryActions: ReadonlySet<string> = new Set(Object.keys(OPERATIONS));

  constructor(private readonly autoscaling: AutoScalingService) {}

  async handle(request: WireRequest): Promise<WireResponse> {
    const headers = { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId };
    try {
      const params = parametersOf(request);
      const action = params.get('Action');
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action.');
      const operation = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
      if (!operation) {
        throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
      }
      const input = readStruct(params, operation.members, '');
      const result = (await operation.call(this.autoscaling, input)) as Record<string, unknown> | undefined;
      const resultXml =
        result === undefined ? '' : element(`${action}Result`, structXml(result as Record<string, unknown>));
      return {
        status: 200,
        headers,
        body:
          `<?xml version="1.0"?>\n<${action}Response xmlns="${XMLNS}">${resultXml}` +
          `<ResponseMetadata><RequestId>${request.requestId}</RequestId></ResponseMetadata></${action}Response>`,
      };
    } catch (error) {
      const aws = asAwsError(error);
      return {
        status: aws.httpStatus,
        headers,
        body: errorResponseXml(XMLNS, aws.fault, aws.code, aws.message, request.requestId),
      };
    }
  }
}

function asAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  console.error('emulator: internal error in Auto Scaling', error);
  return new AwsError('InternalFailure', 'An internal error occurred.', 500, 'Receiver');
}

// ----- query input ------------------------------------------------------------------------------------------

/**
 * The form body, then the query string, as one map read once: URLSearchParams.get scans every parameter, so
 * looking members up in it would cost (members × parameters), quadratic in a body of many list entries.
 */
class Parameters {
  private readonly values = new Map<string, string>();
  /** First segments of every key (`MixedInstancesPolicy` of `MixedInstancesPolicy.X.Y`), for opaque structures. */
  private readonly roots = new Set<string>();

  add(entries: Iterable<[string, string]>): void {
    for (const [key, value] of entries) {
      // AWS and URLSearchParams.get both take the first value of a repeated parameter
      if (this.values.has(key)) continue;
      this.values.set(key, value);
      const dot = key.indexOf('.');
      if (dot > 0) this.roots.add(key.slice(0, dot));
    }
  }

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  /** Whether the request carries a member of this shape at `key` (looked up by the shape, never by a scan). */
  present(shape: Shape, key: string): boolean {
    if (typeof shape === 'string') return this.values.has(key);
    if ('list' in shape) return this.values.has(key) || this.present(shape.list, `${key}.member.1`);
    const members = Object.entries(shape.struct);
    // a structure the emulator does not read (MixedInstancesPolicy) is there when any key is under it
    if (members.length === 0) return !key.includes('.') && this.roots.has(key);
    return members.some(([name, member]) => this.present(member, `${key}.${name}`));
  }
}

function parametersOf(request: WireRequest): Parameters {
  const params = new Parameters();
  params.add(formOf(request) ?? []);
  params.add(request.query);
  return params;
}

function readStruct(
  params: Parameters,
  members: Readonly<Record<string, Shape>>,
  prefix: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, shape] of Object.entries(members)) {
    const value = readValue(params, shape, `${prefix}${name}`);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** AWS's Integer is 32-bit; digits only (Number() would also take `0x10`, `1e3` or ` 5`). */
const INTEGER = /^[+-]?\d{1,10}$/;
/** A decimal number; `\d+(?:\.\d*)?` rather than `\d+\.?\d*`, which backtracks quadratically on a long run of digits. */
const DOUBLE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT32_MAX = 2 ** 31 - 1;

function readValue(params: Parameters, shape: Shape, key: string): unknown {
  if (typeof shape === 'string') {
    const text = params.get(key);
    if (text === undefined) return undefined;
    switch (shape) {
      case 'string':
        return text;
      case 'boolean':
        return text.toLowerCase() === 'true';
      case 'integer':
      case 'double': {
        const value = Number(text);
        const valid =
          shape === 'integer'
            ? INTEGER.test(text) && Math.abs(value) <= INT32_MAX
            : DOUBLE.test(text) && Number.isFinite(value);
        if (!valid) {
          throw new AwsError(
            'ValidationError',
            `1 validation error detected: Value '${text}' at '${memberPath(key)}' failed to satisfy constraint: Member must be a${shape === 'integer' ? 'n integer' : ' number'}`,
          );
        }
        return value;
      }
    }
  }
  if ('list' in shape) {
    // AWS: an empty list is sent as the bare member name with an empty value
    if (params.get(key) === '') return [];
    const out: unknown[] = [];
    for (let i = 1; params.present(shape.list, `${key}.member.${i}`); i++) {
      out.push(readValue(params, shape.list, `${key}.member.${i}`));
    }
    return out.length > 0 ? out : undefined;
  }
  return params.present(shape, key) ? readStruct(params, shape.struct, `${key}.`) : undefined;
}

/** `LaunchTemplate.Version` → `launchTemplate.version`, as AWS names members in validation messages. */
function memberPath(key: string): string {
  return key
    .split('.')
    .filter((part) => part !== 'member' && !/^\d+$/.test(part))
    .map((part) => part.charAt(0).toLowerCase() + part.slice(1))
    .join('.');
}

// ----- XML output -------------------------------------------------------------------------------------------

function structXml(value: Record<string, unknown>): string {
  let out = '';
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    out += element(key, valueXml(v));
  }
  return out;
}

function valueXml(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => element('member', valueXml(item))).join('');
  if (typeof value === 'object' && value !== null) return structXml(value as Record<string, unknown>);
  return escapeXml(String(value));
}
