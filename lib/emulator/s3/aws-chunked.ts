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

/** The bytes of an aws-chunked body; its trailers go into `trailers` (names lower-cased). */
export function decodeAwsChunked(
  raw: Buffer,
  trailers: Map<string, string>,
  decodedLength: string | undefined,
): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  const incomplete = () => new S3Error('IncompleteBody', 'The request body terminated unexpectedly');
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', pos);
    if (lineEnd < 0) throw incomplete();
    // a size line is at most 8 hex digits and a signature: reading further would only copy bytes to refuse
    const line = raw.subarray(pos, Math.min(lineEnd, pos + 256)).toString('latin1');
    const sizeText = line.split(';', 1)[0].trim();
    if (lineEnd - pos > 256 || !/^[0-9a-fA-F]{1,8}$/.test(sizeText)) {
      throw new S3Error('InvalidRequest', 'Invalid chunk size in the aws-chunked body.');
    }
    const size = Number.parseInt(sizeText, 16);
    pos = lineEnd + 2;
    if (size === 0) break;
    if (pos + size + 2 > raw.length) throw incomplete();
    parts.push(raw.subarray(pos, pos + size));
    pos += size;
    if (raw[pos] !== 0x0d || raw[pos + 1] !== 0x0a) throw incomplete();
    pos += 2;
  }
  // trailers: `name:value` lines until an empty line or the end
  while (pos < raw.length) {
    const lineEnd = raw.indexOf('\r\n', pos);
    const line = raw.subarray(pos, lineEnd < 0 ? raw.length : lineEnd).toString('latin1');
    pos = lineEnd < 0 ? raw.length : lineEnd + 2;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon > 0) trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  if (decodedLength !== undefined && Number(decodedLength) !== body.length) {
    throw new S3Error(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
    );
  }
  return body;
}
