/** Versioning test helpers shared by versioning.test.ts (SDK) and versioning-clients.test.ts (AWS CLIs, boto3). */
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** Creates `name` with versioning Enabled. */
export async function versionedBucket(s3: S3Client, name: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
  );
}

/** Writes `body` to `key` and answers the version id S3 gave it. */
export async function put(s3: S3Client, bucket: string, key: string, body: string): Promise<string> {
  const { VersionId } = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return VersionId as string;
}
