/**
 * UploadPartCopy test set-up shared by upload-part-copy.test.ts (SDK) and upload-part-copy-clients.test.ts (AWS
 * CLIs, boto3): an emulator with a 'target' bucket and a 'source' bucket holding a 20 MiB and a tiny object.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

export const MiB = 1024 * 1024;
/** 20 MiB: over the CLIs' 8 MiB multipart threshold, on disk in the emulator (past its 1 MiB spill threshold). */
export const SOURCE = randomBytes(20 * MiB);
export const SOURCE_MD5 = md5(SOURCE);

/** Starts the emulator with source/big (SOURCE), source/small and an empty 'target' bucket. */
export async function startUploadPartCopyEmulator(): Promise<S3TestEmulator> {
  const t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'source' }));
  await t.s3.send(new CreateBucketCommand({ Bucket: 'target' }));
  await t.s3.send(new PutObjectCommand({ Bucket: 'source', Key: 'big', Body: SOURCE }));
  await t.s3.send(new PutObjectCommand({ Bucket: 'source', Key: 'small', Body: 'tiny source' }));
  return t;
}

export function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

export async function md5OfStream(stream: Readable): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
