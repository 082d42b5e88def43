/**
 * AWS::S3::Bucket and AWS::S3::BucketPolicy, and the two custom resources CDK adds to buckets:
 * Custom::S3BucketNotifications (its NotificationConfiguration is applied, as CDK's provider does with
 * PutBucketNotificationConfiguration) and Custom::S3AutoDeleteObjects (nothing to do: local objects go with the
 * emulator).
 */
import { randomUUID } from 'node:crypto';
import type { S3Service } from '../../s3/service';
import type { RequestedDestination, RequestedNotificationConfiguration } from '../../s3/notifications';
import { jsonText, requiredString, type ResourceHandler, type ResourceRequest } from './types';

/** Ref: the bucket name; Fn::GetAtt: Arn, DomainName, RegionalDomainName, DualStackDomainName, WebsiteURL. */
export const bucketHandler: ResourceHandler = {
  create(request, context) {
    const { s3, region } = context.emulator;
    const name =
      (request.properties.BucketName as string | undefined) ??
      context.physicalName({ maxLength: 63, lowercase: true });
    s3.createBucket(name, region === 'us-east-1' ? undefined : region);
    const notifications = request.properties.NotificationConfiguration;
    if (notifications !== undefined) applyNotifications(request, context.emulator.s3, name, notifications);
    return {
      ref: name,
      attributes: {
        Arn: `arn:aws:s3:::${name}`,
        DomainName: `${name}.s3.amazonaws.com`,
        RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
        DualStackDomainName: `${name}.s3.dualstack.${region}.amazonaws.com`,
        WebsiteURL: `http://${name}.s3-website-${region}.amazonaws.com`,
      },
    };
  },
};

/** Ref: an id of the policy. The policy is stored on the bucket (not enforced locally). */
export const bucketPolicyHandler: ResourceHandler = {
  create(request, context) {
    const bucket = requiredString(request, 'Bucket');
    context.emulator.s3.putBucketPolicy(bucket, jsonText(request.properties.PolicyDocument) ?? '');
    return { ref: randomUUID(), display: `policy of ${bucket}`, note: 'stored; not enforced locally' };
  },
};

/** CDK's Custom::S3BucketNotifications: the bucket gets the NotificationConfiguration. */
export const bucketNotificationsHandler: ResourceHandler = {
  create(request, context) {
    const bucket = requiredString(request, 'BucketName');
    applyNotifications(
      request,
      context.emulator.s3,
      bucket,
      request.properties.NotificationConfiguration ?? {},
    );
    return {
      ref: `${bucket}-notifications`,
      display: `notifications of ${bucket}`,
      note: 'applied by the emulator',
    };
  },
};

/** CDK's Custom::S3AutoDeleteObjects: emptied buckets on stack deletion; local objects vanish with the emulator. */
export const autoDeleteObjectsHandler: ResourceHandler = {
  create(request) {
    const bucket = requiredString(request, 'BucketName');
    return {
      ref: `${bucket}-auto-delete`,
      display: bucket,
      note: 'nothing to do locally: objects live in memory',
    };
  },
};

interface FilterShape {
  readonly Key?: { readonly FilterRules?: Array<{ Name?: string; Value?: string }> };
  readonly S3Key?: { readonly Rules?: Array<{ Name?: string; Value?: string }> };
}

/**
 * Both shapes: the S3 API's (what CDK's custom resource carries: `QueueConfigurations[].QueueArn`, `Events`,
 * `Filter.Key.FilterRules`) and the CloudFormation bucket property's (`QueueConfigurations[].Queue`, `Event`,
 * `Filter.S3Key.Rules`, `LambdaConfigurations`).
 */
function applyNotifications(
  request: ResourceRequest,
  s3: S3Service,
  bucket: string,
  configuration: unknown,
): void {
  const c = (configuration ?? {}) as Record<string, Array<Record<string, unknown>> | undefined>;
  const destinations = (entries: Array<Record<string, unknown>> | undefined, arnKeys: string[]) =>
    (entries ?? []).map((entry): RequestedDestination => {
      const filter = (entry.Filter ?? {}) as FilterShape;
      const rules = filter.Key?.FilterRules ?? filter.S3Key?.Rules ?? [];
      const arn = arnKeys.map((k) => entry[k]).find((v) => v !== undefined);
      return {
        id: entry.Id as string | undefined,
        arn: arn === undefined ? undefined : String(arn),
        events: entry.Events !== undefined ? (entry.Events as string[]) : [String(entry.Event)],
        filterRules: rules.map((r) => ({ name: r.Name, value: r.Value })),
      };
    });
  const requested: RequestedNotificationConfiguration = {
    topics: destinations(c.TopicConfigurations, ['TopicArn', 'Topic']),
    queues: destinations(c.QueueConfigurations, ['QueueArn', 'Queue']),
    functions: destinations(c.LambdaFunctionConfigurations ?? c.LambdaConfigurations, [
      'LambdaFunctionArn',
      'Function',
    ]),
    eventBridge:
      (configuration as { EventBridgeConfiguration?: unknown }).EventBridgeConfiguration !== undefined,
  };
  const requestId = request.logicalId;
  s3.putBucketNotificationConfiguration(bucket, requested, {
    requestId,
    hostId: requestId,
    sourceIp: '127.0.0.1',
  });
}
