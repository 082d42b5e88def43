/** S3 members the SDK sends: honoured (conditional writes, copy-source conditions, owners, regions) or refused by name. */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketAccelerateConfigurationCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { awsErrorOf } from '../../helpers/emulator';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

let t: S3TestEmulator;
beforeAll(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'members' }));
});
afterAll(async () => {
  await t.stop();
});

describe('members the emulator does not honour', () => {
  it('are refused with NotImplemented naming the member, and nothing is stored', async () => {
    // Act
    const tagged = await awsErrorOf(
      t.s3.send(
        new PutObjectCommand({
          Bucket: 'members',
          Key: 'tagged',
          Body: 'x',
          WebsiteRedirectLocation: '/other',
        }),
      ),
    );
    const glacier = await awsErrorOf(
      t.s3.send(new PutObjectCommand({ Bucket: 'members', Key: 'cold', Body: 'x', StorageClass: 'GLACIER' })),
    );
    const missing = await awsErrorOf(t.s3.send(new GetObjectCommand({ Bucket: 'members', Key: 'tagged' })));

    // Assess
    expect(tagged).toMatchObject({
      name: 'NotImplemented',
      status: 501,
      message: 'WebsiteRedirectLocation is not supported by the local emulator.',
    });
    expect(glacier).toMatchObject({
      name: 'NotImplemented',
      message: 'StorageClass GLACIER is not supported by the local emulator.',
    });
    expect(missing.name).toBe('NoSuchKey');
  });

  it('are accepted when they hold the value S3 applies anyway', async () => {
    // Act
    const put = await t.s3.send(
      new PutObjectCommand({
        Bucket: 'members',
        Key: 'standard',
        Body: 'x',
        StorageClass: 'STANDARD',
        ServerSideEncryption: 'AES256',
        ACL: 'private',
      }),
    );

    // Assess
    expect(put.ServerSideEncryption).toBe('AES256');
  });

  it('an operation of the model the emulator does not answer is NotImplemented naming it', async () => {
    // Act
    const error = await awsErrorOf(
      t.s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket: 'members' })),
    );

    // Assess
    expect(error).toMatchObject({
      name: 'NotImplemented',
      status: 501,
      message: 'GetBucketAccelerateConfiguration is not supported by the local emulator.',
    });
  });
});

describe('members the emulator honours', () => {
  it('writes conditionally: If-None-Match * only when absent, If-Match only over that ETag', async () => {
    // Prepare
    const first = await t.s3.send(
      new PutObjectCommand({ Bucket: 'members', Key: 'once', Body: 'v1', IfNoneMatch: '*' }),
    );

    // Act
    const again = await awsErrorOf(
      t.s3.send(new PutObjectCommand({ Bucket: 'members', Key: 'once', Body: 'v2', IfNoneMatch: '*' })),
    );
    const stale = await awsErrorOf(
      t.s3.send(new PutObjectCommand({ Bucket: 'members', Key: 'once', Body: 'v2', IfMatch: '"0"' })),
    );
    const current = await t.s3.send(
      new PutObjectCommand({ Bucket: 'members', Key: 'once', Body: 'v2', IfMatch: first.ETag }),
    );

    // Assess
    expect(again).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect(stale).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect(current.ETag).not.toBe(first.ETag);
  });

  it('copies only when the copy-source conditions hold', async () => {
    // Prepare
    const source = await t.s3.send(new PutObjectCommand({ Bucket: 'members', Key: 'source', Body: 'v' }));

    // Act
    const failed = await awsErrorOf(
      t.s3.send(
        new CopyObjectCommand({
          Bucket: 'members',
          Key: 'copy',
          CopySource: 'members/source',
          CopySourceIfNoneMatch: source.ETag,
        }),
      ),
    );
    const copied = await t.s3.send(
      new CopyObjectCommand({
        Bucket: 'members',
        Key: 'copy',
        CopySource: 'members/source',
        CopySourceIfMatch: source.ETag,
      }),
    );

    // Assess
    expect(failed).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect(copied.CopyObjectResult?.ETag).toBe(source.ETag);
  });

  it('an expected bucket owner other than the account is AccessDenied', async () => {
    // Act
    const error = await awsErrorOf(
      t.s3.send(
        new PutObjectCommand({ Bucket: 'members', Key: 'k', Body: 'x', ExpectedBucketOwner: '111111111111' }),
      ),
    );
    const own = await t.s3.send(
      new PutObjectCommand({ Bucket: 'members', Key: 'k', Body: 'x', ExpectedBucketOwner: '000000000000' }),
    );

    // Assess
    expect(error).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(own.ETag).toBeDefined();
  });

  it('ListBuckets filters by BucketRegion', async () => {
    // Act
    const here = await t.s3.send(new ListBucketsCommand({ BucketRegion: 'us-east-1' }));
    const elsewhere = await t.s3.send(new ListBucketsCommand({ BucketRegion: 'eu-west-1' }));

    // Assess
    expect(here.Buckets?.map((b) => b.Name)).toContain('members');
    expect(elsewhere.Buckets ?? []).toEqual([]);
  });

  it('CompleteMultipartUpload compares each part checksum with the part uploaded', async () => {
    // Prepare
    const { UploadId } = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'members', Key: 'mp', ChecksumAlgorithm: 'CRC32' }),
    );
    const part = await t.s3.send(
      new UploadPartCommand({
        Bucket: 'members',
        Key: 'mp',
        UploadId,
        PartNumber: 1,
        Body: 'part',
        ChecksumAlgorithm: 'CRC32',
      }),
    );

    // Act
    const error = await awsErrorOf(
      t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'members',
          Key: 'mp',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumCRC32: 'AAAAAA==' }] },
        }),
      ),
    );

    // Assess
    expect(error).toMatchObject({ name: 'InvalidPart', status: 400 });
  });
});
