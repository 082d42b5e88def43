/**
 * A request body as it arrives: held in memory, or, for a request its protocol declares large (`largeBody`),
 * written to a file once it passes the in-memory threshold, so a 5 GiB upload never sits in memory.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, openSync, rmSync, type WriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { LargeBody, SpilledBody } from './router';

export interface CollectedBody {
  readonly body: Buffer;
  readonly spilled?: SpilledBody;
  /** A large body kept in memory as it arrived (`body` is then empty): joining it would copy every byte. */
  readonly chunks?: readonly Buffer[];
}

export class RequestBodyCollector {
  private chunks: Buffer[] = [];
  private size = 0;
  private file: { readonly path: string; readonly stream: WriteStream } | undefined;
  private writeError: Error | undefined;

  constructor(
    private readonly req: IncomingMessage,
    readonly maxBytes: number,
    private readonly large: LargeBody | undefined,
  ) {}

  /** Bytes received so far. */
  get received(): number {
    return this.size;
  }

  /** Takes a chunk; false when the body went over `maxBytes` (what was collected is dropped). */
  add(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.discard();
      return false;
    }
    this.large?.observe?.(chunk);
    if (this.file) {
      this.write(chunk);
      return true;
    }
    this.chunks.push(chunk);
    if (this.large && this.size > this.large.memoryBytes) {
      const path = join(this.large.spillDirectory(), `upload-${randomUUID()}`);
      // opened now, not by the stream later: a discard right after leaves no file behind
      const stream = createWriteStream(path, { fd: openSync(path, 'wx') });
      stream.on('error', (error) => (this.writeError = error));
      this.file = { path, stream };
      const held = Buffer.concat(this.chunks);
      this.chunks = [];
      this.write(held);
    }
    return true;
  }

  /** The whole body once the request ended: the bytes, or the file they went to (flushed). */
  async finish(): Promise<CollectedBody> {
    if (!this.file && this.large) return { body: Buffer.alloc(0), chunks: this.chunks };
    if (!this.file) return { body: this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks) };
    const { path, stream } = this.file;
    stream.end();
    await finished(stream);
    if (this.writeError) throw this.writeError;
    return { body: Buffer.alloc(0), spilled: { path, size: this.size } };
  }

  /** Drops what was collected, deleting its file (a client gone, a body too large, a timeout, the answer sent). */
  discard(): void {
    this.chunks = [];
    if (this.file) {
      this.file.stream.destroy();
      rmSync(this.file.path, { force: true });
    }
  }

  /** Writes to the file, pausing the request while the disk catches up: memory stays bounded. */
  private write(chunk: Buffer): void {
    const stream = (this.file as { stream: WriteStream }).stream;
    if (!stream.write(chunk) && !this.req.isPaused()) {
      this.req.pause();
      stream.once('drain', () => this.req.resume());
    }
  }
}
