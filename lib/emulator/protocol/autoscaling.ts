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
} as const;

interface Operation {
  readonly members: Readonly<Record<string, Shape>>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table passes wire-checked input to typed service methods
  readonly call: (service: AutoScalingService, input: any) => unknown;
}

const OPERATIONS: Record<string, Operation> = {
  CreateAutoScalingGroup: {
    members: { ...GROUP_FIELDS, InstanceId: S, Tags: TAGS, MixedInstancesPolicy: struct({}) },
    call: (s, i) => s.createAutoScalingGroup(i),
  },
  UpdateAutoScalingGroup: { members: GROUP_FIELDS, call: (s, i) => s.updateAutoScalingGroup(i) },
  DeleteAutoScalingGroup: {
    members: { AutoScalingGroupName: S, ForceDelete: B },
    call: (s, i) => s.deleteAutoScalingGroup(i),
  },
  DescribeAutoScalingGroups: {
    members: { AutoScalingGroupNames: list(S), MaxRecords: I, NextToken: S, IncludeInstances: B },
    call: (s, i) => s.describeAutoScalingGroups(i),
  },
  DescribeAutoScalingInstances: {
    members: { InstanceIds: list(S), MaxRecords: I, NextToken: S },
    call: (s, i) => s.describeAutoScalingInstances(i),
  },
  SetDesiredCapacity: {
    members: { AutoScalingGroupName: S, DesiredCapacity: I, HonorCooldown: B },
    call: (s, i) => s.setDesiredCapacity(i),
  },
  TerminateInstanceInAutoScalingGroup: {
    members: { InstanceId: S, ShouldDecrementDesiredCapacity: B },
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
    },
    call: (s, i) => s.putScalingPolicy(i),
  },
  DescribePolicies: {
    members: {
      AutoScalingGroupName: S,
      PolicyNames: list(S),
      PolicyTypes: list(S),
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
    members: { ActivityIds: list(S), AutoScalingGroupName: S, MaxRecords: I, NextToken: S },
    call: (s, i) => s.describeScalingActivities(i),
  },
  PutNotificationConfiguration: {
    members: { AutoScalingGroupName: S, TopicARN: S, NotificationTypes: list(S) },
    call: (s, i) => s.putNotificationConfiguration(i),
  },
  DescribeNotificationConfigurations: {
    members: { AutoScalingGroupNames: list(S), NextToken: S, MaxRecords: I },
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
      const params = formOf(request) ?? new URLSearchParams();
      for (const [k, v] of request.query) if (!params.has(k)) params.set(k, v);
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

function readStruct(
  params: URLSearchParams,
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

function readValue(params: URLSearchParams, shape: Shape, key: string): unknown {
  if (typeof shape === 'string') {
    const text = params.get(key);
    if (text === null) return undefined;
    switch (shape) {
      case 'string':
        return text;
      case 'boolean':
        return text.toLowerCase() === 'true';
      case 'integer':
      case 'double': {
        const value = Number(text);
        if (
          text.trim() === '' ||
          !Number.isFinite(value) ||
          (shape === 'integer' && !Number.isInteger(value))
        ) {
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
    for (let i = 1; ; i++) {
      const itemKey = `${key}.member.${i}`;
      const present = [...params.keys()].some((k) => k === itemKey || k.startsWith(`${itemKey}.`));
      if (!present) break;
      out.push(readValue(params, shape.list, itemKey));
    }
    return out.length > 0 ? out : undefined;
  }
  const present = [...params.keys()].some((k) => k.startsWith(`${key}.`));
  return present ? readStruct(params, shape.struct, `${key}.`) : undefined;
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
