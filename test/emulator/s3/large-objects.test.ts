/**
 * Objects larger than memory: bodies past 1 MiB go to a file of the emulator's temp directory as they arrive,
 * GETs stream them back, and whatever goes wrong (too large, a client gone) leaves no file behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { boto3 } from '../../helpers/aws-clients';
import { awsErrorOf } from '../../helpers/emulator';
import { s3ClientFor } from './s3-fixture';

const MiB = 1024 * 1024;
/** One MiB of random bytes: every large body is this chunk repeated, so nothing large is generated. */
const CHUNK = randomBytes(MiB);
const SIZE = 100 * MiB;
const SIZE_MD5 = md5OfRepeated(SIZE / MiB);

let emulator: Emulator;
let s3: S3Client;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, clock: new ManualClock(), region: 'us-east-1' });
  s3 = s3ClientFor(emulator.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'big' }));
});
afterAll(async () => {
  s3.destroy();
  await emulator.stop();
});

describe('100 MiB objects through the SDK', () => {
  it('a Buffer body is stored on disk, and GET and a range GET return its bytes', async () => {
    // Prepare
    const body = Buffer.concat(Array.from({ length: SIZE / MiB }, () => CHUNK));
    // Act
    const put = await s3.send(new PutObjectCommand({ Bucket: 'big', Key: 'buffer', Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'buffer' }));
    const digest = await md5OfStream(got.Body as Readable);
    const range = await s3.send(
      new GetObjectCommand({ Bucket: 'big', Key: 'buffer', Range: `bytes=${MiB - 10}-${MiB + 9}` }),
    );
    // Assess
    expect(put.ETag).toBe(`"${SIZE_MD5}"`);
    expect([got.ETag, got.ContentLength, digest]).toEqual([`"${SIZE_MD5}"`, SIZE, SIZE_MD5]);
    expect(range.ContentRange).toBe(`bytes ${MiB - 10}-${MiB + 9}/${SIZE}`);
    expect(Buffer.from(await range.Body!.transformToByteArray())).toEqual(
      Buffer.concat([CHUNK.subarray(MiB - 10), CHUNK.subarray(0, 10)]),
    );
    // the in-memory cap counts none of it: the bytes are in a file
    expect(emulator.s3.bytesStored).toBeLessThan(MiB);
  });

  it('a stream body goes up aws-chunked with a CRC32 trailer, checked and stored', async () => {
    // Act
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'big',
        Key: 'stream',
        Body: repeatedStream(SIZE / MiB),
        ContentLength: SIZE,
        ChecksumAlgorithm: 'CRC32',
      }),
    );
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'big', Key: 'stream', ChecksumMode: 'ENABLED' }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'stream' }));
    // Assess
    expect(put.ETag).toBe(`"${SIZE_MD5}"`);
    expect(put.ChecksumCRC32).toBe(crc32OfRepeated(SIZE / MiB));
    expect([head.ContentLength, head.ChecksumCRC32]).toEqual([SIZE, put.ChecksumCRC32]);
    expect(await md5OfStream(got.Body as Readable)).toBe(SIZE_MD5);
  });

  it('a PUT and GET of 100 MiB do not take 100 MiB of the emulator process memory', async () => {
    // Prepare: buffers (external memory) are what a body held whole would show up in
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 5);
    try {
      // Act
      await s3.send(
        new PutObjectCommand({
          Bucket: 'big',
          Key: 'lean',
          Body: repeatedStream(SIZE / MiB),
          ContentLength: SIZE,
        }),
      );
      const got = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'lean' }));
      const digest = await md5OfStream(got.Body as Readable);
      // Assess
      expect(digest).toBe(SIZE_MD5);
    } finally {
      clearInterval(sampler);
    }
    // generous (about 30 MiB is usual): the spill threshold, socket and file buffers, garbage not yet collected
    expect(peak - baseline).toBeLessThan(0.7 * SIZE);
  });

  it('CopyObject of a large object shares its file instead of copying the bytes', async () => {
    // Prepare
    const files = storeFiles(emulator).length;
    // Act
    const copy = await s3.send(
      new CopyObjectCommand({ Bucket: 'big', Key: 'copy', CopySource: 'big/buffer' }),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: 'big', Key: 'buffer' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'copy' }));
    // Assess
    expect(copy.CopyObjectResult?.ETag).toBe(`"${SIZE_MD5}"`);
    expect(storeFiles(emulator)).toHaveLength(files); // no new file, and the source's kept for the copy
    expect(await md5OfStream(got.Body as Readable)).toBe(SIZE_MD5);
    await s3.send(new DeleteObjectCommand({ Bucket: 'big', Key: 'copy' }));
    expect(storeFiles(emulator)).toHaveLength(files - 1);
  });

  it('a multipart object of parts on disk is its parts, read across them', async () => {
    // Prepare: two 9 MiB parts (past the 1 MiB spill threshold), sent as streams
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'big', Key: 'parts' }));
    const parts = [];
    for (const PartNumber of [1, 2]) {
      const { ETag } = await s3.send(
        new UploadPartCommand({
          Bucket: 'big',
          Key: 'parts',
          UploadId,
          PartNumber,
          Body: repeatedStream(9),
          ContentLength: 9 * MiB,
        }),
      );
      parts.push({ PartNumber, ETag });
    }
    const files = storeFiles(emulator).length;
    // Act
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'big',
        Key: 'parts',
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'parts' }));
    const across = await s3.send(
      new GetObjectCommand({ Bucket: 'big', Key: 'parts', Range: `bytes=${9 * MiB - 3}-${9 * MiB + 2}` }),
    );
    // Assess
    expect(done.ETag).toMatch(/-2"$/);
    expect(storeFiles(emulator)).toHaveLength(files); // no new file: the object is the parts' files
    expect(await md5OfStream(got.Body as Readable)).toBe(md5OfRepeated(18));
    expect(Buffer.from(await across.Body!.transformToByteArray())).toEqual(
      Buffer.concat([CHUNK.subarray(MiB - 3), CHUNK.subarray(0, 3)]),
    );
  });

  it('boto3 put_object of 100 MiB', async () => {
    // Act
    const printed = await boto3(
      'from botocore.config import Config\n' +
        's = boto3.client("s3", endpoint_url=sys.argv[1], config=Config(s3={"addressing_style": "path"}))\n' +
        'chunk = bytes.fromhex(sys.argv[2]) * 4096\n' +
        'print(s.put_object(Bucket="big", Key="boto3", Body=chunk * 100)["ETag"])',
      emulator.endpoint,
      CHUNK.subarray(0, 256).toString('hex'),
    );
    if (printed === undefined) return console.log('boto3 is not on this machine: skipped');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'boto3' }));
    // Assess
    const expected = md5OfRepeated(
      100,
      Buffer.concat(Array.from({ length: 4096 }, () => CHUNK.subarray(0, 256))),
    );
    expect(printed.trim()).toBe(`"${expected}"`);
    expect(await md5OfStream(got.Body as Readable)).toBe(expected);
  });
});

