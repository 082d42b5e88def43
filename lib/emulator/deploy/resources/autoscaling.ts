/**
 * AWS::AutoScaling::AutoScalingGroup (its instances are local processes running the worker asset that the group's
 * `decoupled:local-instance` metadata names, as user data runs it on EC2), AWS::AutoScaling::ScalingPolicy (run by
 * the emulator's CloudWatch alarms) and AWS::AutoScaling::LaunchConfiguration (kept).
 */
import { statSync } from 'node:fs';
import type { PutScalingPolicyType } from '@aws-sdk/client-auto-scaling';
import { ProcessInstanceLauncher } from '../../autoscaling/instances';
import { optionalString, requiredString, ResourcePropertyError } from './types';
import type { DeployContext, ResourceHandler, ResourceRequest } from './types';
// What QueueWorkerFleet writes; that module imports nothing, so no aws-cdk-lib reaches the emulator.
import {
  LOCAL_INSTANCE_METADATA as LOCAL_INSTANCE,
  type LocalInstanceMetadata,
} from '../../../local-instance-metadata';

const num = (value: unknown): number | undefined => (value === undefined ? undefined : Number(value));

/** Ref: the group name. */
export const autoScalingGroupHandler: ResourceHandler = {
  create(request, context) {
    const p = request.properties;
    const name = optionalString(request, 'AutoScalingGroupName') ?? context.physicalName({ maxLength: 255 });
    const launcher = localInstances(request, context);
    const subnets = p.VPCZoneIdentifier as string[] | undefined;
    context.emulator.autoscaling.createAutoScalingGroup(
      {
        AutoScalingGroupName: name,
        MinSize: Number(requiredString(request, 'MinSize')),
        MaxSize: Number(requiredString(request, 'MaxSize')),
        DesiredCapacity: num(p.DesiredCapacity),
        DefaultCooldown: num(p.Cooldown),
        DefaultInstanceWarmup: num(p.DefaultInstanceWarmup),
        LaunchTemplate: p.LaunchTemplate as { LaunchTemplateId?: string; Version?: string } | undefined,
        LaunchConfigurationName: optionalString(request, 'LaunchConfigurationName'),
        MixedInstancesPolicy: p.MixedInstancesPolicy as never,
        VPCZoneIdentifier: subnets?.join(','),
        AvailabilityZones: p.AvailabilityZones as string[] | undefined,
        HealthCheckType: optionalString(request, 'HealthCheckType'),
        HealthCheckGracePeriod: num(p.HealthCheckGracePeriod),
        TerminationPolicies: p.TerminationPolicies as string[] | undefined,
        NewInstancesProtectedFromScaleIn:
          p.NewInstancesProtectedFromScaleIn === undefined
            ? undefined
            : String(p.NewInstancesProtectedFromScaleIn) === 'true',
        Tags: (p.Tags as Array<{ Key: string; Value: string; PropagateAtLaunch?: unknown }> | undefined)?.map(
          (t) => ({
            Key: t.Key,
            Value: t.Value,
            PropagateAtLaunch: String(t.PropagateAtLaunch) === 'true',
          }),
        ),
      },
      launcher?.launcher,
    );
    for (const n of (p.NotificationConfigurations ?? []) as Array<{
      TopicARN: string;
      NotificationTypes: string[];
    }>) {
      context.emulator.autoscaling.putNotificationConfiguration({
        AutoScalingGroupName: name,
        TopicARN: n.TopicARN,
        NotificationTypes: n.NotificationTypes,
      });
    }
    for (const m of (p.MetricsCollection ?? []) as Array<{ Granularity: string; Metrics?: string[] }>) {
      context.emulator.autoscaling.enableMetricsCollection({
        AutoScalingGroupName: name,
        Granularity: m.Granularity,
        Metrics: m.Metrics,
      });
    }
    return {
      ref: name,
      display: `${name} (${p.MinSize}–${p.MaxSize} instances)`,
      note: launcher
        ? `each instance runs node ${launcher.metadata.command.join(' ')} in ${launcher.directory}`
        : `no ${LOCAL_INSTANCE} metadata: instances are records only`,
    };
  },
};

function localInstances(request: ResourceRequest, context: DeployContext) {
  const metadata = request.metadata?.[LOCAL_INSTANCE] as LocalInstanceMetadata | undefined;
  if (!metadata) return undefined;
  const directory = context.assetPath(metadata.assetObjectKey);
  if (!directory || !statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ResourcePropertyError(
      request,
      `the worker asset ${metadata.assetObjectKey} is not in the cloud assembly`,
    );
  }
  const { emulator } = context;
  const launcher = new ProcessInstanceLauncher({
    directory,
    args: metadata.command,
    // what local mode gives all code: the template's variables plus the emulator as the SDK's default AWS
    environment: {
      ...metadata.environment,
      AWS_ENDPOINT_URL: emulator.endpoint,
      AWS_REGION: emulator.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      // the SDK would warn about this machine's Node.js, which is not the one the instances run on AWS
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    onLog: context.onInstanceLog,
  });
  return { launcher, directory, metadata };
}

/** Ref and Fn::GetAtt Arn: the policy ARN (what alarms name in AlarmActions); Fn::GetAtt PolicyName. */
export const scalingPolicyHandler: ResourceHandler = {
  create(request, context) {
    const p = request.properties;
    const name = optionalString(request, 'PolicyName') ?? context.physicalName({ maxLength: 255 });
    const steps = p.StepAdjustments as
      | Array<{
          MetricIntervalLowerBound?: unknown;
          MetricIntervalUpperBound?: unknown;
          ScalingAdjustment: unknown;
        }>
      | undefined;
    const { PolicyARN } = context.emulator.autoscaling.putScalingPolicy({
      AutoScalingGroupName: requiredString(request, 'AutoScalingGroupName'),
      PolicyName: name,
      PolicyType: optionalString(request, 'PolicyType'),
      AdjustmentType: optionalString(request, 'AdjustmentType'),
      ScalingAdjustment: num(p.ScalingAdjustment),
      Cooldown: num(p.Cooldown),
      MinAdjustmentMagnitude: num(p.MinAdjustmentMagnitude),
      MetricAggregationType: optionalString(request, 'MetricAggregationType'),
      EstimatedInstanceWarmup: num(p.EstimatedInstanceWarmup),
      StepAdjustments: steps?.map((s) => ({
        MetricIntervalLowerBound: num(s.MetricIntervalLowerBound),
        MetricIntervalUpperBound: num(s.MetricIntervalUpperBound),
        ScalingAdjustment: Number(s.ScalingAdjustment),
      })),
      TargetTrackingConfiguration:
        p.TargetTrackingConfiguration as PutScalingPolicyType['TargetTrackingConfiguration'],
    });
    return { ref: PolicyARN as string, attributes: { Arn: PolicyARN, PolicyName: name }, display: name };
  },
};

/** Kept: a launch configuration is recorded; what instances run comes from the group's metadata. */
export const launchConfigurationHandler: ResourceHandler = {
  create(request, context) {
    const name =
      optionalString(request, 'LaunchConfigurationName') ?? context.physicalName({ maxLength: 255 });
    return { ref: name, status: 'kept', note: 'recorded; instances run what the group names' };
  },
};
