import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { awsErrorOf } from '../../helpers/emulator';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

let t: S3TestEmulator;
beforeEach(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'docs' }));
});
afterEach(async () => {
  await t.stop();
});

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');
const crc32Base64 = (data: string | Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data));
  return out.toString('base64');
};
const text = async (key: string, extra: Record<string, unknown> = {}) => {
  const result = await t.s3.send(new GetObjectCommand({ Bucket: 'docs', Key: key, ...extra }));
  return {
    result,
    body: await (result.Body as { transformToString(): Promise<string> }).transformToString(),
  };
};

describe('PutObject and GetObject', () => {
  it('stores the body, content type and user metadata, with the MD5 ETag and the SDK CRC32 checksum', async () => {
    // Act
    const put = await t.s3.send(
      new PutObjectCommand({
        Bucket: 'docs',
        Key: 'reports/2026/q1.txt',
        Body: 'quarterly numbers',
        ContentType: 'text/plain',
        Metadata: { author: 'ada', 'review-state': 'final' },
        CacheControl: 'max-age=60',
      }),
    );
    const { result, body } = await text('reports/2026/q1.txt', { ChecksumMode: 'ENABLED' });
    // Assess
    expect(put.ETag).toBe(`"${md5('quarterly numbers')}"`);
    expect(put.ChecksumCRC32).toBe(crc32Base64('quarterly numbers'));
    expect(body).toBe('quarterly numbers');
    expect(result).toMatchObject({
      ContentType: 'text/plain',
      ContentLength: 17,
      ETag: put.ETag,
      CacheControl: 'max-age=60',
      Metadata: { author: 'ada', 'review-state': 'final' },
      ChecksumCRC32: put.ChecksumCRC32,
      ServerSideEncryption: 'AES256',
    });
    expect(result.LastModified?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('decodes an aws-chunked streaming body with its CRC32 trailer', async () => {
    // Prepare
    const data = Buffer.alloc(300_000, 'abcdefghij');
    // Act
    const put = await t.s3.send(
      new PutObjectCommand({
        Bucket: 'docs',
        Key: 'stream.bin',
        Body: Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]),
        ContentLength: data.length,
      }),
    );
    const result = await t.s3.send(
      new GetObjectCommand({ Bucket: 'docs', Key: 'stream.bin', ChecksumMode: 'ENABLED' }),
    );
    const bytes = Buffer.from(
      await (result.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    // Assess
    expect(put.ChecksumCRC32).toBe(crc32Base64(data));
    expect(put.ETag).toBe(`"${md5(data)}"`);
    expect(bytes.equals(data)).toBe(true);
  });

  it('accepts the other checksum algorithms and rejects a wrong checksum with BadDigest', async () => {
    // Act
    const sha = await t.s3.send(
      new PutObjectCommand({ Bucket: 'docs', Key: 'a', Body: 'x', ChecksumAlgorithm: 'SHA256' }),
    );
    const crc32c = await t.s3.send(
      new PutObjectCommand({ Bucket: 'docs', Key: 'b', Body: '123456789', ChecksumAlgorithm: 'CRC32C' }),
    );
    const wrong = await awsErrorOf(
      t.s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'c', Body: 'x', ChecksumCRC32: 'AAAAAA==' })),
    );
    // Assess
    expect(sha.ChecksumSHA256).toBe(createHash('sha256').update('x').digest('base64'));
    expect(crc32c.ChecksumCRC32C).toBe(Buffer.from('e3069283', 'hex').toString('base64'));
    expect(wrong).toMatchObject({
      name: 'BadDigest',
      status: 400,
      message: 'The CRC32 you specified did not match the calculated checksum.',
    });
  });

  it('serves byte ranges with 206 and Content-Range, and refuses a range past the end', async () => {
    // Prepare
    await t.s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'abc', Body: '0123456789' }));
    // Act
    const middle = await text('abc', { Range: 'bytes=2-4' });
    const tail = await text('abc', { Range: 'bytes=-3' });
    const open = await text('abc', { Range: 'bytes=7-' });
    const past = await awsErrorOf(
      t.s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'abc', Range: 'bytes=10-' })),
    );
    // Assess
    expect(middle.body).toBe('234');
    expect(middle.result.ContentRange).toBe('bytes 2-4/10');
    expect(middle.result.$metadata.httpStatusCode).toBe(206);
    expect(tail.body).toBe('789');
    expect(open.body).toBe('789');
    expect(past).toMatchObject({
      name: 'InvalidRange',
      status: 416,
      message: 'The requested range is not satisfiable',
    });
  });

  it('answers conditional requests', async () => {
    // Prepare
    const { ETag } = await t.s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'c', Body: 'v1' }));
    // Act
    const notModified = await awsErrorOf(
      t.s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'c', IfNoneMatch: ETag })),
    );
    const failed = await awsErrorOf(
      t.s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'c', IfMatch: '"nope"' })),
    );
    const matched = await text('c', { IfMatch: ETag });
    // Assess
    expect(notModified.status).toBe(304);
    expect(failed).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect(matched.body).toBe('v1');
  });

  it('answers NoSuchKey and NoSuchBucket with their AWS messages', async () => {
    // Act
    const key = await awsErrorOf(t.s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'missing' })));
    const bucket = await awsErrorOf(t.s3.send(new GetObjectCommand({ Bucket: 'nobucket', Key: 'x' })));
    const head = await awsErrorOf(t.s3.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'missing' })));
    // Assess
    expect(key).toMatchObject({
      name: 'NoSuchKey',
      status: 404,
      message: 'The specified key does not exist.',
    });
    expect(bucket).toMatchObject({
      name: 'NoSuchBucket',
      status: 404,
      message: 'The specified bucket does not exist',
    });
    expect(head).toMatchObject({ name: 'NotFound', status: 404 });
  });
});