describe('what goes wrong leaves no file', () => {
  let small: Emulator;
  let client: S3Client;
  beforeAll(async () => {
    small = await startEmulator({
      port: 0,
      clock: new ManualClock(),
      s3Limits: { maxObjectBytes: 12 * MiB },
      connectionLimits: { requestTimeoutMs: 400 },
    });
    client = s3ClientFor(small.endpoint);
    await client.send(new CreateBucketCommand({ Bucket: 'small' }));
  });
  afterAll(async () => {
    client.destroy();
    await small.stop();
  });

  it('a declared length over the limit is EntityTooLarge before the body is read', async () => {
    // Act
    const error = await awsErrorOf(
      client.send(
        new PutObjectCommand({
          Bucket: 'small',
          Key: 'over',
          Body: Buffer.concat([CHUNK, Buffer.alloc(12 * MiB)]),
        }),
      ),
    );
    // Assess
    expect(error).toMatchObject({ name: 'EntityTooLarge', status: 400 });
    expect(storeFiles(small)).toEqual([]);
  });

  it('a chunked body without a length answers EntityTooLarge once past the limit, its temp file removed', async () => {
    // Act: 16 MiB, past the 1 MiB spill threshold and the 12 MiB limit
    const response = await rawPut(small, '/small/chunked', 16, { 'transfer-encoding': 'chunked' });
    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toContain('<Code>EntityTooLarge</Code>');
    await until(() => storeFiles(small).length === 0);
    const head = await awsErrorOf(client.send(new HeadObjectCommand({ Bucket: 'small', Key: 'chunked' })));
    expect(head.status).toBe(404);
  });

  it('a spilled aws-chunked body whose CRC32 trailer is wrong is BadDigest, and leaves no file', async () => {
    // Prepare: 9 one-MiB chunks (past the spill threshold), then a trailer that does not match them
    const framed = Buffer.concat([
      ...Array.from({ length: 9 }, () => [
        Buffer.from(`${MiB.toString(16)}\r\n`),
        CHUNK,
        Buffer.from('\r\n'),
      ]).flat(),
      Buffer.from('0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n'),
    ]);
    // Act
    const response = await rawSend(small, '/small/bad-digest', framed, {
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(9 * MiB),
      'x-amz-trailer': 'x-amz-checksum-crc32',
    });
    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toContain('<Code>BadDigest</Code>');
    await until(() => storeFiles(small).length === 0);
  });

  it('a client that goes away mid-upload leaves no temp file and no object', async () => {
    // Act: 10 of 11 declared MiB sent (past the spill threshold), then the connection drops
    await rawPut(small, '/small/aborted', 10, { 'content-length': String(11 * MiB) }, 'once-spilled');
    // Assess
    await until(() => storeFiles(small).length === 0);
    const head = await awsErrorOf(client.send(new HeadObjectCommand({ Bucket: 'small', Key: 'aborted' })));
    expect(head.status).toBe(404);
  });

  it('a client that goes away mid-download lets go of the file: deleting the object then deletes it', async () => {
    // Prepare
    await client.send(
      new PutObjectCommand({
        Bucket: 'small',
        Key: 'read',
        Body: repeatedStream(10),
        ContentLength: 10 * MiB,
      }),
    );
    // Act: the first bytes of a GET, then the connection drops
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        `${small.endpoint}/small/read`,
        { headers: { authorization: SIGNED } },
        (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.end();
    });
    await client.send(new DeleteObjectCommand({ Bucket: 'small', Key: 'read' }));
    // Assess
    await until(() => storeFiles(small).length === 0);
  });

  it('an upload that outlasts requestTimeoutMs at a steady pace is served; a small body that slow is a 408', async () => {
    // Act: 10 MiB at 50 ms a MiB (about 500 ms, 20 MiB/s), then a tagging body stalled for 600 ms
    const steady = await rawPut(
      small,
      '/small/steady',
      10,
      { 'content-length': String(10 * MiB) },
      false,
      50,
    );
    const stalled = await rawPut(
      small,
      '/small?tagging',
      2,
      { 'content-length': String(2 * MiB) },
      'after-body',
      600,
    );
    // Assess
    expect(steady.status).toBe(200);
    expect(stalled.status).toBe(408);
    expect(stalled.body).toContain('<Code>RequestTimeout</Code>');
    expect(storeFiles(small)).toHaveLength(1);
    await client.send(new DeleteObjectCommand({ Bucket: 'small', Key: 'steady' }));
    expect(storeFiles(small)).toEqual([]);
  });

  it('deleting a large object deletes its file; stopping the emulator removes the directory', async () => {
    // Prepare
    await client.send(
      new PutObjectCommand({
        Bucket: 'small',
        Key: 'kept',
        Body: repeatedStream(10),
        ContentLength: 10 * MiB,
      }),
    );
    const directory = small.s3.bodies.directory;
    expect(storeFiles(small)).toHaveLength(1);
    // Act
    await client.send(new PutObjectCommand({ Bucket: 'small', Key: 'kept', Body: 'small now' }));
    // Assess
    expect(storeFiles(small)).toEqual([]);
    const other = await startEmulator({ port: 0, clock: new ManualClock() });
    const otherClient = s3ClientFor(other.endpoint);
    await otherClient.send(new CreateBucketCommand({ Bucket: 'other' }));
    await otherClient.send(
      new PutObjectCommand({ Bucket: 'other', Key: 'k', Body: repeatedStream(9), ContentLength: 9 * MiB }),
    );
    const otherDirectory = other.s3.bodies.directory;
    expect(readdirSync(otherDirectory)).toHaveLength(1);
    otherClient.destroy();
    await other.stop();
    expect(existsSync(otherDirectory)).toBe(false);
    expect(existsSync(directory)).toBe(true);
  });
});

