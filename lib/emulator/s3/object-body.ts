/**
 * Object bytes: a sequence of segments, each an in-memory Buffer or a range of a file in the emulator's temp
 * directory. Slices (ranges, copied parts) and concatenations (a completed multipart upload IS its parts) share
 * segments, never copy them. A file lives while an object, a part or a read in flight holds it (reference counts:
 * `retain`/`release`) and is deleted when none does; the directory goes when the emulator stops (`BodyStore.close`).
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  type WriteStream,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type DigestAlgorithm, digester } from './checksum';

/**
 * Bodies up to this size stay in memory; larger ones are written to a file as they arrive. Every multipart part
 * but the last is at least 5 MiB, so parts live on disk: a 200 MiB upload in 5 MiB parts does not sit in memory.
 */
export const SPILL_THRESHOLD_BYTES = 1024 * 1024;
/** Reads of files go by this much at a time: hashing or serving a large object never holds more. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** A file of the store: deleted when the last body segment referring to it is released. */
export class BodyFile {
  private refs = 0;

  constructor(
    readonly path: string,
    readonly size: number,
  ) {}

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs <= 0) rmSync(this.path, { force: true });
  }
}

type Segment =
  | { readonly buffer: Buffer; readonly file?: undefined }
  | { readonly file: BodyFile; readonly offset: number; readonly length: number };

function segmentLength(segment: Segment): number {
  return segment.file ? segment.length : segment.buffer.length;
}

/** Immutable bytes of an object or part, in memory or on disk, with their digests once computed. */
export class ObjectBody {
  static readonly EMPTY = new ObjectBody([]);
  readonly length: number;
  /** The bytes held in memory (what the store's memory cap counts). */
  readonly memoryBytes: number;
  private readonly digests = new Map<DigestAlgorithm, Buffer>();

  private constructor(
    private readonly segments: readonly Segment[],
    /** The bodies it was concatenated from (a completed multipart upload's parts): what persistence points to. */
    readonly pieces?: readonly ObjectBody[],
  ) {
    let length = 0;
    let memory = 0;
    for (const segment of segments) {
      length += segmentLength(segment);
      if (!segment.file) memory += segment.buffer.length;
    }
    this.length = length;
    this.memoryBytes = memory;
  }

  static of(buffer: Buffer): ObjectBody {
    return buffer.length === 0 ? ObjectBody.EMPTY : new ObjectBody([{ buffer }]);
  }

  /** Buffers one after the other as a body, shared (a request body as it arrived, not joined into a copy). */
  static ofChunks(buffers: readonly Buffer[]): ObjectBody {
    const segments = buffers.filter((b) => b.length > 0).map((buffer) => ({ buffer }));
    return segments.length === 0 ? ObjectBody.EMPTY : new ObjectBody(segments);
  }

  /** A whole file as a body. */
  static ofFile(file: BodyFile): ObjectBody {
    return file.size === 0 ? ObjectBody.EMPTY : new ObjectBody([{ file, offset: 0, length: file.size }]);
  }

  /** The bodies one after the other, sharing their segments. */
  static concat(bodies: readonly ObjectBody[]): ObjectBody {
    return new ObjectBody(
      bodies.flatMap((b) => b.segments),
      bodies.flatMap((b) => b.pieces ?? [b]),
    );
  }

  /** Bytes `start` (inclusive) to `end` (exclusive), sharing the segments they lie in. */
  slice(start: number, end: number): ObjectBody {
    const segments: Segment[] = [];
    let position = 0;
    for (const segment of this.segments) {
      const length = segmentLength(segment);
      const from = Math.max(start, position);
      const to = Math.min(end, position + length);
      if (from < to) {
        segments.push(
          segment.file
            ? { file: segment.file, offset: segment.offset + from - position, length: to - from }
            : { buffer: segment.buffer.subarray(from - position, to - position) },
        );
      }
      position += length;
      if (position >= end) break;
    }
    return new ObjectBody(segments);
  }

  /** Whether some of the bytes are in files (reading them takes I/O). */
  get onDisk(): boolean {
    return this.memoryBytes < this.length;
  }

  /** The bytes as one Buffer, when they are one in-memory Buffer already (no copy); undefined otherwise. */
  get buffer(): Buffer | undefined {
    if (this.segments.length === 0) return Buffer.alloc(0);
    const [only] = this.segments;
    return this.segments.length === 1 && !only.file ? only.buffer : undefined;
  }

  /** The bytes copied into one Buffer: for callers that need them whole (Lambda code zips), never for serving. */
  toBuffer(): Buffer {
    const whole = this.buffer;
    if (whole) return whole;
    const out = Buffer.allocUnsafe(this.length);
    let offset = 0;
    // each chunk is copied at once: the file reads reuse one buffer
    for (const chunk of this.chunksSync()) offset += chunk.copy(out, offset);
    return out;
  }

  /** Keeps this body's files while the holder (an object, a part, a read) uses it. */
  retain(): void {
    for (const segment of this.segments) segment.file?.retain();
  }

  /** Lets go of this body's files: a file no body holds any more is deleted. */
  release(): void {
    for (const segment of this.segments) segment.file?.release();
  }

  /** The bytes as a stream read a chunk at a time; the files are kept until the stream closes. */
  open(): Readable {
    this.retain();
    const segments = this.segments;
    async function* read(): AsyncGenerator<Buffer> {
      for (const segment of segments) {
        if (!segment.file) yield segment.buffer;
        else if (segment.length > 0) {
          yield* createReadStream(segment.file.path, {
            start: segment.offset,
            end: segment.offset + segment.length - 1,
            highWaterMark: READ_CHUNK_BYTES,
          });
        }
      }
    }
    const stream = Readable.from(read(), { objectMode: false });
    stream.once('close', () => this.release());
    return stream;
  }

