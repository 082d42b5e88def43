/**
 * AWS::S3::Bucket and AWS::S3::BucketPolicy, and the two custom resources CDK adds to buckets:
 * Custom::S3BucketNotifications (its NotificationConfiguration is applied, as CDK's provider does with
 * PutBucketNotificationConfiguration) and Custom::S3AutoDeleteObjects (nothing to do: local objects go with the
 * emulator).
 */
import { randomUUID } from 'node:crypto';
import { type AccessControlPolicy, cannedAcl, OBJECT_OWNERSHIPS, type ObjectOwnership } from '../../s3/acl';
import { type BucketEncryption, bucketEncryptionOf, DEFAULT_BUCKET_ENCRYPTION } from '../../s3/encryption';
import type { S3Service } from '../../s3/service';
import type { RequestedDestination, RequestedNotificationConfiguration } from '../../s3/notifications';
import {
  jsonText,
  type ProvisionedResource,
  requiredString,
  type ResourceHandler,
  type ResourceRequest,
  resourcePolicyNote,
} from './types';

/** Ref: the bucket name; Fn::GetAtt: Arn, DomainName, RegionalDomainName, DualStackDomainName, WebsiteURL. */
export const bucketHandler: ResourceHandler = {
  replacedBy: ['BucketName', 'ObjectLockEnabled'],
  nameProperty: 'BucketName',
  // the objects stay: only the notification configuration is applied again
  update(request, previous, context) {
    const encryption = encryptionOf(request.properties.BucketEncryption);
    applyVersioning(context.emulator.s3, previous.ref, request.properties.VersioningConfiguration);
    context.emulator.s3.putBucketEncryption(previous.ref, encryption);
    const notifications = request.properties.NotificationConfiguration;
    if (JSON.stringify(notifications) !== JSON.stringify(previous.properties.NotificationConfiguration)) {
      applyNotifications(request, context.emulator.s3, previous.ref, notifications ?? {});
    }
    return { ref: previous.ref, attributes: previous.attributes };
  },
  // AWS: a bucket that still holds objects fails to delete (CDK's autoDeleteObjects empties it first)
  delete(resource, context) {
    context.emulator.s3.deleteBucket(resource.ref);
  },
  create(request, context) {
    const { s3, region } = context.emulator;
    const name =
      (request.properties.BucketName as string | undefined) ??
      context.physicalName({ maxLength: 63, lowercase: true });
    const access = bucketAccessOf(request, s3);
    s3.checkNewBucketAcl(access.acl, access.ownership);
    const encryption = encryptionOf(request.properties.BucketEncryption);
    s3.createBucket(name, region === 'us-east-1' ? undefined : region);
    s3.initializeBucketAccess(name, access.acl, access.ownership);
    applyVersioning(s3, name, request.properties.VersioningConfiguration);
    s3.putBucketEncryption(name, encryption);
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

/** BucketEncryption as CloudFormation spells it, checked as PutBucketEncryption checks it (absent: SSE-S3). */
function encryptionOf(property: unknown): BucketEncryption {
  if (property === undefined) return DEFAULT_BUCKET_ENCRYPTION;
  const rules = (property as { ServerSideEncryptionConfiguration?: unknown })
    .ServerSideEncryptionConfiguration;
  if (!Array.isArray(rules)) {
    throw new Error('BucketEncryption.ServerSideEncryptionConfiguration must be a list of rules');
  }
  return bucketEncryptionOf({
    Rules: rules.map((rule: { ServerSideEncryptionByDefault?: never; BucketKeyEnabled?: unknown }) => ({
      ApplyServerSideEncryptionByDefault: rule?.ServerSideEncryptionByDefault,
      BucketKeyEnabled: rule?.BucketKeyEnabled === true || rule?.BucketKeyEnabled === 'true',
    })),
  });
}

/** Ref: an id of the policy. The policy is stored on the bucket (evaluated unless `--iam off`). */
export const bucketPolicyHandler: ResourceHandler = {
  replacedBy: ['Bucket'],
  update(request, previous, context) {
    context.emulator.s3.putBucketPolicy(
      previous.properties.Bucket as string,
      jsonText(request.properties.PolicyDocument) ?? '',
    );
    return { ref: previous.ref, display: `policy of ${String(previous.properties.Bucket)}` };
  },
  delete(resource, context) {
    const bucket = String(resource.properties.Bucket);
    if (context.emulator.s3.listBuckets().some((b) => b.name === bucket))
      context.emulator.s3.deleteBucketPolicy(bucket);
  },
  create(request, context) {
    const bucket = requiredString(request, 'Bucket');
    context.emulator.s3.putBucketPolicy(bucket, jsonText(request.properties.PolicyDocument) ?? '');
    return {
      ref: randomUUID(),
      display: `policy of ${bucket}`,
      note: resourcePolicyNote(context.emulator.iam.mode),
    };
  },
};

/** CDK's Custom::S3BucketNotifications: the bucket gets the NotificationConfiguration. */
export const bucketNotificationsHandler: ResourceHandler = {
  update(request, previous, context) {
    return {
      ...bucketNotificationsHandler.create(request, context),
      ref: previous.ref,
    } as ProvisionedResource;
  },
  // as CDK's provider does on delete: the bucket keeps no notification configuration
  delete(resource, context) {
    const bucket = String(resource.properties.BucketName);
    if (context.emulator.s3.listBuckets().some((b) => b.name === bucket)) {
      applyNotifications(resource, context.emulator.s3, bucket, {});
    }
  },
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

/** CDK's Custom::S3AutoDeleteObjects: its deletion empties the bucket, as CDK's provider function does. */
export const autoDeleteObjectsHandler: ResourceHandler = {
  update(request, previous) {
    return {
      ...(autoDeleteObjectsHandler.create(request, undefined as never) as ProvisionedResource),
      ref: previous.ref,
    };
  },
  delete(resource, context) {
    const s3 = context.emulator.s3;
    const name = String(resource.properties.BucketName);
    if (!s3.listBuckets().some((b) => b.name === name)) return;
    const bucket = s3.headBucket(name);
    const requestContext = {
      requestId: resource.logicalId,
      hostId: resource.logicalId,
      sourceIp: '127.0.0.1',
    };
    // as CDK's provider does: every version and delete marker (the null version alone when unversioned)
    for (;;) {
      const { versions } = s3.listObjectVersions(name, {});
      if (versions.length === 0) break;
      for (const { version } of versions)
        s3.deleteObject(name, version.key, requestContext, version.versionId ?? 'null');
    }
    for (const upload of [...bucket.uploads.values()])
      s3.abortMultipartUpload(name, upload.key, upload.uploadId);
  },
  create(request) {
    const bucket = requiredString(request, 'BucketName');
    return {
      ref: `${bucket}-auto-delete`,
      display: bucket,
      note: 'nothing to do locally: objects live in memory',
    };
  },
};

/** VersioningConfiguration `{ Status: Enabled | Suspended }`: applied as PutBucketVersioning does. */
function applyVersioning(s3: S3Service, bucket: string, configuration: unknown): void {
  const status = (configuration as { Status?: string } | undefined)?.Status;
  if (status !== undefined) s3.putBucketVersioning(bucket, status);
}

/** AccessControl (CloudFormation's `LogDeliveryWrite` is the canned `log-delivery-write`) and OwnershipControls. */
function bucketAccessOf(
  request: ResourceRequest,
  s3: S3Service,
): { acl: AccessControlPolicy | undefined; ownership: ObjectOwnership | undefined } {
  const canned = request.properties.AccessControl as string | undefined;
  const rules = (
    request.properties.OwnershipControls as { Rules?: { ObjectOwnership?: string }[] } | undefined
  )?.Rules;
  const ownership = rules?.[0]?.ObjectOwnership;
  if (ownership !== undefined && !(OBJECT_OWNERSHIPS as readonly string[]).includes(ownership)) {
    throw new Error(`OwnershipControls: ${ownership} is not an ObjectOwnership`);
  }
  return {
    acl:
      canned === undefined
        ? undefined
        : cannedAcl(canned.replace(/(?<=[a-z])(?=[A-Z])/g, '-').toLowerCase(), s3.ownerId, 'bucket'),
    ownership: ownership as ObjectOwnership | undefined,
  };
}

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
