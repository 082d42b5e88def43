/**
 * Presigned S3 requests carry headers in the query string. The SDKs' presigners hoist every `x-amz-*` header of
 * the signed request into the query (`x-amz-checksum-mode=ENABLED` on a GET, `x-amz-meta-*`, `x-amz-acl`,
 * `x-amz-storage-class`, `x-amz-checksum-crc32` on a PUT) so that a plain `fetch` of the URL sends them; S3 reads
 * them back as the headers they stand for. Only `x-amz-*` parameters are headers: nothing else is taken from the
 * query, and the SigV4 authentication parameters stay where they are.
 */
import { validateHeaderValue } from 'node:http';
import { CHECKSUM_ALGORITHMS, checksumHeader, checksumOf } from '../s3/checksum';
import { invalidArgument } from '../s3/errors';
import type { WireRequest } from './router';

/** SigV4 query authentication: parameters of the URL, not headers (as the SDK's `x-id` is, not being `x-amz-*`). */
const QUERY_AUTH_PARAMETERS: ReadonlySet<string> = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-signedheaders',
  'x-amz-signature',
  'x-amz-security-token',
]);

/** RFC 9110 token characters: what a header name is made of (a query key can hold anything). */
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** The checksum of zero bytes, per checksum header (`x-amz-checksum-crc32` → `AAAAAA==`). */
const EMPTY_BODY_CHECKSUMS: ReadonlyMap<string, string> = new Map(
  CHECKSUM_ALGORITHMS.map((a) => [checksumHeader(a), checksumOf(a, Buffer.alloc(0))]),
);

/** Whether the query authenticates the request (SigV4 query-string authentication, a presigned URL). */
export function isPresigned(query: URLSearchParams): boolean {
  return query.has('X-Amz-Algorithm') && query.has('X-Amz-Credential') && query.has('X-Amz-Signature');
}

/**
 * The request as S3 reads it: for a presigned request, its `x-amz-*` query parameters become the headers they
 * were hoisted from (and leave the query); any other request is returned as it is. Throws InvalidArgument for a
 * parameter that no header could be (its name is not an HTTP token).
 */
export function withPresignedHeaders(request: WireRequest): WireRequest {
  if (!isPresigned(request.query)) return request;
  const headers = { ...request.headers };
  const query = new URLSearchParams();
  for (const key of new Set(request.query.keys())) {
    const name = key.toLowerCase();
    const values = request.query.getAll(key);
    if (!name.startsWith('x-amz-') || QUERY_AUTH_PARAMETERS.has(name)) {
      for (const value of values) query.append(key, value);
      continue;
    }
    if (!HEADER_NAME.test(name)) {
      throw invalidArgument(`${key} is not a valid header name.`, key, values[0]);
    }
    // a header the request carries itself wins over its query form (S3 reads the header; LocalStack does the same)
    if (headers[name] !== undefined) continue;
    const value = values.join(', ');
    // a header line cannot hold a line break or control character; a query value can (and would be echoed back)
    if (!isHeaderValue(name, value)) {
      throw invalidArgument(`The value of ${key} is not a valid header value.`, key, value.slice(0, 256));
    }
    // aws-sdk-js-v3 signs the checksum of the empty body it holds at presigning time (`x-amz-checksum-crc32=AAAAAA==`)
    // into every PutObject/UploadPart URL; AWS does not hold the upload to it, so that value only names the
    // algorithm (the SDK sends `x-amz-sdk-checksum-algorithm` beside it). Any other checksum is verified.
    if (EMPTY_BODY_CHECKSUMS.get(name) === value && bodySize(request) > 0) continue;
    headers[name] = value;
  }
  return { ...request, headers, query };
}

function isHeaderValue(name: string, value: string): boolean {
  try {
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

/** The bytes the request carries, in memory (whole or as it arrived) or spilled to a file. */
function bodySize(request: WireRequest): number {
  return (
    request.spilled?.size ?? request.bodyChunks?.reduce((n, c) => n + c.length, 0) ?? request.body.length
  );
}
