/**
 * Large S3 objects through @aws-sdk/lib-storage against the emulator in its own process: wall time of a 200 MiB
 * `Upload` (multipart, 4 parts at once) and of reading it back, and the emulator's memory before, at its peak and
 * after, beside the same-run ceiling of writing those bytes to a file of this machine's temp directory; memory is
 * also given as RSS growth per byte of the object (issue 18's goal: at most 1.2, each byte held once).
 * Run alone: tsx bench/s3-large.ts [MiB]
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startEmulatorProcess } from './servers';

const CREDENTIALS = { accessKeyId: 'AKIABENCHMARK', secretAccessKey: 'benchmark' };
const CHUNK = Buffer.alloc(1024 * 1024, 'decoupled ');

export interface LargeObjectResult {
  readonly mebibytes: number;
  readonly uploadSeconds: number;
  readonly downloadSeconds: number;
  /** Writing the same bytes to a temp file, in this process: the ceiling. */
  readonly diskSeconds: number;
  /** The emulator's resident memory, MiB: started, after the upload, after the download, and its peak. */
  readonly rssBefore: number;
  readonly rssAfterUpload: number;
  readonly rssAfterDownload: number;
  readonly rssPeak: number;
  /** RSS growth from start to after the upload, per byte of the object (goal ≤ 1.2: each byte held at most once). */
  readonly rssGrowthPerObjectByte: number;
  /** The same at the peak (VmHWM): what the upload needed at its worst moment. */
  readonly peakGrowthPerObjectByte: number;
}

/** `mebibytes` MiB of the same repeated chunk, produced as read (the client holds no copy of the whole). */
function bytes(mebibytes: number): Readable {
  let left = mebibytes;
  return new Readable({
    read() {
      this.push(left-- > 0 ? CHUNK : null);
    },
  });
}

/** VmRSS and VmHWM (peak) of a process, in MiB (Linux). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

async function diskCeiling(mebibytes: number): Promise<number> {
  const directory = mkdtempSync(path.join(tmpdir(), 'decoupled-bench-'));
  try {
    const started = performance.now();
    await pipeline(bytes(mebibytes), createWriteStream(path.join(directory, 'ceiling')));
    return (performance.now() - started) / 1000;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export async function benchLargeObject(mebibytes = 200): Promise<LargeObjectResult> {
  const emulator = await startEmulatorProcess();
  const s3 = new S3Client({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    forcePathStyle: true,
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'large' }));
    const before = memoryOf(emulator.pid);
    let started = performance.now();
    await new Upload({
      client: s3,
      params: { Bucket: 'large', Key: 'object', Body: bytes(mebibytes) },
      queueSize: 4,
    }).done();
    const uploadSeconds = (performance.now() - started) / 1000;
    const afterUpload = memoryOf(emulator.pid);

    started = performance.now();
    const got = await s3.send(new GetObjectCommand({ Bucket: 'large', Key: 'object' }));
    const md5 = createHash('md5');
    let received = 0;
    for await (const chunk of got.Body as Readable) {
      md5.update(chunk as Buffer);
      received += (chunk as Buffer).length;
    }
    const downloadSeconds = (performance.now() - started) / 1000;
    if (received !== mebibytes * CHUNK.length) throw new Error(`read ${received} bytes back`);
    const afterDownload = memoryOf(emulator.pid);
    return {
      mebibytes,
      uploadSeconds,
      downloadSeconds,
      diskSeconds: await diskCeiling(mebibytes),
      rssBefore: before.rss,
      rssAfterUpload: afterUpload.rss,
      rssAfterDownload: afterDownload.rss,
      rssPeak: afterDownload.peak,
      rssGrowthPerObjectByte: (afterUpload.rss - before.rss) / mebibytes,
      peakGrowthPerObjectByte: (afterDownload.peak - before.rss) / mebibytes,
    };
  } finally {
    s3.destroy();
    await emulator.stop();
  }
}

if (require.main === module) {
  const mebibytes = Number(process.argv[2] ?? 200);
  void benchLargeObject(mebibytes).then((result) => console.log(JSON.stringify(result, null, 2)));
}
