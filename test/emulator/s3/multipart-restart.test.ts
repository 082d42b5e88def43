/**
 * `--state-dir` with multipart uploads in progress (issue 15): an upload and its parts survive a restart, take
 * more parts after it and complete; the completed object points to its parts' files (each byte written once).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { S3_BODIES } from '../../../lib/emulator/state/s3-state';
import { awsErrorOf } from '../../helpers/emulator';
import { s3ClientFor } from './s3-fixture';

const MiB = 1024 * 1024;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-s3-multipart-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function withEmulator<T>(act: (s3: S3Client, emulator: Emulator) => Promise<T>): Promise<T> {
  const emulator = await startEmulator({
    port: 0,
    clock: new ManualClock(),
    region: 'us-east-1',
    stateDirectory: dir,
  });
  const s3 = s3ClientFor(emulator.endpoint);
  try {
    return await act(s3, emulator);
  } finally {
    s3.destroy();
    await emulator.stop();
  }
}

function bodyFiles(): string[] {
  const bodies = path.join(dir, S3_BODIES);
  return existsSync(bodies) ? readdirSync(bodies).sort() : [];
}

async function read(s3: S3Client, Key: string, Range?: string): Promise<Buffer> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key, Range }));
  return Buffer.from(
    await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
}

/** AWS's multipart ETag: the MD5 of the parts' binary MD5s, then `-N`. */
function multipartEtag(parts: readonly Buffer[]): string {
  const outer = createHash('md5');
  for (const part of parts) outer.update(createHash('md5').update(part).digest());
  return `"${outer.digest('hex')}-${parts.length}"`;
}