describe('HeadObject, DeleteObject, DeleteObjects', () => {
  it('heads an object without its body', async () => {
    // Prepare
    await t.s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'h', Body: 'hello', Metadata: { a: 'b' } }));
    // Act
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'h' }));
    // Assess
    expect(head).toMatchObject({ ContentLength: 5, ETag: `"${md5('hello')}"`, Metadata: { a: 'b' } });
  });

  it('deletes one object, and deleting it again succeeds', async () => {
    // Prepare
    await t.s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'd', Body: 'x' }));
    // Act
    await t.s3.send(new DeleteObjectCommand({ Bucket: 'docs', Key: 'd' }));
    const again = await t.s3.send(new DeleteObjectCommand({ Bucket: 'docs', Key: 'd' }));
    const gone = await awsErrorOf(t.s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'd' })));
    // Assess
    expect(again.$metadata.httpStatusCode).toBe(204);
    expect(gone.name).toBe('NoSuchKey');
  });

  it('deletes many objects at once, quietly or not', async () => {
    // Prepare
    for (const key of ['a', 'b', 'c'])
      await t.s3.send(new PutObjectCommand({ Bucket: 'docs', Key: key, Body: key }));
    // Act
    const loud = await t.s3.send(
      new DeleteObjectsCommand({ Bucket: 'docs', Delete: { Objects: [{ Key: 'a' }, { Key: 'never' }] } }),
    );
    const quiet = await t.s3.send(
      new DeleteObjectsCommand({ Bucket: 'docs', Delete: { Objects: [{ Key: 'b' }], Quiet: true } }),
    );
    const left = await text('c');
    // Assess
    expect(loud.Deleted?.map((d) => d.Key)).toEqual(['a', 'never']);
    expect(quiet.Deleted).toBeUndefined();
    expect(left.body).toBe('c');
  });
});

describe('CopyObject', () => {
  it('copies the body and metadata, or replaces the metadata', async () => {
    // Prepare
    await t.s3.send(new CreateBucketCommand({ Bucket: 'archive' }));
    await t.s3.send(
      new PutObjectCommand({
        Bucket: 'docs',
        Key: 'src key+1',
        Body: 'payload',
        ContentType: 'text/csv',
        Metadata: { v: '1' },
      }),
    );
    // Act
    const copied = await t.s3.send(
      new CopyObjectCommand({ Bucket: 'archive', Key: 'copy', CopySource: 'docs/src%20key%2B1' }),
    );
    await t.s3.send(
      new CopyObjectCommand({
        Bucket: 'archive',
        Key: 'replaced',
        CopySource: 'docs/src%20key%2B1',
        MetadataDirective: 'REPLACE',
        ContentType: 'application/json',
        Metadata: { v: '2' },
      }),
    );
    const copy = await t.s3.send(new HeadObjectCommand({ Bucket: 'archive', Key: 'copy' }));
    const replaced = await t.s3.send(new HeadObjectCommand({ Bucket: 'archive', Key: 'replaced' }));
    const self = await awsErrorOf(
      t.s3.send(
        new CopyObjectCommand({ Bucket: 'docs', Key: 'src key+1', CopySource: 'docs/src%20key%2B1' }),
      ),
    );
    // Assess
    expect(copied.CopyObjectResult?.ETag).toBe(`"${md5('payload')}"`);
    expect(copy).toMatchObject({ ContentType: 'text/csv', Metadata: { v: '1' } });
    expect(replaced).toMatchObject({ ContentType: 'application/json', Metadata: { v: '2' } });
    expect(self).toMatchObject({ name: 'InvalidRequest', status: 400 });
  });
});
