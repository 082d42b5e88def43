/**
 * S3 versioning through the SDK: versions kept and read by id, delete markers, ListObjectVersions, Suspended's null
 * version. The same behaviour through the AWS CLIs and boto3 is in versioning-clients.test.ts (the long tier).
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { deployStacks } from '../../../lib/emulator/deploy/local-deployment';
import { awsErrorOf } from '../../helpers/emulator';
import { rawRequest } from '../../helpers/raw-http';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';
import { put, versionedBucket } from './versioning-fixture';

let t: S3TestEmulator;
beforeAll(async () => {
  t = await startS3TestEmulator();
});
afterAll(async () => {
  await t.stop();
});

async function text(bucket: string, key: string, versionId?: string): Promise<string> {
  const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return (await got.Body?.transformToString()) ?? '';
}

describe('the versioning configuration', () => {
  it('is absent on a new bucket, then Enabled or Suspended; MFADelete and bad values are refused', async () => {
    // Prepare
    await t.s3.send(new CreateBucketCommand({ Bucket: 'config' }));
    // Act
    const fresh = await t.s3.send(new GetBucketVersioningCommand({ Bucket: 'config' }));
    await t.s3.send(
      new PutBucketVersioningCommand({ Bucket: 'config', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const enabled = await t.s3.send(new GetBucketVersioningCommand({ Bucket: 'config' }));
    await t.s3.send(
      new PutBucketVersioningCommand({ Bucket: 'config', VersioningConfiguration: { Status: 'Suspended' } }),
    );
    const suspended = await t.s3.send(new GetBucketVersioningCommand({ Bucket: 'config' }));
    const mfa = await awsErrorOf(
      t.s3.send(
        new PutBucketVersioningCommand({
          Bucket: 'config',
          VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Enabled' },
        }),
      ),
    );
    const bad = await awsErrorOf(
      t.s3.send(
        new PutBucketVersioningCommand({
          Bucket: 'config',
          VersioningConfiguration: { Status: 'On' as 'Enabled' },
        }),
      ),
    );
    const still = await t.s3.send(new GetBucketVersioningCommand({ Bucket: 'config' }));
    // Assess
    expect(fresh.Status).toBeUndefined();
    expect(enabled.Status).toBe('Enabled');
    expect(suspended.Status).toBe('Suspended');
    expect(mfa).toMatchObject({ name: 'NotImplemented', status: 501 });
    expect(mfa.message).toContain('MFADelete');
    expect(bad).toMatchObject({ name: 'MalformedXML', status: 400 });
    expect(still.Status).toBe('Suspended');
  });
});

describe('with versioning Enabled', () => {
  beforeAll(async () => {
    await versionedBucket(t.s3, 'history');
  });

  it('each write is a new version, read back by id; an unversioned GET reads the latest', async () => {
    // Act
    const v1 = await put(t.s3, 'history', 'doc', 'one');
    const v2 = await put(t.s3, 'history', 'doc', 'two');
    const copied = await t.s3.send(
      new CopyObjectCommand({ Bucket: 'history', Key: 'copy', CopySource: `history/doc?versionId=${v1}` }),
    );
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: 'history', Key: 'doc', VersionId: v1 }));
    // Assess
    expect(v1).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(v2).not.toBe(v1);
    expect(await text('history', 'doc')).toBe('two');
    expect(await text('history', 'doc', v1)).toBe('one');
    expect(head).toMatchObject({ VersionId: v1, ContentLength: 3 });
    expect(copied.CopySourceVersionId).toBe(v1);
    expect(copied.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await text('history', 'copy')).toBe('one');
  });

  it('restores an old version by copying it onto its own key', async () => {
    // Prepare
    const v1 = await put(t.s3, 'history', 'restore', 'good');
    await put(t.s3, 'history', 'restore', 'bad');
    // Act
    const restored = await t.s3.send(
      new CopyObjectCommand({
        Bucket: 'history',
        Key: 'restore',
        CopySource: `history/restore?versionId=${v1}`,
      }),
    );
    const versions = await t.s3.send(new ListObjectVersionsCommand({ Bucket: 'history', Prefix: 'restore' }));
    // Assess
    expect(await text('history', 'restore')).toBe('good');
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual([restored.VersionId, expect.any(String), v1]);
  });

  it('a DELETE adds a delete marker: GET is 404 with x-amz-delete-marker, the versions stay', async () => {
    // Prepare
    const v1 = await put(t.s3, 'history', 'gone', 'kept');
    // Act
    const deleted = await t.s3.send(new DeleteObjectCommand({ Bucket: 'history', Key: 'gone' }));
    const missing = await rawRequest(`${t.emulator.endpoint}/history/gone`, { method: 'GET' });
    const byMarker = await rawRequest(`${t.emulator.endpoint}/history/gone?versionId=${deleted.VersionId}`, {
      method: 'GET',
    });
    const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: 'history', Prefix: 'gone' }));
    // Assess
    expect(deleted.DeleteMarker).toBe(true);
    expect(deleted.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('<Code>NoSuchKey</Code>');
    expect(missing.headers['x-amz-delete-marker']).toBe('true');
    expect(missing.headers['x-amz-version-id']).toBe(deleted.VersionId);
    expect(byMarker.status).toBe(405);
    expect(byMarker.body).toContain('<Code>MethodNotAllowed</Code>');
    expect(byMarker.headers['x-amz-delete-marker']).toBe('true');
    expect(listed.KeyCount).toBe(0);
    expect(await text('history', 'gone', v1)).toBe('kept');
  });

  it('deleting the delete marker by id brings the object back; deleting a version removes it for good', async () => {
    // Prepare
    const v1 = await put(t.s3, 'history', 'undo', 'first');
    const v2 = await put(t.s3, 'history', 'undo', 'second');
    const marker = await t.s3.send(new DeleteObjectCommand({ Bucket: 'history', Key: 'undo' }));
    // Act
    const unmarked = await t.s3.send(
      new DeleteObjectCommand({ Bucket: 'history', Key: 'undo', VersionId: marker.VersionId }),
    );
    const restored = await text('history', 'undo');
    await t.s3.send(new DeleteObjectCommand({ Bucket: 'history', Key: 'undo', VersionId: v2 }));
    const afterwards = await text('history', 'undo');
    const noVersion = await awsErrorOf(
      t.s3.send(new GetObjectCommand({ Bucket: 'history', Key: 'undo', VersionId: v2 })),
    );
    const badId = await awsErrorOf(
      t.s3.send(new GetObjectCommand({ Bucket: 'history', Key: 'undo', VersionId: 'not a version' })),
    );
    // Assess
    expect(unmarked).toMatchObject({ DeleteMarker: true, VersionId: marker.VersionId });
    expect(restored).toBe('second');
    expect(afterwards).toBe('first');
    expect(v1).not.toBe(v2);
    expect(noVersion).toMatchObject({ name: 'NoSuchVersion', status: 404 });
    expect(badId).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });

  it('tags a version by id, and DeleteObjects takes version ids', async () => {
    // Prepare
    const v1 = await put(t.s3, 'history', 'batch', 'a');
    const v2 = await put(t.s3, 'history', 'batch', 'b');
    // Act
    await t.s3.send(
      new PutObjectTaggingCommand({
        Bucket: 'history',
        Key: 'batch',
        VersionId: v1,
        Tagging: { TagSet: [{ Key: 'old', Value: 'yes' }] },
      }),
    );
    const oldTags = await t.s3.send(
      new GetObjectTaggingCommand({ Bucket: 'history', Key: 'batch', VersionId: v1 }),
    );
    const newTags = await t.s3.send(new GetObjectTaggingCommand({ Bucket: 'history', Key: 'batch' }));
    const result = await t.s3.send(
      new DeleteObjectsCommand({
        Bucket: 'history',
        Delete: { Objects: [{ Key: 'batch', VersionId: v1 }, { Key: 'batch' }] },
      }),
    );
    const versions = await t.s3.send(new ListObjectVersionsCommand({ Bucket: 'history', Prefix: 'batch' }));
    // Assess
    expect(oldTags).toMatchObject({ VersionId: v1, TagSet: [{ Key: 'old', Value: 'yes' }] });
    expect(newTags).toMatchObject({ VersionId: v2, TagSet: [] });
    expect(result.Deleted).toEqual([
      { Key: 'batch', VersionId: v1 },
      { Key: 'batch', DeleteMarker: true, DeleteMarkerVersionId: expect.any(String) },
    ]);
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([[v2, false]]);
    expect(versions.DeleteMarkers).toHaveLength(1);
    expect(versions.DeleteMarkers?.[0]).toMatchObject({ Key: 'batch', IsLatest: true });
  });
});

describe('ListObjectVersions', () => {
  it('lists keys in order, each newest first, a page at a time with key and version-id markers', async () => {
    // Prepare
    await versionedBucket(t.s3, 'pages');
    const a1 = await put(t.s3, 'pages', 'a', '1');
    const a2 = await put(t.s3, 'pages', 'a', '22');
    const b1 = await put(t.s3, 'pages', 'b', '333');
    const marker = await t.s3.send(new DeleteObjectCommand({ Bucket: 'pages', Key: 'b' }));
    await put(t.s3, 'pages', 'dir/x', 'x');
    await put(t.s3, 'pages', 'dir/y', 'y');
    // Act
    const pages: ListObjectVersionsCommandOutput[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await t.s3.send(
        new ListObjectVersionsCommand({
          Bucket: 'pages',
          MaxKeys: 2,
          Delimiter: '/',
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
        }),
      );
      pages.push(page);
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    } while (pages[pages.length - 1].IsTruncated && pages.length < 10);
    const entries = pages.flatMap((p) => [
      ...(p.Versions ?? []).map((v) => `${v.Key}@${v.VersionId}:${v.IsLatest}:${v.Size}`),
      ...(p.DeleteMarkers ?? []).map((m) => `${m.Key}@${m.VersionId}:${m.IsLatest}:marker`),
      ...(p.CommonPrefixes ?? []).map((c) => `${c.Prefix}`),
    ]);
    const bad = await awsErrorOf(
      t.s3.send(new ListObjectVersionsCommand({ Bucket: 'pages', VersionIdMarker: a1 })),
    );
    // Assess
    expect(pages.map((p) => p.IsTruncated)).toEqual([true, true, false]);
    expect(entries).toEqual([
      `a@${a2}:true:2`,
      `a@${a1}:false:1`,
      `b@${b1}:false:3`,
      `b@${marker.VersionId}:true:marker`,
      'dir/',
    ]);
    expect(bad).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });

  it('lists the objects of a bucket that never had versioning as the null version', async () => {
    // Prepare
    await t.s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
    const put1 = await t.s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'v' }));
    // Act
    const listed = await t.s3.send(new ListObjectVersionsCommand({ Bucket: 'plain' }));
    // Assess
    expect(put1.VersionId).toBeUndefined();
    expect(listed.Versions).toMatchObject([{ Key: 'k', VersionId: 'null', IsLatest: true, Size: 1 }]);
  });
});

describe('with versioning Suspended', () => {
  it('writes the null version, replacing the previous null version but keeping the others', async () => {
    // Prepare
    const base = t.emulator.s3.bytesStored;
    await t.s3.send(new CreateBucketCommand({ Bucket: 'paused' }));
    await put(t.s3, 'paused', 'k', 'before versioning');
    await t.s3.send(
      new PutBucketVersioningCommand({ Bucket: 'paused', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const enabled = await put(t.s3, 'paused', 'k', 'enabled');
    await t.s3.send(
      new PutBucketVersioningCommand({ Bucket: 'paused', VersioningConfiguration: { Status: 'Suspended' } }),
    );
    // Act
    const first = await put(t.s3, 'paused', 'k', 'suspended 1');
    const second = await put(t.s3, 'paused', 'k', 'suspended 2');
    const listed = await t.s3.send(new ListObjectVersionsCommand({ Bucket: 'paused' }));
    const bytes = t.emulator.s3.bytesStored;
    const marker = await t.s3.send(new DeleteObjectCommand({ Bucket: 'paused', Key: 'k' }));
    // Assess
    expect([first, second]).toEqual(['null', 'null']);
    expect(listed.Versions?.map((v) => [v.VersionId, v.Size])).toEqual([
      ['null', 11],
      [enabled, 7],
    ]);
    expect(bytes - base).toBe(18);
    // AWS: a Suspended delete makes a null delete marker, which replaces the null version
    expect(marker).toMatchObject({ DeleteMarker: true, VersionId: 'null' });
    expect(t.emulator.s3.bytesStored - base).toBe(7);
  });
});

describe('deleting a bucket', () => {
  it('is BucketNotEmpty while versions or delete markers remain', async () => {
    // Prepare
    await versionedBucket(t.s3, 'sticky');
    const v1 = await put(t.s3, 'sticky', 'k', 'v');
    const marker = await t.s3.send(new DeleteObjectCommand({ Bucket: 'sticky', Key: 'k' }));
    // Act
    const withVersion = await awsErrorOf(t.s3.send(new DeleteBucketCommand({ Bucket: 'sticky' })));
    await t.s3.send(new DeleteObjectCommand({ Bucket: 'sticky', Key: 'k', VersionId: v1 }));
    const withMarker = await awsErrorOf(t.s3.send(new DeleteBucketCommand({ Bucket: 'sticky' })));
    await t.s3.send(new DeleteObjectCommand({ Bucket: 'sticky', Key: 'k', VersionId: marker.VersionId }));
    await t.s3.send(new DeleteBucketCommand({ Bucket: 'sticky' }));
    // Assess
    expect(withVersion).toMatchObject({ name: 'BucketNotEmpty', status: 409 });
    expect(withMarker).toMatchObject({ name: 'BucketNotEmpty', status: 409 });
    expect(t.emulator.s3.bucketNames()).not.toContain('sticky');
  });
});

describe('event notifications', () => {
  it('carry the versionId, and a delete marker is ObjectRemoved:DeleteMarkerCreated', async () => {
    // Prepare
    await versionedBucket(t.s3, 'watched');
    const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'versions' }));
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'watched',
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              QueueArn: 'arn:aws:sqs:us-east-1:000000000000:versions',
              Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
            },
          ],
        },
      }),
    );
    await drain(QueueUrl as string);
    // Act
    const version = await put(t.s3, 'watched', 'k', 'v');
    const marker = await t.s3.send(new DeleteObjectCommand({ Bucket: 'watched', Key: 'k' }));
    const records = (await drain(QueueUrl as string)).map((m) => JSON.parse(m.Body as string).Records[0]);
    // Assess
    expect(records.map((r) => [r.eventName, r.s3.object.versionId])).toEqual([
      ['ObjectCreated:Put', version],
      ['ObjectRemoved:DeleteMarkerCreated', marker.VersionId],
    ]);
  });
});

async function drain(url: string): Promise<Message[]> {
  await t.emulator.idle();
  const all: Message[] = [];
  for (;;) {
    const { Messages } = await t.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    if (!Messages?.length) return all;
    all.push(...Messages);
  }
}

describe('a CloudFormation bucket', () => {
  it('gets its VersioningConfiguration at deploy (CDK versioned: true)', async () => {
    // Act
    const deployment = await deployStacks(t.emulator, [
      {
        id: 'Versioned',
        stackName: 'local-versioned',
        template: {
          Resources: {
            Bucket: {
              Type: 'AWS::S3::Bucket',
              Properties: { BucketName: 'cfn-versioned', VersioningConfiguration: { Status: 'Enabled' } },
            },
          },
          Outputs: { Name: { Value: { Ref: 'Bucket' } } },
        },
        dependsOn: [],
        assets: new Map(),
      },
    ]);
    const versioning = await t.s3.send(
      new GetBucketVersioningCommand({ Bucket: deployment.output('Versioned', 'Name') }),
    );
    // Assess
    expect(versioning.Status).toBe('Enabled');
  });
});
