/**
 * UploadPartCopy through the SDK: a part copied from an object (or a byte range of it), what boto3's `copy` and
 * `aws s3 cp` between S3 locations use for objects over their 8 MiB multipart threshold. Those two real clients'
 * multipart copies are in upload-part-copy-clients.test.ts (the long tier).
 */
import type { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { awsErrorOf } from '../../helpers/emulator';
import type { S3TestEmulator } from './s3-fixture';
import {
  md5,
  md5OfStream,
  MiB,
  SOURCE,
  SOURCE_MD5,
  startUploadPartCopyEmulator,
} from './upload-part-copy-fixture';

let t: S3TestEmulator;
let s3: S3Client;
beforeAll(async () => {
  t = await startUploadPartCopyEmulator();
  s3 = t.s3;
});
afterAll(async () => {
  await t.stop();
});

async function startUpload(key: string, checksum?: 'CRC32'): Promise<string> {
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: 'target', Key: key, ChecksumAlgorithm: checksum }),
  );
  return UploadId!;
}

function copyPart(key: string, uploadId: string, partNumber: number, range?: string, source = 'source/big') {
  return s3.send(
    new UploadPartCopyCommand({
      Bucket: 'target',
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      CopySource: source,
      CopySourceRange: range,
    }),
  );
}

describe('UploadPartCopy through the SDK', () => {
  it('copies ranges of an object into parts, and the completed object is those bytes', async () => {
    // Prepare
    const uploadId = await startUpload('ranged');
    // Act
    const first = await copyPart('ranged', uploadId, 1, `bytes=0-${6 * MiB - 1}`);
    const second = await copyPart('ranged', uploadId, 2, `bytes=${6 * MiB}-${7 * MiB + 99}`);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'target',
        Key: 'ranged',
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: first.CopyPartResult!.ETag },
            { PartNumber: 2, ETag: second.CopyPartResult!.ETag },
          ],
        },
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'target', Key: 'ranged' }));
    // Assess
    expect(first.CopyPartResult?.ETag).toBe(`"${md5(SOURCE.subarray(0, 6 * MiB))}"`);
    expect(first.CopyPartResult?.LastModified).toBeInstanceOf(Date);
    expect(second.CopyPartResult?.ETag).toBe(`"${md5(SOURCE.subarray(6 * MiB, 7 * MiB + 100))}"`);
    expect(done.ETag).toMatch(/-2"$/);
    expect(await md5OfStream(got.Body as Readable)).toBe(md5(SOURCE.subarray(0, 7 * MiB + 100)));
  });

  it('copies a whole object without a range, with the upload checksum', async () => {
    // Prepare
    const uploadId = await startUpload('whole', 'CRC32');
    // Act
    const part = await copyPart('whole', uploadId, 1);
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'target',
        Key: 'whole',
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            {
              PartNumber: 1,
              ETag: part.CopyPartResult!.ETag,
              ChecksumCRC32: part.CopyPartResult!.ChecksumCRC32,
            },
          ],
        },
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'target', Key: 'whole' }));
    // Assess
    expect(part.CopyPartResult?.ETag).toBe(`"${SOURCE_MD5}"`);
    expect(part.CopyPartResult?.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    expect(await md5OfStream(got.Body as Readable)).toBe(SOURCE_MD5);
  });

  it('validates like AWS: range syntax and bounds, missing source, part number, source conditions', async () => {
    // Prepare
    const uploadId = await startUpload('refused');
    // Act
    const syntax = await awsErrorOf(copyPart('refused', uploadId, 1, 'bytes=5-'));
    const reversed = await awsErrorOf(copyPart('refused', uploadId, 1, 'bytes=9-2'));
    const beyond = await awsErrorOf(copyPart('refused', uploadId, 1, `bytes=0-${20 * MiB}`));
    const missing = await awsErrorOf(copyPart('refused', uploadId, 1, undefined, 'source/nothing-here'));
    const partZero = await awsErrorOf(copyPart('refused', uploadId, 0));
    const partOver = await awsErrorOf(copyPart('refused', uploadId, 10_001));
    const noUpload = await awsErrorOf(copyPart('refused', 'not-an-upload', 1));
    const condition = await awsErrorOf(
      s3.send(
        new UploadPartCopyCommand({
          Bucket: 'target',
          Key: 'refused',
          UploadId: uploadId,
          PartNumber: 1,
          CopySource: 'source/small',
          CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"',
        }),
      ),
    );
    // Assess
    const form =
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy';
    expect(syntax).toMatchObject({ name: 'InvalidArgument', status: 400, message: form });
    expect(reversed).toMatchObject({ name: 'InvalidArgument', status: 400, message: form });
    expect(beyond).toMatchObject({
      name: 'InvalidArgument',
      status: 400,
      message: `Range specified is not valid for source object of size: ${20 * MiB}`,
    });
    expect(missing).toMatchObject({ name: 'NoSuchKey', status: 404 });
    expect(partZero).toMatchObject({ name: 'InvalidArgument', status: 400 });
    expect(partOver).toMatchObject({ name: 'InvalidArgument', status: 400 });
    expect(noUpload).toMatchObject({ name: 'NoSuchUpload', status: 404 });
    expect(condition).toMatchObject({ name: 'PreconditionFailed', status: 412 });
  });

  it('a copied part under 5 MiB that is not the last fails at Complete with EntityTooSmall', async () => {
    // Prepare
    const uploadId = await startUpload('too-small');
    const first = await copyPart('too-small', uploadId, 1, 'bytes=0-1023');
    const second = await copyPart('too-small', uploadId, 2, 'bytes=1024-2047');
    // Act
    const error = await awsErrorOf(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'target',
          Key: 'too-small',
          UploadId: uploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: first.CopyPartResult!.ETag },
              { PartNumber: 2, ETag: second.CopyPartResult!.ETag },
            ],
          },
        }),
      ),
    );
    // Assess
    expect(error).toMatchObject({ name: 'EntityTooSmall', status: 400 });
  });
});