describe('multipart uploads in progress with --state-dir', () => {
  it('keep their parts over restarts: more parts after one, then CompleteMultipartUpload and reads across parts', async () => {
    // Prepare: an upload with two 5 MiB parts (files) before the restart
    const parts = [Buffer.alloc(5 * MiB, 'a'), Buffer.alloc(5 * MiB, 'b'), Buffer.from('the last part')];
    const started = await withEmulator(async (s3) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({
          Bucket: 'uploads',
          Key: 'big/object.bin',
          ContentType: 'application/x-test',
          Metadata: { origin: 'before-restart' },
          ChecksumAlgorithm: 'CRC32',
        }),
      );
      const etags: string[] = [];
      for (const [i, Body] of parts.slice(0, 2).entries()) {
        const answer = await s3.send(
          new UploadPartCommand({
            Bucket: 'uploads',
            Key: 'big/object.bin',
            UploadId,
            PartNumber: i + 1,
            Body,
            ChecksumAlgorithm: 'CRC32',
          }),
        );
        etags.push(answer.ETag as string);
      }
      const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads' }));
      const listedParts = await s3.send(
        new ListPartsCommand({ Bucket: 'uploads', Key: 'big/object.bin', UploadId }),
      );
      return { uploadId: UploadId as string, etags, listed: listed.Uploads, parts: listedParts.Parts };
    });
    expect(bodyFiles()).toHaveLength(2);

    // Act: after a restart the upload is listed as before, takes its last part and completes
    const completed = await withEmulator(async (s3) => {
      const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads' }));
      const listedParts = await s3.send(
        new ListPartsCommand({ Bucket: 'uploads', Key: 'big/object.bin', UploadId: started.uploadId }),
      );
      const last = await s3.send(
        new UploadPartCommand({
          Bucket: 'uploads',
          Key: 'big/object.bin',
          UploadId: started.uploadId,
          PartNumber: 3,
          Body: parts[2],
          ChecksumAlgorithm: 'CRC32',
        }),
      );
      const answer = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'uploads',
          Key: 'big/object.bin',
          UploadId: started.uploadId,
          MultipartUpload: {
            Parts: [...started.etags, last.ETag as string].map((ETag, i) => ({ ETag, PartNumber: i + 1 })),
          },
        }),
      );
      const uploadsAfter = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads' }));
      return { listed: listed.Uploads, parts: listedParts.Parts, answer, uploadsAfter: uploadsAfter.Uploads };
    });

    // Assess: the same listing, the AWS ETag and composite checksum, and no new file for the object
    expect(completed.listed).toEqual(started.listed);
    expect(completed.parts).toEqual(started.parts);
    expect(started.parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
      [1, 5 * MiB, started.etags[0]],
      [2, 5 * MiB, started.etags[1]],
    ]);
    expect(completed.answer.ETag).toBe(multipartEtag(parts));
    expect(completed.answer.ChecksumCRC32).toMatch(/-3$/);
    expect(completed.uploadsAfter ?? []).toEqual([]);
    expect(bodyFiles()).toHaveLength(2);
    await withEmulator(async (s3) => {
      const whole = await read(s3, 'big/object.bin');
      expect(whole.equals(Buffer.concat(parts))).toBe(true);
      // a range across the boundary of the two part files, and one ending in the inline last part
      const across = await read(s3, 'big/object.bin', `bytes=${5 * MiB - 3}-${5 * MiB + 2}`);
      expect(across.toString()).toBe('aaabbb');
      const tail = await read(s3, 'big/object.bin', `bytes=${10 * MiB - 2}-${10 * MiB + 2}`);
      expect(tail.toString()).toBe('bbthe');
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: 'uploads', Key: 'big/object.bin', ChecksumMode: 'ENABLED' }),
      );
      expect(head.ETag).toBe(completed.answer.ETag);
      expect(head.ChecksumCRC32).toBe(completed.answer.ChecksumCRC32);
      expect(head.PartsCount).toBe(3);
      expect(head.ContentType).toBe('application/x-test');
      expect(head.Metadata).toEqual({ origin: 'before-restart' });
    });
  });

  it('a part uploaded again replaces its file, and a snapshot (compaction) keeps the upload and its parts', async () => {
    // Prepare
    const parts = [Buffer.alloc(5 * MiB, 'x'), Buffer.alloc(6 * 1024, 'y')];
    const { UploadId, etags } = await withEmulator(async (s3, emulator) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
      const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: 'again' }));
      const upload = (PartNumber: number, Body: Buffer) =>
        s3.send(
          new UploadPartCommand({
            Bucket: 'uploads',
            Key: 'again',
            UploadId: created.UploadId,
            PartNumber,
            Body,
          }),
        );
      await upload(1, Buffer.alloc(5 * MiB, 'w'));
      const first = await upload(1, parts[0]);
      // Act: the whole state goes to a new snapshot with the upload in progress, then one more part
      await emulator.persistence?.rewrite();
      const second = await upload(2, parts[1]);
      return { UploadId: created.UploadId as string, etags: [first.ETag, second.ETag] as string[] };
    });

    // Assess: one file per part kept (the replaced one deleted), and the upload completes after the restart
    expect(bodyFiles()).toHaveLength(2);
    await withEmulator(async (s3) => {
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'uploads',
          Key: 'again',
          UploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      );
      expect((await read(s3, 'again')).equals(Buffer.concat(parts))).toBe(true);
    });
    expect(bodyFiles()).toHaveLength(2);
  });

  it('ListParts pages by part number and refuses what S3 refuses', async () => {
    await withEmulator(async (s3) => {
      // Prepare
      await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: 'paged', ChecksumAlgorithm: 'SHA256' }),
      );
      for (const PartNumber of [3, 1, 2]) {
        await s3.send(
          new UploadPartCommand({
            Bucket: 'uploads',
            Key: 'paged',
            UploadId,
            PartNumber,
            Body: `part ${PartNumber}`,
            ChecksumAlgorithm: 'SHA256',
          }),
        );
      }

      // Act
      const first = await s3.send(
        new ListPartsCommand({ Bucket: 'uploads', Key: 'paged', UploadId, MaxParts: 2 }),
      );
      const rest = await s3.send(
        new ListPartsCommand({
          Bucket: 'uploads',
          Key: 'paged',
          UploadId,
          PartNumberMarker: first.NextPartNumberMarker,
        }),
      );

      // Assess
      expect(first).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '2', MaxParts: 2 });
      expect(first.Parts?.map((p) => p.PartNumber)).toEqual([1, 2]);
      expect(first.Parts?.[0].ChecksumSHA256).toBeDefined();
      expect(first).toMatchObject({ ChecksumAlgorithm: 'SHA256', StorageClass: 'STANDARD' });
      expect(rest).toMatchObject({ IsTruncated: false, PartNumberMarker: '2', NextPartNumberMarker: '3' });
      expect(rest.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([[3, 6]]);
      expect(
        await awsErrorOf(
          s3.send(new ListPartsCommand({ Bucket: 'uploads', Key: 'paged', UploadId: 'nope' })),
        ),
      ).toMatchObject({ name: 'NoSuchUpload', status: 404 });
      expect(
        await awsErrorOf(
          s3.send(new ListPartsCommand({ Bucket: 'uploads', Key: 'paged', UploadId, MaxParts: -1 })),
        ),
      ).toMatchObject({
        name: 'InvalidArgument',
        message: 'Argument max-parts must be an integer between 0 and 2147483647',
      });
    });
  });

  it('an upload aborted after a restart is gone, and its part files with it', async () => {
    // Prepare
    const uploadId = await withEmulator(async (s3) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: 'gone' }),
      );
      await s3.send(
        new UploadPartCommand({
          Bucket: 'uploads',
          Key: 'gone',
          UploadId,
          PartNumber: 1,
          Body: Buffer.alloc(MiB + 1),
        }),
      );
      return UploadId as string;
    });
    expect(bodyFiles()).toHaveLength(1);

    // Act
    await withEmulator(async (s3) => {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: 'uploads', Key: 'gone', UploadId: uploadId }));
    });

    // Assess
    expect(bodyFiles()).toEqual([]);
    const uploads = await withEmulator(
      async (s3) => (await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads' }))).Uploads,
    );
    expect(uploads ?? []).toEqual([]);
  });

  it('a lib-storage Upload is kept as its parts: one file per part, read back whole after a restart', async () => {
    // Prepare
    const data = Buffer.alloc(11 * MiB);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);

    // Act: 5 + 5 + 1 MiB parts
    await withEmulator(async (s3) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
      await new Upload({
        client: s3,
        params: { Bucket: 'uploads', Key: 'lib', Body: data },
        partSize: 5 * MiB,
      }).done();
    });

    // Assess
    expect(bodyFiles()).toHaveLength(3);
    await withEmulator(async (s3) => {
      expect((await read(s3, 'lib')).equals(data)).toBe(true);
    });
  });
});