  /** Digests of the bytes, all computed in one pass over what is not known yet (read a chunk at a time). */
  async digestsOf(algorithms: readonly DigestAlgorithm[]): Promise<Map<DigestAlgorithm, Buffer>> {
    const missing = algorithms.filter((a) => !this.digests.has(a));
    if (missing.length > 0) {
      const hashers = missing.map((a) => digester(a));
      const stream = this.open();
      for await (const chunk of stream) for (const h of hashers) h.update(chunk as Buffer);
      missing.forEach((a, i) => this.digests.set(a, hashers[i].digest()));
    }
    return new Map(algorithms.map((a) => [a, this.digests.get(a) as Buffer]));
  }

  /** Digests computed as exactly these bytes arrived (IncomingDigests), so they are never read again to hash. */
  knowDigests(digests: ReadonlyMap<DigestAlgorithm, Buffer>): this {
    if (this.length === 0) return this; // EMPTY is shared
    for (const [algorithm, value] of digests)
      if (!this.digests.has(algorithm)) this.digests.set(algorithm, value);
    return this;
  }

  /** One digest, computed now if it is not known (a synchronous read of any file, a chunk at a time). */
  digestOf(algorithm: DigestAlgorithm): Buffer {
    let known = this.digests.get(algorithm);
    if (!known) {
      const hasher = digester(algorithm);
      for (const chunk of this.chunksSync()) hasher.update(chunk);
      known = hasher.digest();
      this.digests.set(algorithm, known);
    }
    return known;
  }

  private *chunksSync(): Generator<Buffer> {
    for (const segment of this.segments) {
      if (!segment.file) {
        yield segment.buffer;
        continue;
      }
      const fd = openSync(segment.file.path, 'r');
      try {
        const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, segment.length));
        for (let done = 0; done < segment.length;) {
          const read = readSync(
            fd,
            chunk,
            0,
            Math.min(chunk.length, segment.length - done),
            segment.offset + done,
          );
          if (read === 0) break;
          yield chunk.subarray(0, read);
          done += read;
        }
      } finally {
        closeSync(fd);
      }
    }
  }
}

/**
 * The emulator's files of object bytes: one temp directory, made on first use and removed with everything in it
 * when the emulator stops.
 */
export class BodyStore {
  private dir: string | undefined;

  /** The directory large request bodies are spilled into and object files live in. */
  get directory(): string {
    if (this.dir === undefined) {
      this.dir = mkdtempSync(join(tmpdir(), 'decoupled-s3-'));
      liveDirectories.add(this.dir);
    }
    return this.dir;
  }

  /** Whether the directory exists yet (tests look into it). */
  get created(): boolean {
    return this.dir !== undefined;
  }

  /** Takes over a file the HTTP server spilled a body into; renamed, so the server's clean-up leaves it be. */
  adopt(path: string, size: number): ObjectBody {
    const owned = this.newPath();
    renameSync(path, owned);
    return ObjectBody.ofFile(new BodyFile(owned, size));
  }

  /** A body built piece by piece (aws-chunked decoding): in memory up to SPILL_THRESHOLD_BYTES, then a file. */
  writer(): BodyWriter {
    return new BodyWriter(() => this.newPath());
  }

  /** Removes the directory and every file in it (the emulator stops). */
  close(): void {
    if (this.dir !== undefined) {
      rmSync(this.dir, { recursive: true, force: true });
      liveDirectories.delete(this.dir);
    }
    this.dir = undefined;
  }

  private newPath(): string {
    return join(this.directory, `body-${randomUUID()}`);
  }
}

/** Directories of stores not closed yet: removed when the process exits without stopping its emulators. */
const liveDirectories = new Set<string>();
process.once('exit', () => {
  for (const dir of liveDirectories) rmSync(dir, { recursive: true, force: true });
});

/** Collects bytes into a body; call `abort` on failure so a partly written file does not stay. */
export class BodyWriter {
  private chunks: Buffer[] = [];
  private size = 0;
  private file: { readonly path: string; readonly stream: WriteStream } | undefined;

  constructor(private readonly newPath: () => string) {}

  async write(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    this.size += chunk.length;
    if (this.file) {
      if (!this.file.stream.write(chunk)) await waitForDrain(this.file.stream);
      return;
    }
    this.chunks.push(chunk);
    if (this.size > SPILL_THRESHOLD_BYTES) {
      const path = this.newPath();
      const stream = createWriteStream(path, { fd: openSync(path, 'wx') });
      this.file = { path, stream };
      const held = Buffer.concat(this.chunks);
      this.chunks = [];
      if (!stream.write(held)) await waitForDrain(stream);
    }
  }

  async finish(): Promise<ObjectBody> {
    if (!this.file) return ObjectBody.of(Buffer.concat(this.chunks));
    this.file.stream.end();
    await finished(this.file.stream);
    return ObjectBody.ofFile(new BodyFile(this.file.path, this.size));
  }

  abort(): void {
    this.chunks = [];
    if (this.file) {
      this.file.stream.destroy();
      rmSync(this.file.path, { force: true });
    }
  }
}

function waitForDrain(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      stream.off('drain', done);
      stream.off('error', done);
      if (error) reject(error);
      else resolve();
    };
    stream.once('drain', done);
    stream.once('error', done);
  });
}