// ----- helpers ----------------------------------------------------------------------------------------------

function repeatedStream(mebibytes: number): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < mebibytes; i++) yield CHUNK;
    })(),
  );
}

function md5OfRepeated(times: number, chunk = CHUNK): string {
  const hash = createHash('md5');
  for (let i = 0; i < times; i++) hash.update(chunk);
  return hash.digest('hex');
}

function crc32OfRepeated(times: number): string {
  let value = 0;
  for (let i = 0; i < times; i++) value = crc32(CHUNK, value);
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out.toString('base64');
}

async function md5OfStream(stream: Readable): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Any SigV4-looking authorization for S3: signatures are not checked, the scope routes the request. */
const SIGNED =
  'AWS4-HMAC-SHA256 Credential=AKIAEMULATOR/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00';

/** The files in an emulator's S3 temp directory (none when it was never made). */
function storeFiles(e: Emulator): string[] {
  return e.s3.bodies.created ? readdirSync(e.s3.bodies.directory) : [];
}

/** Waits (on real I/O, the server noticing a closed socket) until `condition` holds, at most 5 s. */
async function until(condition: () => boolean): Promise<void> {
  expect(await poll(condition)).toBe(true);
}

async function poll(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

/** A signed-looking PUT of `body`. */
function rawSend(
  e: Emulator,
  path: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${e.endpoint}${path}`, {
      method: 'PUT',
      headers: { authorization: SIGNED, 'content-length': String(body.length), ...headers },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A signed-looking PUT of `mebibytes` MiB with `headers`, `pauseMs` between MiB; `abort` drops the connection after
 * sending them, or once the server has a temp file for them (a server answering first is fine either way).
 */
function rawPut(
  e: Emulator,
  path: string,
  mebibytes: number,
  headers: Record<string, string>,
  abort: false | 'after-body' | 'once-spilled' = false,
  pauseMs = 0,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${e.endpoint}${path}`, {
      method: 'PUT',
      headers: {
        authorization: SIGNED,
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        ...headers,
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    // the server answers and closes while the body is still being written: the write side may fail
    req.on('error', (error) => (abort ? resolve({ status: 0, body: '' }) : reject(error)));
    void (async () => {
      for (let i = 0; i < mebibytes && !req.destroyed; i++) {
        if (i > 0 && pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
        if (!req.write(CHUNK)) await new Promise((r) => req.once('drain', r));
      }
      // an upload dropped while its body is being written to a temp file (a server that answered first: at once)
      if (abort === 'once-spilled') await poll(() => storeFiles(e).length > 0);
      if (abort) req.destroy();
      else if (!req.destroyed) req.end();
    })();
  });
}
