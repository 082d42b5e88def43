/**
 * @aws-sdk/lib-storage's Upload, the SDK's managed transfer: a 50 MiB body goes up as a multipart upload of
 * 5 MiB parts sent concurrently, with tags written after the upload completes; then ranged reads and the whole
 * download are checked byte for byte, and the ETag and checksums against what S3 computes for multipart objects.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type S3TestEmulator, startS3TestEmulator } from '../emulator/s3/s3-fixture';

const MiB = 1024 * 1024;
const PART_SIZE = 5 * MiB;
const SOURCE = randomBytes(50 * MiB);

let t: S3TestEmulator;
beforeAll(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'media' }));
});
afterAll(async () => {
  await t.stop();
});

const md5 = (data: Buffer) => createHash('md5').update(data).digest();
const crc32Of = (data: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data));
  return out;
};
const partsOf = (data: Buffer) =>
  Array.from({ length: Math.ceil(data.length / PART_SIZE) }, (_, i) =>
    data.subarray(i * PART_SIZE, (i + 1) * PART_SIZE),
  );

async function bytesOf(key: string, range?: string): Promise<{ body: Buffer; contentRange?: string }> {
  const result = await t.s3.send(new GetObjectCommand({ Bucket: 'media', Key: key, Range: range }));
  const body = Buffer.from(
    await (result.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
  return { body, contentRange: result.ContentRange };
}

describe('lib-storage Upload of 50 MiB with tags', () => {
  let etag: string | undefined;
  const progress: number[] = [];

  beforeAll(async () => {
    const upload = new Upload({
      client: t.s3,
      params: { Bucket: 'media', Key: 'videos/launch.mp4', Body: SOURCE, ContentType: 'video/mp4' },
      tags: [
        { Key: 'project', Value: 'launch' },
        { Key: 'retention', Value: '90 days' },
      ],
      queueSize: 4,
      partSize: PART_SIZE,
    });
    upload.on('httpUploadProgress', (p) => progress.push(p.loaded ?? 0));
    etag = (await upload.done()).ETag;
  });

  it('completes a multipart upload with the multipart ETag of its ten parts and leaves no upload open', async () => {
    // Act
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: 'media', Key: 'videos/launch.mp4' }));
    const open = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: 'media' }));
    // Assess: S3's multipart ETag is the MD5 of the parts' MD5s, then the part count
    const parts = partsOf(SOURCE);
    const expected = `"${md5(Buffer.concat(parts.map(md5))).toString('hex')}-${parts.length}"`;
    expect(parts).toHaveLength(10);
    expect(etag).toBe(expected);
    expect(head).toMatchObject({ ETag: expected, ContentLength: SOURCE.length, ContentType: 'video/mp4' });
    expect(Math.max(...progress)).toBe(SOURCE.length);
    expect(open.Uploads ?? []).toEqual([]);
  });

  it('writes the tags given to Upload', async () => {
    // Act
    const tagging = await t.s3.send(
      new GetObjectTaggingCommand({ Bucket: 'media', Key: 'videos/launch.mp4' }),
    );
    // Assess
    expect(tagging.TagSet).toEqual([
      { Key: 'project', Value: 'launch' },
      { Key: 'retention', Value: '90 days' },
    ]);
  });

  it('serves ranged reads inside a part, across a part boundary and from the end', async () => {
    // Act
    const first = await bytesOf('videos/launch.mp4', 'bytes=0-99');
    const boundary = await bytesOf('videos/launch.mp4', `bytes=${PART_SIZE - 10}-${PART_SIZE + 9}`);
    const suffix = await bytesOf('videos/launch.mp4', 'bytes=-100');
    const open = await bytesOf('videos/launch.mp4', `bytes=${SOURCE.length - 5}-`);
    // Assess
    expect(first.body.equals(SOURCE.subarray(0, 100))).toBe(true);
    expect(first.contentRange).toBe(`bytes 0-99/${SOURCE.length}`);
    expect(boundary.body.equals(SOURCE.subarray(PART_SIZE - 10, PART_SIZE + 10))).toBe(true);
    expect(suffix.body.equals(SOURCE.subarray(SOURCE.length - 100))).toBe(true);
    expect(suffix.contentRange).toBe(`bytes ${SOURCE.length - 100}-${SOURCE.length - 1}/${SOURCE.length}`);
    expect(open.body.equals(SOURCE.subarray(SOURCE.length - 5))).toBe(true);
  });

  it('downloads the same bytes (MD5 of the download equals the source) with the checksum S3 keeps', async () => {
    // Act
    const result = await t.s3.send(
      new GetObjectCommand({ Bucket: 'media', Key: 'videos/launch.mp4', ChecksumMode: 'ENABLED' }),
    );
    const body = Buffer.from(
      await (result.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    // Assess
    expect(md5(body).toString('hex')).toBe(md5(SOURCE).toString('hex'));
    // Upload opens the upload with CRC32 and sends each part's CRC32: S3 keeps the composite checksum, the CRC32
    // of the parts' CRC32 digests and the part count (the SDK does not validate those on download, so we do)
    const composite = `${crc32Of(Buffer.concat(partsOf(SOURCE).map(crc32Of))).toString('base64')}-10`;
    expect(result).toMatchObject({ ChecksumType: 'COMPOSITE', ChecksumCRC32: composite });
  });
});

describe('lib-storage Upload of a stream of unknown length', () => {
  it('uploads what a Readable yields in parts and stores the same bytes', async () => {
    // Prepare: 12 MiB in 1 MiB chunks, with no ContentLength (a pipe, a generated export)
    const source = SOURCE.subarray(0, 12 * MiB);
    const chunks = partsOf(source).flatMap((part) =>
      Array.from({ length: part.length / MiB }, (_, i) => part.subarray(i * MiB, (i + 1) * MiB)),
    );
    // Act
    const result = await new Upload({
      client: t.s3,
      params: { Bucket: 'media', Key: 'exports/stream.bin', Body: Readable.from(chunks) },
      partSize: PART_SIZE,
    }).done();
    const { body } = await bytesOf('exports/stream.bin');
    // Assess
    expect(result.ETag).toMatch(/-3"$/);
    expect(md5(body).equals(md5(source))).toBe(true);
  });
});
