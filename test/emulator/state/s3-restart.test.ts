/**
 * `--state-dir` with S3: buckets with their settings, and objects with every version, come back byte-identical
 * with the same ETags, version ids and metadata; a body no record points to any more is deleted.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { TEST_CREDENTIALS } from '../../helpers/emulator';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-s3-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function withEmulator<T>(
  clock: ManualClock,
  act: (s3: S3Client, emulator: Emulator) => Promise<T>,
): Promise<T> {
  const emulator = await startEmulator({ port: 0, clock, region: 'us-east-1', stateDirectory: dir });
  const s3 = new S3Client({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
    maxAttempts: 1,
  });
  try {
    return await act(s3, emulator);
  } finally {
    s3.destroy();
    await emulator.stop();
  }
}

async function bytesOf(s3: S3Client, Bucket: string, Key: string, VersionId?: string) {
  const answer = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }));
  return {
    bytes: Buffer.from(
      await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    ),
    etag: answer.ETag,
    versionId: answer.VersionId,
    contentType: answer.ContentType,
    metadata: answer.Metadata,
  };
}

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: 'arn:aws:s3:::docs' }],
});

it.each([
  ['from the journal', false],
  ['from a snapshot', true],
])(
  'keeps buckets and every version of objects, small and large, across a restart, %s',
  async (_l, snapshot) => {
    // Prepare: a versioned bucket with settings, a small and a 1.5 MiB object in two versions, a copy, a delete marker
    const clock = new ManualClock();
    const large = randomBytes(1536 * 1024);
    const largeV2 = randomBytes(1536 * 1024 + 7);
    const before = await withEmulator(clock, async (s3, emulator) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'docs' }));
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: 'docs', VersioningConfiguration: { Status: 'Enabled' } }),
      );
      await s3.send(
        new PutBucketTaggingCommand({ Bucket: 'docs', Tagging: { TagSet: [{ Key: 'team', Value: 'a' }] } }),
      );
      await s3.send(new PutBucketPolicyCommand({ Bucket: 'docs', Policy: POLICY }));
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: 'docs',
          ServerSideEncryptionConfiguration: {
            Rules: [
              { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true },
            ],
          },
        }),
      );
      await s3.send(
        new PutObjectCommand({
          Bucket: 'docs',
          Key: 'small.txt',
          Body: 'hello',
          ContentType: 'text/plain',
          Metadata: { owner: 'me' },
        }),
      );
      const first = await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'big.bin', Body: large }));
      const second = await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'big.bin', Body: largeV2 }));
      await s3.send(new CopyObjectCommand({ Bucket: 'docs', Key: 'copy.bin', CopySource: 'docs/big.bin' }));
      await s3.send(
        new PutObjectTaggingCommand({
          Bucket: 'docs',
          Key: 'copy.bin',
          Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] },
        }),
      );
      await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'gone.txt', Body: 'soon deleted' }));
      const marker = await s3.send(new DeleteObjectCommand({ Bucket: 'docs', Key: 'gone.txt' }));
      // a plain bucket, and an object whose only version is deleted for good (its file must go)
      await s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
      const temp = await s3.send(
        new PutObjectCommand({ Bucket: 'docs', Key: 'temp.bin', Body: randomBytes(8192) }),
      );
      await s3.send(new DeleteObjectCommand({ Bucket: 'docs', Key: 'temp.bin', VersionId: temp.VersionId }));
      if (snapshot) await emulator.persistence?.rewrite();
      return {
        small: await bytesOf(s3, 'docs', 'small.txt'),
        bigV1: await bytesOf(s3, 'docs', 'big.bin', first.VersionId),
        bigV2: await bytesOf(s3, 'docs', 'big.bin'),
        copy: await bytesOf(s3, 'docs', 'copy.bin'),
        versions: await s3.send(new ListObjectVersionsCommand({ Bucket: 'docs' })),
        ids: { first: first.VersionId, second: second.VersionId, marker: marker.VersionId },
      };
    });
    expect(before.bigV1.bytes.equals(large)).toBe(true);
    // the files of the three large versions (the copy shares big.bin's): temp.bin's is gone
    expect(readdirSync(path.join(dir, 's3-bodies'))).toHaveLength(2);

    // Act: restart on the same directory
    await withEmulator(clock, async (s3) => {
      // Assert: the same bytes, ETags, version ids and metadata; settings and listings as before
      const small = await bytesOf(s3, 'docs', 'small.txt');
      expect(small).toEqual(before.small);
      expect(small.metadata).toEqual({ owner: 'me' });
      const bigV1 = await bytesOf(s3, 'docs', 'big.bin', before.ids.first);
      expect(bigV1.bytes.equals(large)).toBe(true);
      expect(bigV1.etag).toBe(before.bigV1.etag);
      const bigV2 = await bytesOf(s3, 'docs', 'big.bin');
      expect(bigV2.bytes.equals(largeV2)).toBe(true);
      expect(bigV2.versionId).toBe(before.ids.second);
      expect((await bytesOf(s3, 'docs', 'copy.bin')).bytes.equals(largeV2)).toBe(true);
      const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: 'docs', Key: 'copy.bin' }));
      expect(tags.TagSet).toEqual([{ Key: 'k', Value: 'v' }]);
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'docs' }));
      expect(versions.Versions).toEqual(before.versions.Versions);
      expect(versions.DeleteMarkers).toEqual(before.versions.DeleteMarkers);
      expect(versions.DeleteMarkers?.[0]?.VersionId).toBe(before.ids.marker);
      await expect(s3.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'gone.txt' }))).rejects.toThrow();
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'docs' }))).Status).toBe('Enabled');
      expect((await s3.send(new GetBucketTaggingCommand({ Bucket: 'docs' }))).TagSet).toEqual([
        { Key: 'team', Value: 'a' },
      ]);
      expect((await s3.send(new GetBucketPolicyCommand({ Bucket: 'docs' }))).Policy).toBe(POLICY);
      const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'docs' }));
      expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]).toMatchObject({
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' },
        BucketKeyEnabled: true,
      });
      await s3.send(new HeadBucketCommand({ Bucket: 'plain' }));

      // and a change after the restart is kept too: the old version deleted for good frees its file
      await s3.send(new DeleteObjectCommand({ Bucket: 'docs', Key: 'big.bin', VersionId: before.ids.first }));
    });
    expect(readdirSync(path.join(dir, 's3-bodies'))).toHaveLength(1);
    await withEmulator(clock, async (s3) => {
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'docs', Prefix: 'big.bin' }));
      expect(versions.Versions?.map((v) => v.VersionId)).toEqual([before.ids.second]);
      expect((await bytesOf(s3, 'docs', 'big.bin')).bytes.equals(largeV2)).toBe(true);
    });
    expect(existsSync(path.join(dir, 'format.json'))).toBe(true);
  },
);
