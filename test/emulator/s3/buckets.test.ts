import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { awsErrorOf } from '../../helpers/emulator';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

let t: S3TestEmulator;
beforeEach(async () => {
  t = await startS3TestEmulator();
});
afterEach(async () => {
  await t.stop();
});

describe('buckets', () => {
  it('creates, heads, lists and deletes buckets', async () => {
    // Act
    const created = await t.s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
    await t.s3.send(new CreateBucketCommand({ Bucket: 'archive' }));
    const head = await t.s3.send(new HeadBucketCommand({ Bucket: 'uploads' }));
    const listed = await t.s3.send(new ListBucketsCommand({}));
    const location = await t.s3.send(new GetBucketLocationCommand({ Bucket: 'uploads' }));
    await t.s3.send(new DeleteBucketCommand({ Bucket: 'archive' }));
    const after = await t.s3.send(new ListBucketsCommand({}));
    // Assess
    expect(created.Location).toBe('/uploads');
    expect(head.BucketRegion).toBe('us-east-1');
    expect(listed.Buckets?.map((b) => b.Name)).toEqual(['archive', 'uploads']);
    expect(listed.Buckets?.[0].CreationDate?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(listed.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
    expect(location.LocationConstraint).toBeUndefined();
    expect(after.Buckets?.map((b) => b.Name)).toEqual(['uploads']);
  });

  it('answers 200 when you create a bucket you already own (us-east-1)', async () => {
    // Prepare
    await t.s3.send(new CreateBucketCommand({ Bucket: 'twice' }));
    // Act
    const again = await t.s3.send(new CreateBucketCommand({ Bucket: 'twice' }));
    // Assess
    expect(again.$metadata.httpStatusCode).toBe(200);
  });

  it('refuses to delete a bucket that is not empty', async () => {
    // Prepare
    await t.s3.send(new CreateBucketCommand({ Bucket: 'full' }));
    await t.s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'k', Body: 'v' }));
    // Act
    const error = await awsErrorOf(t.s3.send(new DeleteBucketCommand({ Bucket: 'full' })));
    // Assess
    expect(error).toMatchObject({
      name: 'BucketNotEmpty',
      status: 409,
      message: 'The bucket you tried to delete is not empty',
    });
  });

  it('answers NoSuchBucket for a bucket that does not exist, and a bare 404 to HEAD', async () => {
    // Act
    const list = await awsErrorOf(t.s3.send(new ListObjectsV2Command({ Bucket: 'ghost' })));
    const head = await awsErrorOf(t.s3.send(new HeadBucketCommand({ Bucket: 'ghost' })));
    const remove = await awsErrorOf(t.s3.send(new DeleteBucketCommand({ Bucket: 'ghost' })));
    // Assess
    expect(list).toMatchObject({
      name: 'NoSuchBucket',
      status: 404,
      message: 'The specified bucket does not exist',
    });
    expect(head).toMatchObject({ name: 'NotFound', status: 404 });
    expect(remove.name).toBe('NoSuchBucket');
  });

  it.each([
    'ab',
    'a'.repeat(64),
    'UpperCase',
    'under_score',
    '-leading',
    'trailing-',
    'double..dot',
    '192.168.1.1',
    'xn--punycode',
    'x-s3alias',
  ])('rejects the bucket name %j as InvalidBucketName', async (name) => {
    // Act
    const error = await awsErrorOf(t.s3.send(new CreateBucketCommand({ Bucket: name })));
    // Assess
    expect(error).toMatchObject({
      name: 'InvalidBucketName',
      status: 400,
      message: 'The specified bucket is not valid.',
    });
  });

  it('refuses a location constraint of another region', async () => {
    // Act
    const error = await awsErrorOf(
      t.s3.send(
        new CreateBucketCommand({
          Bucket: 'far',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      ),
    );
    // Assess
    expect(error).toMatchObject({ name: 'IllegalLocationConstraintException', status: 400 });
  });
});

describe('bucket policies', () => {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::secure/*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });

  it('stores, returns and deletes a policy', async () => {
    // Prepare
    await t.s3.send(new CreateBucketCommand({ Bucket: 'secure' }));
    // Act
    const missing = await awsErrorOf(t.s3.send(new GetBucketPolicyCommand({ Bucket: 'secure' })));
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: 'secure', Policy: policy }));
    const stored = await t.s3.send(new GetBucketPolicyCommand({ Bucket: 'secure' }));
    await t.s3.send(new DeleteBucketPolicyCommand({ Bucket: 'secure' }));
    const deleted = await awsErrorOf(t.s3.send(new GetBucketPolicyCommand({ Bucket: 'secure' })));
    // Assess
    expect(missing).toMatchObject({
      name: 'NoSuchBucketPolicy',
      status: 404,
      message: 'The bucket policy does not exist',
    });
    expect(stored.Policy).toBe(policy);
    expect(deleted.name).toBe('NoSuchBucketPolicy');
  });

  it('rejects a policy that is not JSON', async () => {
    // Prepare
    await t.s3.send(new CreateBucketCommand({ Bucket: 'secure' }));
    // Act
    const error = await awsErrorOf(
      t.s3.send(new PutBucketPolicyCommand({ Bucket: 'secure', Policy: 'allow all' })),
    );
    // Assess
    expect(error).toMatchObject({
      name: 'MalformedPolicy',
      status: 400,
      message: "Policies must be valid JSON and the first byte must be '{'",
    });
  });
});

describe('ListObjectsV2', () => {
  beforeEach(async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'tree' }));
    const keys = [
      'a.txt',
      'photos/2025/x.jpg',
      'photos/2026/y.jpg',
      'photos/2026/z.png',
      'photos/top.jpg',
      'videos/v.mp4',
      'zeta',
    ];
    for (const key of keys) await t.s3.send(new PutObjectCommand({ Bucket: 'tree', Key: key, Body: key }));
  });

  it('lists everything in key order with sizes and ETags', async () => {
    // Act
    const result = await t.s3.send(new ListObjectsV2Command({ Bucket: 'tree' }));
    // Assess
    expect(result.Contents?.map((c) => c.Key)).toEqual([
      'a.txt',
      'photos/2025/x.jpg',
      'photos/2026/y.jpg',
      'photos/2026/z.png',
      'photos/top.jpg',
      'videos/v.mp4',
      'zeta',
    ]);
    expect(result.Contents?.[0]).toMatchObject({ Size: 5, StorageClass: 'STANDARD' });
    expect(result.Contents?.[0].ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(result).toMatchObject({ KeyCount: 7, MaxKeys: 1000, IsTruncated: false });
  });

  it('groups by delimiter into CommonPrefixes under a prefix', async () => {
    // Act
    const top = await t.s3.send(new ListObjectsV2Command({ Bucket: 'tree', Delimiter: '/' }));
    const photos = await t.s3.send(
      new ListObjectsV2Command({ Bucket: 'tree', Prefix: 'photos/', Delimiter: '/' }),
    );
    // Assess
    expect(top.Contents?.map((c) => c.Key)).toEqual(['a.txt', 'zeta']);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['photos/', 'videos/']);
    expect(photos.Contents?.map((c) => c.Key)).toEqual(['photos/top.jpg']);
    expect(photos.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['photos/2025/', 'photos/2026/']);
    expect(photos.KeyCount).toBe(3);
  });

  it('pages with continuation tokens, counting common prefixes as keys', async () => {
    // Act
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await t.s3.send(
        new ListObjectsV2Command({ Bucket: 'tree', Delimiter: '/', MaxKeys: 2, ContinuationToken: token }),
      );
      pages.push([
        ...(page.Contents ?? []).map((c) => c.Key as string),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix as string),
      ]);
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token);
    // Assess
    expect(pages).toEqual([
      ['a.txt', 'photos/'],
      ['zeta', 'videos/'],
    ]);
  });

  it('starts after a key and honors a prefix', async () => {
    // Act
    const result = await t.s3.send(
      new ListObjectsV2Command({ Bucket: 'tree', Prefix: 'photos/', StartAfter: 'photos/2026/y.jpg' }),
    );
    // Assess
    expect(result.Contents?.map((c) => c.Key)).toEqual(['photos/2026/z.png', 'photos/top.jpg']);
    expect(result.StartAfter).toBe('photos/2026/y.jpg');
  });

  it('rejects a continuation token it did not issue', async () => {
    // Act
    const error = await awsErrorOf(
      t.s3.send(new ListObjectsV2Command({ Bucket: 'tree', ContinuationToken: '%%%' })),
    );
    // Assess
    expect(error).toMatchObject({
      name: 'InvalidArgument',
      status: 400,
      message: 'The continuation token provided is incorrect',
    });
  });
});
