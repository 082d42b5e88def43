/** The checksums S3 accepts and returns (base64 of the big-endian digest), and its ETags. */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256'];

/** The response and request header of an algorithm, e.g. `x-amz-checksum-crc32`. */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The digest bytes of `data` under `algorithm`. */
export function digest(algorithm: ChecksumAlgorithm, data: Buffer): Buffer {
  return digester(algorithm).update(data).digest();
}

/** What a body's bytes are hashed with: the checksums, MD5 for ETags and Content-MD5. */
export type DigestAlgorithm = ChecksumAlgorithm | 'MD5';

/** A digest computed piece by piece, so a large body is hashed as it streams, never held whole. */
export interface Digester {
  update(data: Buffer): Digester;
  digest(): Buffer;
}

export function digester(algorithm: DigestAlgorithm): Digester {
  switch (algorithm) {
    case 'CRC32':
      return crcDigester(crc32);
    case 'CRC32C':
      return crcDigester(crc32c);
    case 'SHA1':
      return createHash('sha1');
    case 'SHA256':
      return createHash('sha256');
    case 'MD5':
      return createHash('md5');
  }
}

function crcDigester(crc: (data: Buffer, value: number) => number): Digester {
  let value = 0;
  const self: Digester = {
    update: (data) => {
      value = crc(data, value);
      return self;
    },
    digest: () => uint32(value),
  };
  return self;
}

export function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): string {
  return digest(algorithm, data).toString('base64');
}

/** S3's ETag of a single-part object: the MD5 hex digest, in quotes. */
export function etagOf(data: Buffer): string {
  return `"${createHash('md5').update(data).digest('hex')}"`;
}

/** S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, then `-` and the part count. */
export function multipartEtag(partEtags: readonly string[]): string {
  const hash = createHash('md5');
  for (const etag of partEtags) hash.update(Buffer.from(etag.replace(/"/g, ''), 'hex'));
  return `"${hash.digest('hex')}-${partEtags.length}"`;
}

function uint32(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n >>> 0);
  return out;
}

let crc32cTable: Uint32Array | undefined;

/** CRC-32C (Castagnoli), reflected polynomial 0x82F63B78; `previous` continues an earlier value. */
function crc32c(data: Buffer, previous = 0): number {
  if (!crc32cTable) {
    crc32cTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      crc32cTable[i] = c >>> 0;
    }
  }
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = crc32cTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
