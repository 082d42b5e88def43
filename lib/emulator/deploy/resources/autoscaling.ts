/**
 * AWS::AutoScaling::AutoScalingGroup (its instances are local processes running the worker asset that the group's
 * `decoupled:local-instance` metadata names, as user data runs it on EC2), AWS::AutoScaling::ScalingPolicy (run by
 * the emulator's CloudWatch alarms) and AWS::AutoScaling::LaunchConfiguration (kept).
 */
import { createHash } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { PutScalingPolicyType } from '@aws-sdk/client-auto-scaling';
import { ProcessInstanceLauncher } from '../../autoscaling/instances';
import { codeZipFromS3, unpackCodePackage } from '../../lambda/code-package';
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
  // AWS: a new name or instance replaces the group; Tags too here, which the emulator's groups cannot change
  replacedBy: ['AutoScalingGroupName', 'InstanceId', 'Tags'],
  nameProperty: 'AutoScalingGroupName',
  /** AWS: sizes, launch template and health settings change in place (No interruption / Some interruptions). */
  update(request, previous, context) {
    const autoscaling = context.emulator.autoscaling;
    const name = previous.ref;
    const p = request.properties;
    // every member checked by the service before the group changes; a DesiredCapacity left out of the template
    // keeps the current capacity (clamped to the new sizes), as CloudFormation leaves it
    autoscaling.updateAutoScalingGroup({ AutoScalingGroupName: name, ...groupSettings(request) });
    const before = notifications(previous.properties);
    const after = notifications(p);
    for (const n of before) {
      if (!after.some((a) => a.TopicARN === n.TopicARN)) {
        autoscaling.deleteNotificationConfiguration({ AutoScalingGroupName: name, TopicARN: n.TopicARN });
      }
    }
    for (const n of after) autoscaling.putNotificationConfiguration({ AutoScalingGroupName: name, ...n });
    if (JSON.stringify(previous.properties.MetricsCollection) !== JSON.stringify(p.MetricsCollection)) {
      autoscaling.disableMetricsCollection({ AutoScalingGroupName: name });
      for (const m of metricsCollection(p))
        autoscaling.enableMetricsCollection({ AutoScalingGroupName: name, ...m });
    }
    return {
      ref: name,
      attributes: previous.attributes,
      display: `${name} (${p.MinSize}–${p.MaxSize} instances)`,
    };
  },
  // AWS: the group is reported deleted once its instances have terminated (their notifications sent), so the
  // topics and queues it notifies are deleted after it
  async delete(resource, context) {
    const { autoscaling } = context.emulator;
    const name = resource.ref;
    const exists = () =>
      (autoscaling.describeAutoScalingGroups({ AutoScalingGroupNames: [name] }).AutoScalingGroups ?? [])
        .length > 0;
    let stopObserving = () => {};
    const gone = new Promise<void>((resolve) => {
      stopObserving = autoscaling.observe((event) => {
        // the group leaves right after its last instance's termination event
        if (event.kind === 'instance-terminated' && event.groupName === name)
          setImmediate(() => (exists() ? undefined : resolve()));
      });
    });
    try {
      autoscaling.deleteAutoScalingGroup({ AutoScalingGroupName: name, ForceDelete: true });
      if (exists()) await gone;
    } finally {
      stopObserving();
    }
  },
  async create(request, context) {
    const p = request.properties;
    const name = optionalString(request, 'AutoScalingGroupName') ?? context.physicalName({ maxLength: 255 });
    const launcher = await localInstances(request, context);
    context.emulator.autoscaling.createAutoScalingGroup(
      {
        AutoScalingGroupName: name,
        ...groupSettings(request),
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
    for (const n of notifications(p)) {
      context.emulator.autoscaling.putNotificationConfiguration({ AutoScalingGroupName: name, ...n });
    }
    for (const m of metricsCollection(p)) {
      context.emulator.autoscaling.enableMetricsCollection({ AutoScalingGroupName: name, ...m });
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

/** The group's settings that CreateAutoScalingGroup and UpdateAutoScalingGroup share, from the template. */
function groupSettings(request: ResourceRequest) {
  const p = request.properties;
  return {
    MinSize: Number(requiredString(request, 'MinSize')),
    MaxSize: Number(requiredString(request, 'MaxSize')),
    DesiredCapacity: num(p.DesiredCapacity),
    DefaultCooldown: num(p.Cooldown),
    DefaultInstanceWarmup: num(p.DefaultInstanceWarmup),
    LaunchTemplate: p.LaunchTemplate as { LaunchTemplateId?: string; Version?: string } | undefined,
    LaunchConfigurationName: optionalString(request, 'LaunchConfigurationName'),
    MixedInstancesPolicy: p.MixedInstancesPolicy as never,
    VPCZoneIdentifier: (p.VPCZoneIdentifier as string[] | undefined)?.join(','),
    AvailabilityZones: p.AvailabilityZones as string[] | undefined,
    HealthCheckType: optionalString(request, 'HealthCheckType'),
    HealthCheckGracePeriod: num(p.HealthCheckGracePeriod),
    TerminationPolicies: p.TerminationPolicies as string[] | undefined,
    NewInstancesProtectedFromScaleIn:
      p.NewInstancesProtectedFromScaleIn === undefined
        ? undefined
        : String(p.NewInstancesProtectedFromScaleIn) === 'true',
  };
}

function notifications(p: Readonly<Record<string, unknown>>) {
  return (
    (p.NotificationConfigurations ?? []) as Array<{ TopicARN: string; NotificationTypes: string[] }>
  ).map((n) => ({ TopicARN: n.TopicARN, NotificationTypes: n.NotificationTypes }));
}

function metricsCollection(p: Readonly<Record<string, unknown>>) {
  return ((p.MetricsCollection ?? []) as Array<{ Granularity: string; Metrics?: string[] }>).map((m) => ({
    Granularity: m.Granularity,
    Metrics: m.Metrics,
  }));
}

async function localInstances(request: ResourceRequest, context: DeployContext) {
  const metadata = request.metadata?.[LOCAL_INSTANCE] as LocalInstanceMetadata | undefined;
  if (!metadata) return undefined;
  const local = context.assetPath(metadata.assetObjectKey);
  const directory =
    local !== undefined && statSync(local, { throwIfNoEntry: false })?.isDirectory()
      ? local
      : await uploadedAsset(metadata.assetObjectKey, context);
  if (directory === undefined) {
    throw new ResourcePropertyError(
      request,
      `the worker asset ${metadata.assetObjectKey} is not in the cloud assembly, nor in a CDK asset bucket of the emulator's S3`,
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
    // AWS: an instance's SDK takes its instance profile role's session from the metadata service
    credentials: (instanceId) => {
      const template = (request.properties.LaunchTemplate as { LaunchTemplateId?: string } | undefined)
        ?.LaunchTemplateId;
      const role = template === undefined ? undefined : emulator.iam.policies.roleOfLaunchTemplate(template);
      const session = role === undefined ? undefined : emulator.iam.credentialsFor(role, instanceId);
      return (
        session && {
          AWS_ACCESS_KEY_ID: session.accessKeyId,
          AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
          AWS_SESSION_TOKEN: session.sessionToken,
        }
      );
    },
  });
  return { launcher, directory, metadata };
}

/**
 * The worker asset `cdk deploy` uploaded to the bootstrap bucket (`cdk-QUALIFIER-assets-ACCOUNT-REGION`),
 * unpacked into a directory of its own; undefined when no such bucket holds it.
 */
async function uploadedAsset(objectKey: string, context: DeployContext): Promise<string | undefined> {
  const { s3, accountId, region } = context.emulator;
  const bucket = s3
    .listBuckets()
    .map((b) => b.name)
    .find((name) => {
      if (!name.startsWith('cdk-') || !name.endsWith(`-assets-${accountId}-${region}`)) return false;
      return s3.headBucket(name).objects.has(objectKey);
    });
  if (bucket === undefined) return undefined;
  const target = path.join(
    context.workDirectory,
    createHash('sha256').update(`${bucket}/${objectKey}`).digest('hex').slice(0, 16),
  );
  rmSync(target, { recursive: true, force: true });
  return (await unpackCodePackage(codeZipFromS3(s3, bucket, objectKey), target)).directory;
}

/** Ref and Fn::GetAtt Arn: the policy ARN (what alarms name in AlarmActions); Fn::GetAtt PolicyName. */
export const scalingPolicyHandler: ResourceHandler = {
  delete(resource, context) {
    context.emulator.autoscaling.deletePolicy({
      AutoScalingGroupName: String(resource.properties.AutoScalingGroupName),
      // the policy's name: Ref is its ARN
      PolicyName: String(resource.attributes.PolicyName ?? resource.ref),
    });
  },
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
