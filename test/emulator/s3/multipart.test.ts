import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { awsErrorOf } from '../../helpers/emulator';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

let t: S3TestEmulator;
beforeEach(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'big' }));
});
afterEach(async () => {
  await t.stop();
});

const MiB = 1024 * 1024;
const md5 = (data: Buffer) => createHash('md5').update(data).digest();

async function start(key: string): Promise<string> {
  const created = await t.s3.send(
    new CreateMultipartUploadCommand({
      Bucket: 'big',
      Key: key,
      ContentType: 'video/mp4',
      Metadata: { take: '3' },
    }),
  );
  return created.UploadId as string;
}

async function part(key: string, uploadId: string, partNumber: number, body: Buffer) {
  const result = await t.s3.send(
    new UploadPartCommand({
      Bucket: 'big',
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      Body: body,
    }),
  );
  return { PartNumber: partNumber, ETag: result.ETag as string };
}

describe('multipart uploads (the calls @aws-sdk/lib-storage makes)', () => {
  it('assembles the parts, with the multipart ETag and the upload metadata', async () => {
    // Prepare
    const first = Buffer.alloc(5 * MiB, 'a');
    const second = Buffer.alloc(1234, 'b');
    const uploadId = await start('movie.mp4');
    const parts = [await part('movie.mp4', uploadId, 1, first), await part('movie.mp4', uploadId, 2, second)];
    // Act
    const completed = await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'big',
        Key: 'movie.mp4',
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: 'big', Key: 'movie.mp4' }));
    const got = await t.s3.send(
      new GetObjectCommand({ Bucket: 'big', Key: 'movie.mp4', Range: 'bytes=5242878-5242881' }),
    );
    // Assess
    const expectedEtag = `"${createHash('md5')
      .update(Buffer.concat([md5(first), md5(second)]))
      .digest('hex')}-2"`;
    expect(parts[0].ETag).toBe(`"${md5(first).toString('hex')}"`);
    expect(completed).toMatchObject({ Bucket: 'big', Key: 'movie.mp4', ETag: expectedEtag });
    expect(completed.Location).toBe(`${t.emulator.endpoint}/big/movie.mp4`);
    expect(head).toMatchObject({
      ContentLength: 5 * MiB + 1234,
      ContentType: 'video/mp4',
      Metadata: { take: '3' },
      ETag: expectedEtag,
    });
    expect(await (got.Body as { transformToString(): Promise<string> }).transformToString()).toBe('aabb');
  });

  it('rejects parts under 5 MiB but the last with EntityTooSmall', async () => {
    // Prepare
    const uploadId = await start('small');
    const parts = [
      await part('small', uploadId, 1, Buffer.from('tiny')),
      await part('small', uploadId, 2, Buffer.from('end')),
    ];
    // Act
    const error = await awsErrorOf(
      t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'big',
          Key: 'small',
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      ),
    );
    // Assess
    expect(error).toMatchObject({
      name: 'EntityTooSmall',
      status: 400,
      message: 'Your proposed upload is smaller than the minimum allowed size',
    });
  });

  it('rejects an unknown part, parts out of order, and an unknown upload', async () => {
    // Prepare
    const uploadId = await start('k');
    const one = await part('k', uploadId, 1, Buffer.from('x'));
    const two = await part('k', uploadId, 2, Buffer.from('y'));
    const complete = (parts: { PartNumber: number; ETag: string }[], id = uploadId) =>
      awsErrorOf(
        t.s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: 'big',
            Key: 'k',
            UploadId: id,
            MultipartUpload: { Parts: parts },
          }),
        ),
      );
    // Act
    const wrongEtag = await complete([{ PartNumber: 1, ETag: '"0000"' }]);
    const outOfOrder = await complete([two, one]);
    const unknown = await complete([one], 'no-such-upload');
    // Assess
    expect(wrongEtag).toMatchObject({ name: 'InvalidPart', status: 400 });
    expect(outOfOrder).toMatchObject({
      name: 'InvalidPartOrder',
      message: 'The list of parts was not in ascending order. Parts must be ordered by part number.',
    });
    expect(unknown).toMatchObject({ name: 'NoSuchUpload', status: 404 });
  });

  it('aborts an upload and frees its parts', async () => {
    // Prepare
    const uploadId = await start('gone');
    await part('gone', uploadId, 1, Buffer.alloc(1000));
    const before = t.emulator.s3.bytesStored;
    // Act
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: 'big', Key: 'gone', UploadId: uploadId }));
    const again = await awsErrorOf(
      t.s3.send(new AbortMultipartUploadCommand({ Bucket: 'big', Key: 'gone', UploadId: uploadId })),
    );
    // Assess
    expect(before).toBe(1000);
    expect(t.emulator.s3.bytesStored).toBe(0);
    expect(again.name).toBe('NoSuchUpload');
  });

  it('answers 204 to aborting an upload just completed, and keeps the object (as AWS, which boto3 relies on)', async () => {
    // Prepare
    const uploadId = await start('done');
    const uploaded = await part('done', uploadId, 1, Buffer.alloc(1000, 7));
    await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'big',
        Key: 'done',
        UploadId: uploadId,
        MultipartUpload: { Parts: [uploaded] },
      }),
    );
    // Act
    const aborted = await t.s3.send(
      new AbortMultipartUploadCommand({ Bucket: 'big', Key: 'done', UploadId: uploadId }),
    );
    const otherKey = await awsErrorOf(
      t.s3.send(new AbortMultipartUploadCommand({ Bucket: 'big', Key: 'other', UploadId: uploadId })),
    );
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: 'big', Key: 'done' }));
    // Assess
    expect(aborted.$metadata.httpStatusCode).toBe(204);
    expect(otherKey.name).toBe('NoSuchUpload');
    expect(head.ContentLength).toBe(1000);
  });

  it('combines part checksums into a composite checksum when the upload names an algorithm', async () => {
    // Prepare
    const created = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'big', Key: 'c', ChecksumAlgorithm: 'CRC32' }),
    );
    const uploadId = created.UploadId as string;
    const result = await t.s3.send(
      new UploadPartCommand({
        Bucket: 'big',
        Key: 'c',
        UploadId: uploadId,
        PartNumber: 1,
        Body: 'only part',
        ChecksumAlgorithm: 'CRC32',
      }),
    );
    // Act
    const completed = await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'big',
        Key: 'c',
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [{ PartNumber: 1, ETag: result.ETag, ChecksumCRC32: result.ChecksumCRC32 }],
        },
      }),
    );
    const got = await t.s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'c', ChecksumMode: 'ENABLED' }));
    // Assess
    expect(result.ChecksumCRC32).toBeDefined();
    expect(completed.ChecksumCRC32).toMatch(/-1$/);
    expect(await (got.Body as { transformToString(): Promise<string> }).transformToString()).toBe(
      'only part',
    );
  });
});
