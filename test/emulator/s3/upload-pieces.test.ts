/**
 * Uploads between 64 KiB and 1 MiB stay in memory in the pieces they arrived in (no joined copy): reads whole and
 * across the pieces, ETags, checksums, copies and aws-chunked streams still answer as S3 does.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { awsErrorOf } from '../../helpers/emulator';
import { rawRequest, signedFor } from '../../helpers/raw-http';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

let t: S3TestEmulator;

beforeAll(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'pieces' }));
});

afterAll(async () => {
  await t.stop();
});

/** Bytes that differ at every offset, so a piece read out of place shows. */
function patterned(size: number): Buffer {
  const data = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) data.writeUInt32BE(i, i);
  return data;
}

async function read(s3: S3Client, Key: string, Range?: string): Promise<Buffer> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: 'pieces', Key, Range }));
  return Buffer.from(
    await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
}

/** `data` framed as an unsigned aws-chunked body in `size`-byte chunks, then a CRC32 trailer of `trailerOf`. */
function awsChunked(data: Buffer, size: number, trailerOf: Buffer): Buffer {
  const framed: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) {
    const chunk = data.subarray(i, i + size);
    framed.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  framed.push(Buffer.from(`0\r\nx-amz-checksum-crc32:${crc32Of(trailerOf)}\r\n\r\n`));
  return Buffer.concat(framed);
}

function putAwsChunked(key: string, data: Buffer, trailerOf: Buffer) {
  return rawRequest(`${t.emulator.endpoint}/pieces/${key}`, {
    method: 'PUT',
    headers: {
      ...signedFor('s3'),
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
      'x-amz-trailer': 'x-amz-checksum-crc32',
    },
    body: awsChunked(data, 10_000, trailerOf),
  });
}

const md5Etag = (data: Buffer) => `"${createHash('md5').update(data).digest('hex')}"`;
const crc32Of = (data: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data) >>> 0);
  return out.toString('base64');
};

describe('S3 uploads held in the pieces they arrived in', () => {
  it('a 768 KiB PutObject: ETag, checksum, whole and range reads across the pieces, memory counted once', async () => {
    // Prepare
    const data = patterned(768 * 1024);
    const before = t.emulator.s3.bytesStored;

    // Act
    const put = await t.s3.send(new PutObjectCommand({ Bucket: 'pieces', Key: 'mid', Body: data }));

    // Assess
    expect(put.ETag).toBe(md5Etag(data));
    expect(put.ChecksumCRC32).toBe(crc32Of(data));
    expect(t.emulator.s3.bytesStored - before).toBe(data.length);
    // held as several pieces, not one joined Buffer
    expect(t.emulator.s3.getObject('pieces', 'mid').body.buffer).toBeUndefined();
    expect((await read(t.s3, 'mid')).equals(data)).toBe(true);
    // socket reads are at most 64 KiB: these ranges cross piece boundaries
    for (const [start, end] of [
      [65_530, 65_545],
      [100_000, 400_000],
      [data.length - 10, data.length - 1],
    ]) {
      expect((await read(t.s3, 'mid', `bytes=${start}-${end}`)).equals(data.subarray(start, end + 1))).toBe(
        true,
      );
    }
  });

  it('a wrong CRC32 for a body held in pieces is BadDigest, and nothing is stored', async () => {
    // Prepare
    const data = patterned(200 * 1024);

    // Act
    const error = await awsErrorOf(
      t.s3.send(
        new PutObjectCommand({
          Bucket: 'pieces',
          Key: 'bad',
          Body: data,
          ChecksumCRC32: crc32Of(Buffer.from('x')),
        }),
      ),
    );

    // Assess
    expect(error).toMatchObject({ name: 'BadDigest', status: 400 });
    expect((await awsErrorOf(read(t.s3, 'bad'))).name).toBe('NoSuchKey');
  });

  it('CopyObject of a body held in pieces, and an aws-chunked stream upload of 300 KiB', async () => {
    // Prepare
    const data = patterned(300 * 1024);
    await t.s3.send(new PutObjectCommand({ Bucket: 'pieces', Key: 'source', Body: data }));

    // Act: a copy, and lib-storage sending a stream of unknown length (one aws-chunked PutObject)
    const copy = await t.s3.send(
      new CopyObjectCommand({ Bucket: 'pieces', Key: 'copy', CopySource: 'pieces/source' }),
    );
    await new Upload({
      client: t.s3,
      params: {
        Bucket: 'pieces',
        Key: 'streamed',
        Body: Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
      },
    }).done();

    // Assess
    expect(copy.CopyObjectResult?.ETag).toBe(md5Etag(data));
    expect((await read(t.s3, 'copy')).equals(data)).toBe(true);
    expect((await read(t.s3, 'streamed')).equals(data)).toBe(true);
  });

  it('an aws-chunked body held in memory is decoded as it arrived: its data pieces are the object, checked', async () => {
    // Prepare: 400 KiB in 10,000-byte chunks, so chunk framing falls inside socket reads
    const data = patterned(400 * 1024);

    // Act
    const good = await putAwsChunked('framed', data, data);
    const bad = await putAwsChunked('framed-bad', data, Buffer.from('x'));

    // Assess: S3's ETag (MD5 of the decoded bytes) and checksum; the pieces kept, not joined into a copy
    expect([good.status, good.headers.etag, good.headers['x-amz-checksum-crc32']]).toEqual([
      200,
      md5Etag(data),
      crc32Of(data),
    ]);
    expect(t.emulator.s3.getObject('pieces', 'framed').body.buffer).toBeUndefined();
    expect((await read(t.s3, 'framed')).equals(data)).toBe(true);
    expect([bad.status, bad.body]).toEqual([400, expect.stringContaining('<Code>BadDigest</Code>')]);
    expect((await awsErrorOf(read(t.s3, 'framed-bad'))).name).toBe('NoSuchKey');
  });

  it('a wrong Content-MD5 or payload hash for a body held in pieces is refused as S3 refuses it', async () => {
    // Prepare
    const data = patterned(300 * 1024);
    const put = (key: string, headers: Record<string, string>) =>
      rawRequest(`${t.emulator.endpoint}/pieces/${key}`, {
        method: 'PUT',
        headers: { ...signedFor('s3'), ...headers },
        body: data,
      });

    // Act
    const md5 = await put('md5', { 'content-md5': createHash('md5').update('x').digest('base64') });
    const sha = await put('sha', { 'x-amz-content-sha256': createHash('sha256').update('x').digest('hex') });
    const right = await put('right', {
      'content-md5': createHash('md5').update(data).digest('base64'),
      'x-amz-content-sha256': createHash('sha256').update(data).digest('hex'),
    });

    // Assess
    expect([md5.status, md5.body]).toEqual([400, expect.stringContaining('<Code>BadDigest</Code>')]);
    expect([sha.status, sha.body]).toEqual([
      400,
      expect.stringContaining('<Code>XAmzContentSHA256Mismatch</Code>'),
    ]);
    expect([right.status, right.headers.etag]).toEqual([200, md5Etag(data)]);
  });
});
