/**
 * Default bucket encryption and SSE-S3/SSE-KMS objects: stored, applied to new objects and reported as S3 does
 * (no KMS is emulated: the settings are kept, the bytes are not encrypted). cdk-assets picks its upload headers
 * from GetBucketEncryption, so the CDK bootstrap bucket (aws:kms) must answer it. These go through the SDK; the AWS
 * CLI tests are in encryption-clients.test.ts (the long tier).
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { awsErrorOf } from '../../helpers/emulator';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:000000000000:key/${KEY_ID}`;

let t: S3TestEmulator;
beforeAll(async () => {
  t = await startS3TestEmulator();
  for (const Bucket of ['plain', 'kms']) await t.s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await t.stop();
});

const kmsDefault = (Bucket: string, KMSMasterKeyID?: string, BucketKeyEnabled?: boolean) =>
  new PutBucketEncryptionCommand({
    Bucket,
    ServerSideEncryptionConfiguration: {
      Rules: [
        { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID }, BucketKeyEnabled },
      ],
    },
  });

describe('default bucket encryption', () => {
  it('is SSE-S3 for a new bucket, takes a KMS rule, and is SSE-S3 again once deleted', async () => {
    // Act
    const fresh = await t.s3.send(new GetBucketEncryptionCommand({ Bucket: 'plain' }));
    await t.s3.send(kmsDefault('kms', KEY_ID, true));
    const configured = await t.s3.send(new GetBucketEncryptionCommand({ Bucket: 'kms' }));
    await t.s3.send(kmsDefault('plain'));
    await t.s3.send(new DeleteBucketEncryptionCommand({ Bucket: 'plain' }));
    const deleted = await t.s3.send(new GetBucketEncryptionCommand({ Bucket: 'plain' }));

    // Assess
    expect(fresh.ServerSideEncryptionConfiguration?.Rules).toEqual([
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false },
    ]);
    expect(configured.ServerSideEncryptionConfiguration?.Rules).toEqual([
      {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ID },
        BucketKeyEnabled: true,
      },
    ]);
    expect(deleted.ServerSideEncryptionConfiguration?.Rules).toEqual(
      fresh.ServerSideEncryptionConfiguration?.Rules,
    );
  });

  it('refuses a key with AES256, an unknown algorithm and two rules, changing nothing', async () => {
    // Act
    const keyWithAes = await awsErrorOf(
      t.s3.send(
        new PutBucketEncryptionCommand({
          Bucket: 'kms',
          ServerSideEncryptionConfiguration: {
            Rules: [
              { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: KEY_ID } },
            ],
          },
        }),
      ),
    );
    const unknown = await awsErrorOf(
      t.s3.send(
        new PutBucketEncryptionCommand({
          Bucket: 'kms',
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'rot13' as 'AES256' } }],
          },
        }),
      ),
    );
    const two = await awsErrorOf(
      t.s3.send(
        new PutBucketEncryptionCommand({
          Bucket: 'kms',
          ServerSideEncryptionConfiguration: {
            Rules: [
              { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
              { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } },
            ],
          },
        }),
      ),
    );
    const missing = await awsErrorOf(t.s3.send(new GetBucketEncryptionCommand({ Bucket: 'nowhere' })));

    // Assess
    expect(keyWithAes).toMatchObject({ code: 'InvalidArgument', status: 400 });
    expect(keyWithAes.message).toContain('KMSMasterKeyID is not applicable');
    expect(unknown).toMatchObject({ code: 'MalformedXML', status: 400 });
    expect(two).toMatchObject({ code: 'MalformedXML', status: 400 });
    expect(missing).toMatchObject({ code: 'NoSuchBucket', status: 404 });
    const kept = await t.s3.send(new GetBucketEncryptionCommand({ Bucket: 'kms' }));
    expect(kept.ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: KEY_ID,
    });
  });
});

describe('objects', () => {
  it("get the bucket's default unless the write names its own, and report it on reads", async () => {
    // Act
    const byDefault = await t.s3.send(new PutObjectCommand({ Bucket: 'kms', Key: 'a', Body: 'a' }));
    const headDefault = await t.s3.send(new HeadObjectCommand({ Bucket: 'kms', Key: 'a' }));
    const sseS3 = await t.s3.send(
      new PutObjectCommand({ Bucket: 'kms', Key: 'b', Body: 'b', ServerSideEncryption: 'AES256' }),
    );
    const ownKey = await t.s3.send(
      new PutObjectCommand({
        Bucket: 'plain',
        Key: 'c',
        Body: 'c',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'alias/orders',
        SSEKMSEncryptionContext: Buffer.from('{"team":"billing"}').toString('base64'),
      }),
    );
    const managed = await t.s3.send(
      new PutObjectCommand({ Bucket: 'plain', Key: 'd', Body: 'd', ServerSideEncryption: 'aws:kms' }),
    );
    // AWS: a copy gets the target bucket's default, not the source's encryption
    const copied = await t.s3.send(new CopyObjectCommand({ Bucket: 'plain', Key: 'e', CopySource: 'kms/a' }));

    // Assess
    expect(byDefault).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KEY_ARN,
      BucketKeyEnabled: true,
    });
    expect(headDefault).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN });
    expect(sseS3.ServerSideEncryption).toBe('AES256');
    expect(sseS3.SSEKMSKeyId).toBeUndefined();
    expect(ownKey).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:aws:kms:us-east-1:000000000000:alias/orders',
    });
    expect(managed.SSEKMSKeyId).toMatch(/^arn:aws:kms:us-east-1:000000000000:key\/[0-9a-f-]{36}$/);
    expect(copied.ServerSideEncryption).toBe('AES256');
  });

  it('multipart uploads report the encryption of the object they make on every step', async () => {
    // Act
    const created = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: 'kms', Key: 'big' }));
    const part = await t.s3.send(
      new UploadPartCommand({
        Bucket: 'kms',
        Key: 'big',
        UploadId: created.UploadId,
        PartNumber: 1,
        Body: 'only part',
      }),
    );
    const done = await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'kms',
        Key: 'big',
        UploadId: created.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );

    // Assess
    for (const answer of [created, part, done])
      expect(answer).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN });
  });

  it('refuses KMS members without aws:kms, an unknown algorithm and a context that is no JSON map', async () => {
    // Act
    const keyWithoutKms = await awsErrorOf(
      t.s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'x', Body: 'x', SSEKMSKeyId: KEY_ID })),
    );
    const unknown = await awsErrorOf(
      t.s3.send(
        new PutObjectCommand({
          Bucket: 'plain',
          Key: 'x',
          Body: 'x',
          ServerSideEncryption: 'rot13' as 'AES256',
        }),
      ),
    );
    const badContext = await awsErrorOf(
      t.s3.send(
        new PutObjectCommand({
          Bucket: 'plain',
          Key: 'x',
          Body: 'x',
          ServerSideEncryption: 'aws:kms',
          SSEKMSEncryptionContext: Buffer.from('["not","a","map"]').toString('base64'),
        }),
      ),
    );

    // Assess
    expect(keyWithoutKms).toMatchObject({ code: 'InvalidArgument', status: 400 });
    expect(keyWithoutKms.message).toContain('requires HTTP header x-amz-server-side-encryption : aws:kms');
    expect(unknown).toMatchObject({ code: 'InvalidArgument', status: 400 });
    expect(badContext).toMatchObject({ code: 'InvalidArgument', status: 400 });
    const absent = await awsErrorOf(t.s3.send(new HeadObjectCommand({ Bucket: 'plain', Key: 'x' })));
    expect(absent.status).toBe(404);
  });
});
