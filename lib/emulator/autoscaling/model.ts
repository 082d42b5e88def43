/**
 * The state of Auto Scaling: groups, their instances and policies, as records the service and the scaling engine
 * share. Pure data; the SDK shapes are built from these by the service.
 */
import type {
  AutoScalingGroup,
  LaunchTemplateSpecification,
  MixedInstancesPolicy,
  Tag,
  TargetTrackingConfiguration,
} from '@aws-sdk/client-auto-scaling';
import type { Timer } from '../clock';
import type { InstanceLauncher, LocalInstance } from './instances';
import type { AdjustmentType, StepAdjustment } from './scaling-policy';

/** What the service needs from SNS: publishing a notification on Auto Scaling's behalf. */
export interface AutoScalingNotifier {
  publishInternal(topicArn: string, message: string, subject?: string): void;
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

export type LifecycleState = 'Pending' | 'InService' | 'Terminating' | 'Terminated';

export interface InstanceRecord {
  readonly id: string;
  readonly availabilityZone: string;
  lifecycle: LifecycleState;
  readonly launchedAt: number;
  inServiceAt?: number;
  protectedFromScaleIn: boolean;
  runtime?: LocalInstance;
  bootTimer?: Timer;
}
export interface PolicyRecord {
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
export interface GroupRecord {
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
export type GroupConfig = Pick<
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
