/**
 * SigV4 verification of a request signed with credentials the emulator issued: the Authorization header form
 * and the presigned query form, computed as AWS does (canonical request, string to sign, derived key). The
 * request time is not checked: the emulator's clock may be manual, and the clients sign with the machine's.
 */
import { createHash, createHmac } from 'node:crypto';
import { header, type WireRequest } from '../protocol/router';

/** What a signature claims: the key, the scope and the signature itself, from the header or the query. */
export interface SignedBy {
  readonly accessKeyId: string;
  /** `DATE/REGION/SERVICE/aws4_request`. */
  readonly scope: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly amzDate: string;
  readonly presigned: boolean;
  /** The session token the request carries (`X-Amz-Security-Token`). */
  readonly securityToken?: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** The key and signature a request names, or undefined for a request not signed with SigV4. */
export function signatureOf(request: WireRequest): SignedBy | undefined {
  const authorization = header(request, 'authorization');
  if (authorization !== undefined) {
    if (!authorization.startsWith(`${ALGORITHM} `)) return undefined;
    const fields = new Map<string, string>();
    for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const credential = fields.get('Credential');
    const signature = fields.get('Signature');
    const signedHeaders = fields.get('SignedHeaders');
    if (!credential || !signature || !signedHeaders) return undefined;
    const slash = credential.indexOf('/');
    return {
      accessKeyId: credential.slice(0, slash),
      scope: credential.slice(slash + 1),
      signedHeaders: signedHeaders.split(';'),
      signature,
      amzDate: header(request, 'x-amz-date') ?? header(request, 'date') ?? '',
      presigned: false,
      securityToken: header(request, 'x-amz-security-token'),
    };
  }
  const q = request.query;
  if (q.get('X-Amz-Algorithm') !== ALGORITHM) return undefined;
  const credential = q.get('X-Amz-Credential') ?? '';
  const slash = credential.indexOf('/');
  if (slash <= 0) return undefined;
  return {
    accessKeyId: credential.slice(0, slash),
    scope: credential.slice(slash + 1),
    signedHeaders: (q.get('X-Amz-SignedHeaders') ?? 'host').split(';'),
    signature: q.get('X-Amz-Signature') ?? '',
    amzDate: q.get('X-Amz-Date') ?? '',
    presigned: true,
    securityToken: q.get('X-Amz-Security-Token') ?? undefined,
  };
}

/** Whether `signed` is the signature of `request` under `secret` (the signing name decides the path's encoding). */
export function signatureMatches(request: WireRequest, signed: SignedBy, secret: string): boolean {
  const service = signed.scope.split('/')[2] ?? '';
  const canonical = [
    request.method,
    canonicalPath(request.path, service === 's3'),
    canonicalQuery(request.query, signed.presigned),
    ...signed.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(request, name)}`),
    '',
    signed.signedHeaders.join(';'),
    payloadHash(request, signed, service),
  ].join('\n');
  const stringToSign = [ALGORITHM, signed.amzDate, signed.scope, sha256(canonical)].join('\n');
  const [date, region] = signed.scope.split('/');
  let key: Buffer = hmac(`AWS4${secret}`, date ?? '');
  for (const part of [region ?? '', service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return expected === signed.signature.toLowerCase();
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RFC 3986 encoding, as SigV4 wants it (`encodeURIComponent` leaves `!'()*` alone). */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * S3 signs the path as sent; every other service signs it normalized (no empty, `.` or `..` segments) and
 * encoded once more, as the SDKs' signer does with `uriEscapePath`.
 */
function canonicalPath(path: string, s3: boolean): string {
  if (s3) return path === '' ? '/' : path;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

function canonicalQuery(query: URLSearchParams, presigned: boolean): string {
  const pairs: [string, string][] = [];
  for (const [key, value] of query) {
    if (presigned && key === 'X-Amz-Signature') continue;
    pairs.push([uriEncode(key), uriEncode(value)]);
  }
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** A header's values joined by commas, trimmed, inner runs of spaces collapsed (without a regex on user text). */
function canonicalHeaderValue(request: WireRequest, name: string): string {
  const raw = request.headers[name];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return values.map((v) => collapseSpaces(v.trim())).join(',');
}

function collapseSpaces(value: string): string {
  let out = '';
  let space = false;
  for (const c of value) {
    if (c === ' ') {
      if (!space) out += c;
      space = true;
    } else {
      out += c;
      space = false;
    }
  }
  return out;
}

/** The payload's hash as signed: S3's `x-amz-content-sha256` (or UNSIGNED-PAYLOAD when presigned), else the body's. */
function payloadHash(request: WireRequest, signed: SignedBy, service: string): string {
  const declared = header(request, 'x-amz-content-sha256');
  if (declared !== undefined) return declared;
  if (signed.presigned) return request.query.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
  if (service === 's3') return 'UNSIGNED-PAYLOAD';
  return sha256(request.body);
}
