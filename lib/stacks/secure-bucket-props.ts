import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { StageConfig } from '../config';
import { acknowledgeNagRule } from '../constructs/nag-acknowledgment';

/** How long a versioned bucket keeps the previous versions of overwritten and deleted objects. */
export const NONCURRENT_VERSION_RETENTION = Duration.days(30);

/**
 * Private, encrypted (SSE-S3), TLS 1.2+ only buckets; emptied on delete where the stage destroys data, and
 * versioned (previous versions kept 30 days) where it keeps data.
 */
export function secureBucketProps(config: StageConfig): s3.BucketProps {
  const versioned = keepsVersions(config);
  return {
    // AWS: a server access log target must use SSE-S3, not SSE-KMS: the same props serve both kinds.
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    removalPolicy: config.removalPolicy,
    autoDeleteObjects: config.autoDeleteObjects,
    ...(versioned && {
      versioned,
      lifecycleRules: [{ noncurrentVersionExpiration: NONCURRENT_VERSION_RETENTION }],
    }),
  };
}

/** {@link secureBucketProps} for a server access log target: the logs expire after the stage's retention. */
export function accessLogBucketProps(config: StageConfig): s3.BucketProps {
  const props = secureBucketProps(config);
  return {
    ...props,
    lifecycleRules: [...(props.lifecycleRules ?? []), { expiration: config.accessLogRetention }],
  };
}

/**
 * Acknowledges, on a bucket made with {@link secureBucketProps} or {@link accessLogBucketProps}, the compliance
 * findings it keeps on purpose: SSE-S3 rather than SSE-KMS, no cross-region replica, and no versioning in the
 * stages that delete their data.
 */
export function acknowledgeSecureBucketFindings(
  bucket: s3.Bucket,
  config: StageConfig,
  holds: 'data' | 'access logs',
): void {
  if (holds === 'access logs') {
    acknowledgeNagRule(
      bucket,
      'S3DefaultEncryptionKMS',
      'AWS: the target bucket of S3 server access logs must use SSE-S3 encryption; SSE-KMS is not supported there',
    );
    acknowledgeNagRule(
      bucket,
      'S3BucketReplicationEnabled',
      `These are the access logs of a bucket in one region, kept ${config.accessLogRetention.toDays()} days; a replica would need a second bucket in another region and a replication role, for records that matter only as long as the bucket they describe`,
    );
  } else {
    acknowledgeNagRule(
      bucket,
      'S3DefaultEncryptionKMS',
      "Objects are encrypted at rest with SSE-S3 (AES-256) and requests without TLS 1.2 are refused; SSE-KMS would add a key policy as a second access check, at the cost of a KMS request per object and key grants for every reader and writer, where the bucket policy and the functions' prefix-scoped roles already decide who may read",
    );
    acknowledgeNagRule(
      bucket,
      'S3BucketReplicationEnabled',
      'The workshop deploys to one region and these objects can be made again (uploads are re-sent, what is derived from them recomputed); a replica would need a second bucket in another region and a replication role',
    );
  }
  if (!keepsVersions(config)) {
    acknowledgeNagRule(
      bucket,
      'S3BucketVersioningEnabled',
      `The ${config.stage} stage deletes this bucket with the stack and empties it first (autoDeleteObjects), so no previous version would outlive its objects; the stages that keep their data (prod) version their buckets`,
    );
  }
}

/**
 * Acknowledges the findings on what CDK adds for a bucket's event notifications: the policy that lets its
 * BucketNotificationsHandler configure this bucket, and that handler's managed policy (one handler per stack).
 */
export function acknowledgeBucketNotificationsFindings(bucket: s3.Bucket): void {
  // CDK adds one handler per stack that applies bucket notification configurations at deploy time.
  const notificationsHandler = Stack.of(bucket).node.children.find((c) =>
    c.node.id.startsWith('BucketNotificationsHandler'),
  );
  if (notificationsHandler) {
    Validations.of(notificationsHandler).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's own BucketNotificationsHandler (it sets the bucket's notification configuration at deploy time) comes with this managed policy for its logs; CDK offers no way to replace it",
    });
  }
  acknowledgeNagRule(
    bucket.node.findChild('Notifications').node.findChild('HandlerPolicy'),
    'IAMNoInlinePolicy',
    "CDK's own policy for its BucketNotificationsHandler: it lets that handler put this bucket's notification configuration, and CDK attaches it to the handler's role itself, with no option for a managed policy",
  );
}

/** Where the stage keeps its data (no autoDeleteObjects), its buckets keep previous versions too. */
function keepsVersions(config: StageConfig): boolean {
  return !config.autoDeleteObjects;
}
