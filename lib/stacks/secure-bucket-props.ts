import * as s3 from 'aws-cdk-lib/aws-s3';
import type { StageConfig } from '../config';

/** Private, encrypted (SSE-S3), TLS 1.2+ only buckets; emptied on delete where the stage destroys data. */
export function secureBucketProps(config: StageConfig): s3.BucketProps {
  return {
    // AWS: a server access log target must use SSE-S3, not SSE-KMS: the same props serve both kinds.
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    removalPolicy: config.removalPolicy,
    autoDeleteObjects: config.autoDeleteObjects,
  };
}
