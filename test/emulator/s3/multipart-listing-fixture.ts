/**
 * ListMultipartUploads test set-up shared by multipart-listing.test.ts (SDK) and multipart-listing-clients.test.ts
 * (AWS CLIs, boto3): a 'pending' bucket with six uploads initiated out of key order.
 */
import { CreateBucketCommand, CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

export interface MultipartListingEmulator extends S3TestEmulator {
  /** Upload ids in the order AWS lists them: by key, then by initiation. */
  readonly expected: readonly string[];
}

export async function startMultipartListingEmulator(): Promise<MultipartListingEmulator> {
  const t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'pending' }));
  const ids: Record<string, string[]> = {};
  // initiated out of key order, twice for `b` (a second later)
  for (const key of ['b', 'dir/x', 'a', 'b', 'dir/y', 'c']) {
    t.clock.advance(1000);
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: 'pending', Key: key }));
    (ids[key] ??= []).push(UploadId as string);
  }
  return { ...t, expected: ['a', 'b', 'c', 'dir/x', 'dir/y'].flatMap((key) => ids[key]) };
}
