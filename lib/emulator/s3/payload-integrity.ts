/**
 * What a client claims about the bytes it sends, checked as S3 checks it: Content-MD5, the `x-amz-checksum-*`
 * checksums (in headers or aws-chunked trailers) and the SigV4 payload hash `x-amz-content-sha256`.
 */
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumHeader,
  type DigestAlgorithm,
} from './checksum';
import { S3Error } from './errors';
import type { StoredChecksum } from './model';
import { ObjectBody } from './object-body';

/** Bytes to check: a request's Buffer, or a body (on disk perhaps) whose digests are computed once and kept. */
export type CheckedBytes = Buffer | ObjectBody;

function digestOf(bytes: CheckedBytes, algorithm: DigestAlgorithm): Buffer {
  return (bytes instanceof ObjectBody ? bytes : ObjectBody.of(bytes)).digestOf(algorithm);
}

/** S3's ETag of a single-part object: the MD5 hex digest, in quotes. */
export function etagOfBody(bytes: CheckedBytes): string {
  return `"${digestOf(bytes, 'MD5').toString('hex')}"`;
}

/**
 * The digests the checks of a request need (MD5 for the ETag and Content-MD5, the claimed checksum, SHA-256 for
 * the payload hash), computed in one pass over a large body ahead of the checks, without blocking the server.
 */
export function neededDigests(
  claimed: ClaimedChecksum | undefined,
  contentSha256: string | undefined,
): DigestAlgorithm[] {
  const needed: DigestAlgorithm[] = ['MD5'];
  if (claimed) needed.push(claimed.algorithm);
  if (claimed?.value === undefined && contentSha256 !== undefined && /^[0-9a-f]{64}$/.test(contentSha256))
    needed.push('SHA256');
  return needed;
}

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
export function verifyContentSha256(body: CheckedBytes, contentSha256: string | undefined): void {
  if (contentSha256 === undefined || !/^[0-9a-f]{64}$/.test(contentSha256)) return;
  const actual = digestOf(body, 'SHA256').toString('hex');
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

export function verifyContentMd5(body: CheckedBytes, contentMd5: string | undefined): void {
  if (contentMd5 === undefined) return;
  const claimed = Buffer.from(contentMd5, 'base64');
  if (claimed.length !== 16 || claimed.toString('base64') !== contentMd5) {
    throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400, [
      ['Content-MD5', contentMd5],
    ]);
  }
  const actual = digestOf(body, 'MD5').toString('base64');
  if (actual !== contentMd5) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400, [
      ['ExpectedDigest', contentMd5],
      ['CalculatedDigest', actual],
    ]);
  }
}

/** The checksum to store: the claimed one, verified, or computed when only the algorithm was named. */
export function verifyChecksum(
  body: CheckedBytes,
  claimed: ClaimedChecksum | undefined,
): StoredChecksum | undefined {
  if (!claimed) return undefined;
  const actual = digestOf(body, claimed.algorithm).toString('base64');
  if (claimed.value !== undefined && claimed.value !== actual) {
    throw new S3Error(
      'BadDigest',
      `The ${claimed.algorithm} you specified did not match the calculated checksum.`,
    );
  }
  return { algorithm: claimed.algorithm, value: actual, type: 'FULL_OBJECT' };
}
