/**
 * An upload body (PutObject, UploadPart) hashed while it arrives: MD5 for the ETag, the checksum the request names
 * and the SigV4 payload hash, over the decoded bytes of an aws-chunked body. The hashing overlaps the network read,
 * and a body spilled to disk is never read back to be hashed. The checks themselves stay where they were
 * (payload-integrity.ts): this only hands them digests already computed.
 */
import { AwsChunkedDecoder, isAwsChunked } from './aws-chunked';
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumHeader,
  type DigestAlgorithm,
  type Digester,
  digester,
} from './checksum';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function headerOf(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The checksum algorithms a request's headers name: a checksum header, the SDK's algorithm, or a declared trailer. */
function namedAlgorithms(headers: Headers): ChecksumAlgorithm[] {
  const named = [
    headerOf(headers, 'x-amz-sdk-checksum-algorithm'),
    headerOf(headers, 'x-amz-checksum-algorithm'),
    ...(headerOf(headers, 'x-amz-trailer') ?? '').split(','),
  ].map((name) => (name ?? '').trim().toLowerCase());
  return CHECKSUM_ALGORITHMS.filter(
    (algorithm) =>
      headerOf(headers, checksumHeader(algorithm)) !== undefined ||
      named.includes(algorithm.toLowerCase()) ||
      named.includes(checksumHeader(algorithm)),
  );
}

export class IncomingDigests {
  private readonly hashers = new Map<DigestAlgorithm, Digester>();
  private readonly decoder: AwsChunkedDecoder | undefined;
  /** aws-chunked bodies kept in memory: the decoded data, subarrays of the pieces as they came (no copy). */
  private decodedPieces: Buffer[] | undefined;
  private received = 0;
  private failed = false;
  private done: ReadonlyMap<DigestAlgorithm, Buffer> | undefined;

  /** `memoryBytes`: past this many bytes the body goes to disk and the decoded pieces are not kept. */
  constructor(
    headers: Headers,
    private readonly memoryBytes: number,
  ) {
    const contentSha256 = headerOf(headers, 'x-amz-content-sha256');
    const chunked = isAwsChunked(contentSha256, headerOf(headers, 'content-encoding'));
    const algorithms: DigestAlgorithm[] = ['MD5', ...namedAlgorithms(headers)];
    // as payload-integrity's neededDigests: the payload hash is checked only when no checksum value is sent
    const checksumSent = CHECKSUM_ALGORITHMS.some((a) => headerOf(headers, checksumHeader(a)) !== undefined);
    if (!chunked && !checksumSent && /^[0-9a-f]{64}$/.test(contentSha256 ?? '')) algorithms.push('SHA256');
    for (const algorithm of algorithms) this.hashers.set(algorithm, digester(algorithm));
    if (chunked) {
      this.decodedPieces = [];
      this.decoder = new AwsChunkedDecoder((data) => {
        this.decodedPieces?.push(data);
        this.hash(data);
      });
    }
  }

  /** Takes the next piece of the raw body. A framing error stops the hashing: the usual decoding then reports it. */
  push(piece: Buffer): void {
    if (this.failed) return;
    this.received += piece.length;
    if (this.received > this.memoryBytes) this.decodedPieces = undefined;
    if (!this.decoder) {
      this.hash(piece);
      return;
    }
    try {
      this.decoder.push(piece);
    } catch {
      this.failed = true;
      this.decodedPieces = undefined;
    }
  }

  /** The digests of the whole (decoded) body, once it has all arrived; undefined when hashing stopped. */
  digests(): ReadonlyMap<DigestAlgorithm, Buffer> | undefined {
    if (this.failed) return undefined;
    if (!this.done) this.done = new Map([...this.hashers].map(([algorithm, h]) => [algorithm, h.digest()]));
    return this.done;
  }

  /**
   * An aws-chunked body kept in memory, decoded as it came: its data pieces and trailers (names lower-cased).
   * Undefined when it is not aws-chunked, went to disk, or is malformed (the usual decoding reports why).
   */
  decoded(
    decodedLength: string | undefined,
  ): { pieces: Buffer[]; trailers: Map<string, string> } | undefined {
    if (this.failed || !this.decoder || !this.decodedPieces) return undefined;
    try {
      return { pieces: this.decodedPieces, trailers: this.decoder.end(decodedLength) };
    } catch {
      return undefined;
    }
  }

  private hash(data: Buffer): void {
    for (const hasher of this.hashers.values()) hasher.update(data);
  }
}
