/**
 * What a client claims about the bytes it sends, checked as S3 checks it: Content-MD5, the `x-amz-checksum-*`
 * checksums (in headers or aws-chunked trailers) and the SigV4 payload hash `x-amz-content-sha256`.
 */
import { createHash } from 'node:crypto';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, checksumHeader, checksumOf, etagOf } from './checksum';
import { S3Error } from './errors';
import type { StoredChecksum } from './model';

/** A checksum the client sent (header or aws-chunked trailer), to verify and store. */
export interface ClaimedChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** Absent when only the algorithm was named: S3 computes it. */
  readonly value?: string;
}

/** The algorithm a request names (`x-amz-sdk-checksum-algorithm`, `x-amz-checksum-algorithm`), validated. */
export function checksumAlgorithm(text: string): ChecksumAlgorithm {
  const upper = text.toUpperCase() as ChecksumAlgorithm;
  if (!CHECKSUM_ALGORITHMS.includes(upper)) {
    throw new S3Error(
      'InvalidRequest',
      `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, SHA1, SHA256]`,
    );
  }
  return upper;
}

/**
 * The checksum claimed for a body: a value from `value(headerName)` (the request's checksum members or the
 * aws-chunked trailers), else only the algorithm the request names.
 */
export function claimedChecksum(
  value: (header: string) => string | undefined,
  named: string | undefined,
): ClaimedChecksum | undefined {
  let claimed: ClaimedChecksum | undefined;
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const text = value(checksumHeader(algorithm));
    if (text !== undefined) claimed = { algorithm, value: text };
  }
  return claimed ?? (named === undefined ? undefined : { algorithm: checksumAlgorithm(named) });
}

/** AWS: a SigV4 payload hash that does not match the body is refused (checked when no checksum is). */
export function verifyContentSha256(body: Buffer, contentSha256: string | undefined): void {
  if (contentSha256 === undefined || !/^[0-9a-f]{64}$/.test(contentSha256)) return;
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== contentSha256) {
    throw new S3Error(
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      400,
      [
        ['ClientComputedContentSHA256', contentSha256],
        ['S3ComputedContentSHA256', actual],
      ],
    );
  }
}

export function verifyContentMd5(body: Buffer, contentMd5: string | undefined): void {
  if (contentMd5 === undefined) return;
  const claimed = Buffer.from(contentMd5, 'base64');
  if (claimed.length !== 16 || claimed.toString('base64') !== contentMd5) {
    throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400, [
      ['Content-MD5', contentMd5],
    ]);
  }
  const actual = Buffer.from(etagOf(body).slice(1, -1), 'hex').toString('base64');
  if (actual !== contentMd5) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400, [
      ['ExpectedDigest', contentMd5],
      ['CalculatedDigest', actual],
    ]);
  }
}

/** The checksum to store: the claimed one, verified, or computed when only the algorithm was named. */
export function verifyChecksum(
  body: Buffer,
  claimed: ClaimedChecksum | undefined,
): StoredChecksum | undefined {
  if (!claimed) return undefined;
  const actual = checksumOf(claimed.algorithm, body);
  if (claimed.value !== undefined && claimed.value !== actual) {
    throw new S3Error(
      'BadDigest',
      `The ${claimed.algorithm} you specified did not match the calculated checksum.`,
    );
  }
  return { algorithm: claimed.algorithm, value: actual, type: 'FULL_OBJECT' };
}
