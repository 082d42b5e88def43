/**
 * aws-chunked request bodies, the SDK's default for streams (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`, or signed
 * chunks): `hex-size[;chunk-signature=…]\r\n data \r\n` repeated, ending with a zero-size chunk and trailer lines
 * such as `x-amz-checksum-crc32:…`. Chunk signatures are not checked (no signature is).
 */
import { S3Error } from './errors';

/** Whether a body is aws-chunked, from its `x-amz-content-sha256` and `Content-Encoding` headers. */
export function isAwsChunked(
  contentSha256: string | undefined,
  contentEncoding: string | undefined,
): boolean {
  return (
    (contentSha256 ?? '').startsWith('STREAMING-') ||
    (contentEncoding ?? '').split(',').some((e) => e.trim() === 'aws-chunked')
  );
}

/** The bytes of an aws-chunked body held in memory; its trailers go into `trailers` (names lower-cased). */
export function decodeAwsChunked(
  raw: Buffer,
  trailers: Map<string, string>,
  decodedLength: string | undefined,
): Buffer {
  const parts: Buffer[] = [];
  const decoder = new AwsChunkedDecoder((data) => parts.push(data));
  decoder.push(raw);
  for (const [name, value] of decoder.end(decodedLength)) trailers.set(name, value);
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** A size line is at most 8 hex digits and a signature: reading further would only copy bytes to refuse. */
const MAX_SIZE_LINE = 256;
/** Trailers are a few checksum and signature lines. */
const MAX_TRAILER_BYTES = 64 * 1024;

/**
 * Decodes an aws-chunked body as it arrives, in pieces of any size: the data goes to `onData` (subarrays of the
 * pieces pushed, no copy), the trailers are returned by `end`. Memory held is bounded by the line limits.
 */
export class AwsChunkedDecoder {
  private state: 'size' | 'data' | 'data-end' | 'trailers' = 'size';
  private line: Buffer[] = [];
  private lineBytes = 0;
  /** Data bytes left in the current chunk; then the CR LF that ends it. */
  private remaining = 0;
  private decoded = 0;

  constructor(private readonly onData: (data: Buffer) => void) {}

  push(piece: Buffer): void {
    let pos = 0;
    while (pos < piece.length) {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, piece.length - pos);
        this.onData(piece.subarray(pos, pos + take));
        this.decoded += take;
        this.remaining -= take;
        pos += take;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      if (this.state === 'trailers') {
        this.lineBytes += piece.length - pos;
        if (this.lineBytes > MAX_TRAILER_BYTES) throw invalid('The aws-chunked trailers are too long.');
        this.line.push(piece.subarray(pos));
        return;
      }
      // a size line or the CR LF after a chunk's data: collect bytes up to the next LF
      const lf = piece.indexOf(0x0a, pos);
      const end = lf < 0 ? piece.length : lf + 1;
      this.lineBytes += end - pos;
      if (this.lineBytes > MAX_SIZE_LINE + 2) throw invalid('Invalid chunk size in the aws-chunked body.');
      this.line.push(piece.subarray(pos, end));
      pos = end;
      if (lf >= 0) this.endLine();
    }
  }

  /** Checks the body was complete (and `decodedLength` long, if given); returns the trailers, names lower-cased. */
  end(decodedLength: string | undefined): Map<string, string> {
    if (this.state !== 'trailers') throw incomplete();
    const trailers = new Map<string, string>();
    // `name:value` lines until an empty line or the end
    for (const line of Buffer.concat(this.line).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    if (decodedLength !== undefined && Number(decodedLength) !== this.decoded) {
      throw new S3Error(
        'IncompleteBody',
        'You did not provide the number of bytes specified by the Content-Length HTTP header',
      );
    }
    return trailers;
  }

  private endLine(): void {
    const text = Buffer.concat(this.line).toString('latin1');
    this.line = [];
    this.lineBytes = 0;
    if (!text.endsWith('\r\n')) throw incomplete();
    if (this.state === 'data-end') {
      if (text !== '\r\n') throw incomplete();
      this.state = 'size';
      return;
    }
    const sizeText = text.slice(0, -2).split(';', 1)[0].trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) throw invalid('Invalid chunk size in the aws-chunked body.');
    this.remaining = Number.parseInt(sizeText, 16);
    this.state = this.remaining === 0 ? 'trailers' : 'data';
  }
}

function incomplete(): S3Error {
  return new S3Error('IncompleteBody', 'The request body terminated unexpectedly');
}

function invalid(message: string): S3Error {
  return new S3Error('InvalidRequest', message);
}
