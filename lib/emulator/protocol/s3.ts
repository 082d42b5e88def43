/**
 * S3 on the wire: REST-XML, path-style (`/bucket/key`), as @aws-sdk/client-s3 v3 sends it to an IP endpoint.
 * Decodes aws-chunked bodies (signed or unsigned, with checksum trailers), reads and writes S3's XML, and maps
 * object headers (metadata, content headers, ranges, conditions, checksums).
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../errors';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, checksumHeader, checksumOf } from '../s3/checksum';
import { invalidMaxBuckets, malformedXml, S3Error } from '../s3/errors';
import type { ObjectHeaders, StoredObject } from '../s3/model';
import type { DestinationConfiguration, RequestedDestination } from '../s3/notifications';
import type { ClaimedChecksum, RequestContext, S3Service } from '../s3/service';
import { header, type ServiceProtocol, type WireRequest, type WireResponse } from './router';
import { escapeXml, textElement } from './xml';
import { child, children, childText, parseXml, type XmlElement, XmlSyntaxError } from './xml-reader';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
/**
 * Tags (`<`) a request body may hold before it is parsed: a CompleteMultipartUpload of 10,000 parts with
 * checksums has about 100,000. Beyond that the parse would only build a large tree for S3 to refuse.
 */
const MAX_XML_TAGS = 200_000;
const INT32_MAX = 2 ** 31 - 1;
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
/** Query parameters that select an operation (anything else not listed here is an unsupported subresource). */
const SUBRESOURCES = new Set([
  'uploads',
  'uploadId',
  'partNumber',
  'delete',
  'notification',
  'policy',
  'location',
  'versioning',
  'list-type',
]);
/** Query parameters that carry operation input rather than naming an operation. */
const PLAIN_PARAMETERS = new Set([
  'x-id',
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
  'marker',
  'max-buckets',
  'bucket-region',
  'versionId',
  'response-content-type',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-cache-control',
  'response-expires',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
  'x-amz-checksum-crc32',
  'x-amz-sdk-checksum-algorithm',
]);

type Handler = (
  request: WireRequest,
  target: Target,
  context: RequestContext,
) => WireResponse | Promise<WireResponse>;

interface Target {
  bucket: string;
  key: string;
}

export class S3Protocol implements ServiceProtocol {
  readonly signingName = 's3';

  constructor(private readonly s3: S3Service) {}

  /** S3 takes any path nothing else claims (unsigned requests carry no other clue). */
  ownsPath(): boolean {
    return true;
  }

  /** A body over the server's limit, in S3's words. */
  tooLarge(request: WireRequest, limit: number): WireResponse {
    const size = header(request, 'x-amz-decoded-content-length') ?? header(request, 'content-length') ?? '';
    return this.error(
      request,
      new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, [
        ['ProposedSize', size],
        ['MaxSizeAllowed', String(limit)],
      ]),
    );
  }

  async handle(request: WireRequest): Promise<WireResponse> {
    try {
      const target = parsePath(request.path);
      const context: RequestContext = {
        requestId: s3RequestId(request.requestId),
        hostId: hostIdOf(request.requestId),
        sourceIp: '127.0.0.1',
      };
      const handler = this.handlerFor(request, target);
      return await handler(request, target, context);
    } catch (error) {
      return this.error(request, error);
    }
  }

  private handlerFor(request: WireRequest, target: Target): Handler {
    const sub = subresourceOf(request.query);
    const method = request.method;
    if (target.bucket === '') {
      if (method === 'GET' && sub === undefined) return (r, _t, c) => this.listBuckets(r, c);
      throw methodNotAllowed(method, 'SERVICE');
    }
    if (target.key === '') {
      switch (`${method} ${sub ?? ''}`) {
        case 'PUT ':
          return (r, t, c) => this.createBucket(r, t, c);
        case 'DELETE ':
          return (_r, t, c) => {
            this.s3.deleteBucket(t.bucket);
            return empty(204, c);
          };
        case 'HEAD ':
          return (_r, t, c) => {
            const bucket = this.s3.headBucket(t.bucket);
            return empty(200, c, { 'x-amz-bucket-region': bucket.region });
          };
        case 'GET list-type':
        case 'GET ':
          return (r, t, c) => this.listObjects(r, t, c);
        case 'GET location':
          return (_r, t, c) => {
            const region = this.s3.headBucket(t.bucket).region;
            return xml(
              c,
              `<LocationConstraint xmlns="${XMLNS}">${region === 'us-east-1' ? '' : region}</LocationConstraint>`,
            );
          };
        case 'GET versioning':
          return (_r, t, c) => {
            this.s3.headBucket(t.bucket);
            return xml(c, `<VersioningConfiguration xmlns="${XMLNS}"/>`);
          };
        case 'POST delete':
          return (r, t, c) => this.deleteObjects(r, t, c);
        case 'PUT notification':
          return (r, t, c) => this.putNotification(r, t, c);
        case 'GET notification':
          return (_r, t, c) => this.getNotification(t, c);
        case 'PUT policy':
          return (r, t, c) => {
            this.s3.putBucketPolicy(t.bucket, r.body.toString('utf8'));
            return empty(204, c);
          };
        case 'GET policy':
          return (_r, t, c) => ({
            status: 200,
            headers: { ...baseHeaders(c), 'content-type': 'application/json' },
            body: this.s3.getBucketPolicy(t.bucket),
          });
        case 'DELETE policy':
          return (_r, t, c) => {
            this.s3.deleteBucketPolicy(t.bucket);
            return empty(204, c);
          };
      }
      throw notImplemented(sub);
    }
    switch (`${method} ${sub ?? ''}`) {
      case 'PUT ':
        return header(request, 'x-amz-copy-source') !== undefined
          ? (r, t, c) => this.copyObject(r, t, c)
          : (r, t, c) => this.putObject(r, t, c);
      case 'PUT partNumber':
      case 'PUT uploadId':
        if (header(request, 'x-amz-copy-source') !== undefined) throw notImplemented('x-amz-copy-source');
        return (r, t, c) => this.uploadPart(r, t, c);
      case 'GET ':
      case 'HEAD ':
        return (r, t, c) => this.getObject(r, t, c);
      case 'DELETE ':
        return (_r, t, c) => {
          this.s3.deleteObject(t.bucket, t.key, c);
          return empty(204, c);
        };
      case 'DELETE uploadId':
        return (r, t, c) => {
          this.s3.abortMultipartUpload(t.bucket, t.key, r.query.get('uploadId') as string);
          return empty(204, c);
        };
      case 'POST uploads':
        return (r, t, c) => this.createMultipartUpload(r, t, c);
      case 'POST uploadId':
        return (r, t, c) => this.completeMultipartUpload(r, t, c);
    }
    if (sub === undefined) throw methodNotAllowed(method, 'OBJECT');
    throw notImplemented(sub);
  }

  // ----- buckets --------------------------------------------------------------------------------------------

  private listBuckets(request: WireRequest, context: RequestContext): WireResponse {
    const prefix = request.query.get('prefix') ?? '';
    const maxBucketsText = request.query.get('max-buckets');
    if (maxBucketsText !== null && !/^\d{1,9}$/.test(maxBucketsText)) throw invalidMaxBuckets(maxBucketsText);
    const page = this.s3.listBucketsPage({
      prefix,
      maxBuckets: maxBucketsText === null ? undefined : Number(maxBucketsText),
      continuationToken: request.query.get('continuation-token') ?? undefined,
    });
    const buckets = page.buckets
      .map(
        (b) =>
          `<Bucket><Name>${escapeXml(b.name)}</Name><CreationDate>${isoTime(b.created)}</CreationDate>` +
          `<BucketRegion>${b.region}</BucketRegion></Bucket>`,
      )
      .join('');
    return xml(
      context,
      `<ListAllMyBucketsResult xmlns="${XMLNS}">${this.owner()}<Buckets>${buckets}</Buckets>` +
        (page.continuationToken ? textElement('ContinuationToken', page.continuationToken) : '') +
        (prefix ? textElement('Prefix', prefix) : '') +
        '</ListAllMyBucketsResult>',
    );
  }

  private createBucket(request: WireRequest, target: Target, context: RequestContext): WireResponse {
    let location: string | undefined;
    if (request.body.length > 0) {
      const root = readXml(request.body);
      if (root.name !== 'CreateBucketConfiguration') throw malformedXml();
      location = childText(root, 'LocationConstraint');
    }
    this.s3.createBucket(target.bucket, location);
    return empty(200, context, { location: `/${target.bucket}` });
  }

  private listObjects(request: WireRequest, target: Target, context: RequestContext): WireResponse {
    const q = request.query;
    const v2 = q.get('list-type') === '2';
    if (q.has('list-type') && !v2)
      throw new S3Error('InvalidArgument', 'Invalid List Type specified', 400, [
        ['ArgumentName', 'list-type'],
        ['ArgumentValue', q.get('list-type') ?? ''],
      ]);
    const maxKeysText = q.get('max-keys');
    const maxKeys = maxKeysText === null ? undefined : Number(maxKeysText);
    // AWS: max-keys is a 32-bit integer; above 1,000 it lists 1,000
    if (maxKeysText !== null && !(/^\d+$/.test(maxKeysText) && (maxKeys as number) <= INT32_MAX)) {
      throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400, [
        ['ArgumentName', 'max-keys'],
        ['ArgumentValue', maxKeysText],
      ]);
    }
    const encodingType = q.get('encoding-type');
    if (encodingType !== null && encodingType !== 'url') {
      throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', 400, [
        ['ArgumentName', 'encoding-type'],
        ['ArgumentValue', encodingType],
      ]);
    }
    const encode = encodingType === 'url' ? encodeListKey : (s: string) => s;
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const result = this.s3.listObjectsV2({
      bucket: target.bucket,
      prefix,
      delimiter,
      maxKeys,
      continuationToken: v2 ? (q.get('continuation-token') ?? undefined) : undefined,
      startAfter: v2 ? (q.get('start-after') ?? undefined) : (q.get('marker') ?? undefined),
    });
    const owner = !v2 || q.get('fetch-owner') === 'true' ? this.owner() : '';
    const contents = result.contents
      .map(
        (o) =>
          `<Contents><Key>${escapeXml(encode(o.key))}</Key><LastModified>${isoTime(o.lastModified)}</LastModified>` +
          `<ETag>${escapeXml(o.etag)}</ETag>` +
          (o.checksum
            ? `<ChecksumAlgorithm>${o.checksum.algorithm}</ChecksumAlgorithm><ChecksumType>${o.checksum.type}</ChecksumType>`
            : '') +
          `<Size>${o.body.length}</Size>${owner}<StorageClass>STANDARD</StorageClass></Contents>`,
      )
      .join('');
    const prefixes = result.commonPrefixes
      .map((p) => `<CommonPrefixes><Prefix>${escapeXml(encode(p))}</Prefix></CommonPrefixes>`)
      .join('');
    let body = `<ListBucketResult xmlns="${XMLNS}"><Name>${escapeXml(target.bucket)}</Name>`;
    body += `<Prefix>${escapeXml(encode(prefix))}</Prefix>`;
    if (v2) {
      const token = q.get('continuation-token');
      if (token !== null) body += textElement('ContinuationToken', token);
      if (result.nextContinuationToken)
        body += textElement('NextContinuationToken', result.nextContinuationToken);
      const startAfter = q.get('start-after');
      if (startAfter !== null) body += textElement('StartAfter', encode(startAfter));
      body += `<KeyCount>${result.contents.length + result.commonPrefixes.length}</KeyCount>`;
    } else {
      body += textElement('Marker', encode(q.get('marker') ?? ''));
      if (result.isTruncated && delimiter) {
        const last = [...result.contents.map((o) => o.key), ...result.commonPrefixes].sort().pop();
        if (last !== undefined) body += textElement('NextMarker', encode(last));
      }
    }
    body += `<MaxKeys>${result.maxKeys}</MaxKeys>`;
    if (delimiter) body += textElement('Delimiter', encode(delimiter));
    if (encodingType) body += textElement('EncodingType', encodingType);
    body += `<IsTruncated>${result.isTruncated}</IsTruncated>${contents}${prefixes}</ListBucketResult>`;
    return xml(context, body);
  }

  private deleteObjects(request: WireRequest, target: Target, context: RequestContext): WireResponse {
    const hasChecksum = CHECKSUM_ALGORITHMS.some((a) => header(request, checksumHeader(a)) !== undefined);
    const decoded = decodeBody(request);
    if (
      header(request, 'content-md5') === undefined &&
      !hasChecksum &&
      decoded.checksum?.value === undefined
    ) {
      throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
    }
    verifyMd5Header(decoded.body, header(request, 'content-md5'));
    verifyClaimed(decoded.body, decoded.checksum);
    const root = readXml(decoded.body);
    if (root.name !== 'Delete') throw malformedXml();
    const keys = children(root, 'Object').map((o) => {
      const key = childText(o, 'Key');
      if (key === undefined) throw malformedXml();
      return key;
    });
    const quiet = childText(root, 'Quiet')?.trim().toLowerCase() === 'true';
    const result = this.s3.deleteObjects(target.bucket, keys, context);
    const deleted = quiet
      ? ''
      : result.deleted.map((k) => `<Deleted>${textElement('Key', k)}</Deleted>`).join('');
    const errors = result.errors
      .map(
        (e) =>
          `<Error>${textElement('Key', e.key)}${textElement('Code', e.code)}${textElement('Message', e.message)}</Error>`,
      )
      .join('');
    return xml(context, `<DeleteResult xmlns="${XMLNS}">${deleted}${errors}</DeleteResult>`);
  }

  private putNotification(request: WireRequest, target: Target, context: RequestContext): WireResponse {
    const root = readXml(request.body);
    if (root.name !== 'NotificationConfiguration') throw malformedXml();
    const read = (name: string, arnElement: string): RequestedDestination[] =>
      children(root, name).map((c) => ({
        id: childText(c, 'Id'),
        arn: childText(c, arnElement),
        events: children(c, 'Event').map((e) => e.text.trim()),
        filterRules: filterRulesOf(c),
      }));
    this.s3.putBucketNotificationConfiguration(
      target.bucket,
      {
        topics: read('TopicConfiguration', 'Topic'),
        queues: read('QueueConfiguration', 'Queue'),
        functions: read('CloudFunctionConfiguration', 'CloudFunction'),
        eventBridge: child(root, 'EventBridgeConfiguration') !== undefined,
      },
      context,
    );
    return empty(200, context);
  }

  private getNotification(target: Target, context: RequestContext): WireResponse {
    const configuration = this.s3.getBucketNotificationConfiguration(target.bucket);
    const write = (name: string, arnElement: string, list: readonly DestinationConfiguration[]) =>
      list
        .map((c) => {
          let filter = '';
          if (c.filter) {
            const rules = (['prefix', 'suffix'] as const)
              .filter((k) => c.filter?.[k] !== undefined)
              .map(
                (k) =>
                  `<FilterRule><Name>${k === 'prefix' ? 'Prefix' : 'Suffix'}</Name>${textElement('Value', c.filter?.[k])}</FilterRule>`,
              )
              .join('');
            filter = `<Filter><S3Key>${rules}</S3Key></Filter>`;
          }
          return (
            `<${name}>${textElement('Id', c.id)}${textElement(arnElement, c.arn)}` +
            c.events.map((e) => textElement('Event', e)).join('') +
            `${filter}</${name}>`
          );
        })
        .join('');
    return xml(
      context,
      `<NotificationConfiguration xmlns="${XMLNS}">` +
        write('TopicConfiguration', 'Topic', configuration.topics) +
        write('QueueConfiguration', 'Queue', configuration.queues) +
        write('CloudFunctionConfiguration', 'CloudFunction', configuration.functions) +
        (configuration.eventBridge ? '<EventBridgeConfiguration/>' : '') +
        '</NotificationConfiguration>',
    );
  }

  // ----- objects --------------------------------------------------------------------------------------------

  private putObject(request: WireRequest, target: Target, context: RequestContext): WireResponse {
    const decoded = decodeBody(request);
    const object = this.s3.putObject(
      {
        bucket: target.bucket,
        key: target.key,
        body: decoded.body,
        headers: objectHeadersOf(request),
        metadata: metadataOf(request),
        checksum: decoded.checksum,
        contentMd5: header(request, 'content-md5'),
      },
      context,
    );
    return empty(200, context, {
      etag: object.etag,
      'x-amz-server-side-encryption': 'AES256',
      ...checksumHeaders(object),
    });
  }

  private getObject(request: WireRequest, target: Target, context: RequestContext): WireResponse {
    const object = this.s3.getObject(target.bucket, target.key);
    const headers: Record<string, string> = {
      ...baseHeaders(context),
      'last-modified': new Date(object.lastModified).toUTCString(),
      etag: object.etag,
      'accept-ranges': 'bytes',
      'x-amz-server-side-encryption': 'AES256',
      ...contentHeaders(object, request.query),
    };
    for (const [k, v] of Object.entries(object.metadata)) headers[`x-amz-meta-${k}`] = headerSafe(v);
    const condition = evaluateConditions(request, object);
    if (condition === 'not-modified') {
      return {
        status: 304,
        headers: { ...baseHeaders(context), etag: object.etag, 'last-modified': headers['last-modified'] },
        body: '',
      };
    }
    const range = rangeOf(header(request, 'range'), object.body.length);
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${object.body.length}`;
      headers['content-type'] ??= 'binary/octet-stream';
      return { status: 206, headers, body: object.body.subarray(range.start, range.end + 1) };
    }
    if (header(request, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED')
      Object.assign(headers, checksumHeaders(object));
    if (object.partCount !== undefined) headers['x-amz-mp-parts-count'] = String(object.partCount);
    // HEAD: Node sends the headers (with the object's length) and drops the body
    return { status: 200, headers, body: object.body };
  }

  private copyObject(request: WireRequest, target: Target, context: RequestContext): WireResponse {
    const replace = header(request, 'x-amz-metadata-directive')?.toUpperCase() === 'REPLACE';
    const object = this.s3.copyObject(
      {
        bucket: target.bucket,
        key: target.key,
        source: header(request, 'x-amz-copy-source') as string,
        metadataDirective: header(request, 'x-amz-metadata-directive')?.toUpperCase(),
        headers: replace ? objectHeadersOf(request) : undefined,
        metadata: metadataOf(request),
      },
      context,
    );
    const checksum = object.checksum
      ? textElement(`Checksum${object.checksum.algorithm}`, object.checksum.value) +
        textElement('ChecksumType', object.checksum.type)
      : '';
    return xml(
      context,
      `<CopyObjectResult xmlns="${XMLNS}"><ETag>${escapeXml(object.etag)}</ETag>` +
        `<LastModified>${isoTime(object.lastModified)}</LastModified>${checksum}</CopyObjectResult>`,
      { 'x-amz-server-side-encryption': 'AES256' },
    );
  }

  private createMultipartUpload(request: WireRequest, target: Target, context: RequestContext): WireResponse {
    const algorithmText = header(request, 'x-amz-checksum-algorithm');
    const algorithm = algorithmText === undefined ? undefined : checksumAlgorithm(algorithmText);
    const upload = this.s3.createMultipartUpload({
      bucket: target.bucket,
      key: target.key,
      headers: objectHeadersOf(request),
      metadata: metadataOf(request),
      checksumAlgorithm: algorithm,
    });
    return xml(
      context,
      `<InitiateMultipartUploadResult xmlns="${XMLNS}">${textElement('Bucket', target.bucket)}` +
        `${textElement('Key', target.key)}${textElement('UploadId', upload.uploadId)}</InitiateMultipartUploadResult>`,
      algorithm ? { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': 'COMPOSITE' } : {},
    );
  }

  private uploadPart(request: WireRequest, target: Target, context: RequestContext): WireResponse {
    const uploadId = request.query.get('uploadId');
    const partNumberText = request.query.get('partNumber');
    if (uploadId === null || partNumberText === null) {
      throw new S3Error('InvalidRequest', 'A part upload needs both partNumber and uploadId.');
    }
    const decoded = decodeBody(request);
    const part = this.s3.uploadPart({
      bucket: target.bucket,
      key: target.key,
      uploadId,
      partNumber: /^\d{1,6}$/.test(partNumberText) ? Number(partNumberText) : Number.NaN,
      body: decoded.body,
      checksum: decoded.checksum,
      contentMd5: header(request, 'content-md5'),
    });
    const headers: Record<string, string> = { etag: part.etag, 'x-amz-server-side-encryption': 'AES256' };
    if (part.checksum) headers[checksumHeader(part.checksum.algorithm)] = part.checksum.value;
    return empty(200, context, headers);
  }

  private completeMultipartUpload(
    request: WireRequest,
    target: Target,
    context: RequestContext,
  ): WireResponse {
    const root = readXml(request.body);
    if (root.name !== 'CompleteMultipartUpload') throw malformedXml();
    const parts = children(root, 'Part').map((p) => {
      const number = childText(p, 'PartNumber')?.trim() ?? '';
      const etag = childText(p, 'ETag');
      if (!/^\d{1,6}$/.test(number) || etag === undefined) throw malformedXml();
      return { partNumber: Number(number), etag };
    });
    const object = this.s3.completeMultipartUpload(
      { bucket: target.bucket, key: target.key, uploadId: request.query.get('uploadId') as string, parts },
      context,
    );
    const host = header(request, 'host') ?? '127.0.0.1';
    const checksum = object.checksum
      ? textElement(`Checksum${object.checksum.algorithm}`, object.checksum.value) +
        textElement('ChecksumType', object.checksum.type)
      : '';
    return xml(
      context,
      `<CompleteMultipartUploadResult xmlns="${XMLNS}">` +
        textElement('Location', `http://${host}/${target.bucket}/${encodeListKey(target.key)}`) +
        textElement('Bucket', target.bucket) +
        textElement('Key', target.key) +
        `<ETag>${escapeXml(object.etag)}</ETag>${checksum}</CompleteMultipartUploadResult>`,
      { 'x-amz-server-side-encryption': 'AES256' },
    );
  }

  // ----- shared ---------------------------------------------------------------------------------------------

  private owner(): string {
    const id = createHash('sha256').update(this.s3.accountId).digest('hex');
    return `<Owner><ID>${id}</ID><DisplayName>emulator</DisplayName></Owner>`;
  }

  private error(request: WireRequest, error: unknown): WireResponse {
    const aws = asAwsError(error);
    const requestId = s3RequestId(request.requestId);
    const headers: Record<string, string> = {
      'content-type': 'application/xml',
      'x-amz-request-id': requestId,
      'x-amz-id-2': hostIdOf(request.requestId),
    };
    const details = aws instanceof S3Error ? aws.details.map(([k, v]) => textElement(k, v)).join('') : '';
    const body =
      request.method === 'HEAD'
        ? ''
        : `${XML_DECLARATION}<Error><Code>${escapeXml(aws.code)}</Code><Message>${escapeXml(aws.message)}</Message>` +
          `${details}<RequestId>${requestId}</RequestId><HostId>${hostIdOf(request.requestId)}</HostId></Error>`;
    return { status: aws.httpStatus, headers, body };
  }
}

function asAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  console.error('emulator: internal error in S3', error);
  return new AwsError(
    'InternalError',
    'We encountered an internal error. Please try again.',
    500,
    'Receiver',
  );
}

// ----- request parsing ----------------------------------------------------------------------------------------

function parsePath(path: string): Target {
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  const slash = trimmed.indexOf('/');
  const rawBucket = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const rawKey = slash < 0 ? '' : trimmed.slice(slash + 1);
  try {
    return { bucket: decodeURIComponent(rawBucket), key: decodeURIComponent(rawKey) };
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", 400, [['URI', path]]);
  }
}

function subresourceOf(query: URLSearchParams): string | undefined {
  let found: string | undefined;
  for (const name of query.keys()) {
    if (PLAIN_PARAMETERS.has(name) || name.startsWith('response-')) continue;
    if (!SUBRESOURCES.has(name)) return name;
    // uploadId with partNumber is an upload part; report the pair by partNumber
    if (found === undefined || name === 'partNumber') found = name;
  }
  return found;
}

function readXml(body: Buffer): XmlElement {
  let tags = 0;
  for (let at = body.indexOf(0x3c); at >= 0; at = body.indexOf(0x3c, at + 1)) {
    if (++tags > MAX_XML_TAGS) throw malformedXml();
  }
  try {
    return parseXml(body.toString('utf8'));
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw malformedXml();
    throw error;
  }
}

function filterRulesOf(configuration: XmlElement): { name?: string; value?: string }[] {
  const filter = child(configuration, 'Filter');
  const key = filter && child(filter, 'S3Key');
  if (!key) return [];
  return children(key, 'FilterRule').map((r) => ({
    name: childText(r, 'Name'),
    value: childText(r, 'Value'),
  }));
}

function checksumAlgorithm(text: string): ChecksumAlgorithm {
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
 * The object bytes and the checksum the client claims. aws-chunked bodies (the SDK's default for streams:
 * `STREAMING-UNSIGNED-PAYLOAD-TRAILER`, or signed chunks) are `hex-size[;chunk-signature=…]\r\n data \r\n`, ending
 * with a zero-size chunk and trailer lines such as `x-amz-checksum-crc32:…`.
 */
function decodeBody(request: WireRequest): { body: Buffer; checksum: ClaimedChecksum | undefined } {
  const sha256 = header(request, 'x-amz-content-sha256') ?? '';
  const chunked =
    sha256.startsWith('STREAMING-') ||
    (header(request, 'content-encoding') ?? '').split(',').some((e) => e.trim() === 'aws-chunked');
  let body = request.body;
  const trailers = new Map<string, string>();
  if (chunked) {
    body = decodeChunks(request.body, trailers);
    const declared = header(request, 'x-amz-decoded-content-length');
    if (declared !== undefined && Number(declared) !== body.length) {
      throw new S3Error(
        'IncompleteBody',
        'You did not provide the number of bytes specified by the Content-Length HTTP header',
      );
    }
  }
  let checksum: ClaimedChecksum | undefined;
  const named = header(request, 'x-amz-sdk-checksum-algorithm');
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const name = checksumHeader(algorithm);
    const value = header(request, name) ?? trailers.get(name);
    if (value !== undefined) checksum = { algorithm, value };
  }
  if (!checksum && named !== undefined) checksum = { algorithm: checksumAlgorithm(named) };
  // the payload hash is checked only when no checksum is (signatures are not checked at all): one pass is enough
  if (!chunked && checksum?.value === undefined && /^[0-9a-f]{64}$/.test(sha256)) {
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== sha256) {
      throw new S3Error(
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        400,
        [
          ['ClientComputedContentSHA256', sha256],
          ['S3ComputedContentSHA256', actual],
        ],
      );
    }
  }
  return { body, checksum };
}

function decodeChunks(raw: Buffer, trailers: Map<string, string>): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  const incomplete = () => new S3Error('IncompleteBody', 'The request body terminated unexpectedly');
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', pos);
    if (lineEnd < 0) throw incomplete();
    const line = raw.subarray(pos, lineEnd).toString('latin1');
    const sizeText = line.split(';', 1)[0].trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) {
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
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

function verifyMd5Header(body: Buffer, contentMd5: string | undefined): void {
  if (contentMd5 === undefined) return;
  const actual = createHash('md5').update(body).digest('base64');
  if (actual !== contentMd5) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400, [
      ['ExpectedDigest', contentMd5],
      ['CalculatedDigest', actual],
    ]);
  }
}

function verifyClaimed(body: Buffer, checksum: ClaimedChecksum | undefined): void {
  if (checksum?.value === undefined) return;
  if (checksumOf(checksum.algorithm, body) !== checksum.value) {
    throw new S3Error(
      'BadDigest',
      `The ${checksum.algorithm} you specified did not match the calculated checksum.`,
    );
  }
}

function objectHeadersOf(request: WireRequest): ObjectHeaders {
  const encoding = (header(request, 'content-encoding') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e !== 'aws-chunked')
    .join(', ');
  const headers: { -readonly [K in keyof ObjectHeaders]: ObjectHeaders[K] } = {
    contentType: header(request, 'content-type') ?? 'binary/octet-stream',
  };
  const optional = {
    cacheControl: 'cache-control',
    contentDisposition: 'content-disposition',
    contentLanguage: 'content-language',
    expires: 'expires',
  } as const;
  for (const [field, name] of Object.entries(optional)) {
    const value = header(request, name);
    if (value !== undefined) headers[field as keyof typeof optional] = value;
  }
  if (encoding !== '') headers.contentEncoding = encoding;
  return headers;
}

function metadataOf(request: WireRequest): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) {
      metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  return metadata;
}

function contentHeaders(object: StoredObject, query: URLSearchParams): Record<string, string> {
  const h = object.headers;
  const out: Record<string, string> = { 'content-type': h.contentType };
  if (h.cacheControl !== undefined) out['cache-control'] = h.cacheControl;
  if (h.contentDisposition !== undefined) out['content-disposition'] = h.contentDisposition;
  if (h.contentEncoding !== undefined) out['content-encoding'] = h.contentEncoding;
  if (h.contentLanguage !== undefined) out['content-language'] = h.contentLanguage;
  if (h.expires !== undefined) out.expires = h.expires;
  // AWS: response-* query parameters override the stored headers
  for (const [name, value] of query) {
    if (name.startsWith('response-')) out[name.slice('response-'.length)] = headerSafe(value);
  }
  return out;
}

function checksumHeaders(object: StoredObject): Record<string, string> {
  if (!object.checksum) return {};
  return {
    [checksumHeader(object.checksum.algorithm)]: object.checksum.value,
    'x-amz-checksum-type': object.checksum.type,
  };
}

function evaluateConditions(request: WireRequest, object: StoredObject): 'ok' | 'not-modified' {
  const ifMatch = header(request, 'if-match');
  const ifNoneMatch = header(request, 'if-none-match');
  const ifModifiedSince = header(request, 'if-modified-since');
  const ifUnmodifiedSince = header(request, 'if-unmodified-since');
  const lastModifiedSeconds = Math.floor(object.lastModified / 1000) * 1000;
  const matches = (list: string) =>
    list
      .split(',')
      .some(
        (e) =>
          e.trim() === '*' || e.trim().replace(/^W\//, '') === object.etag || `"${e.trim()}"` === object.etag,
      );
  if (ifMatch !== undefined && !matches(ifMatch)) throw preconditionFailed('If-Match');
  if (ifMatch === undefined && ifUnmodifiedSince !== undefined) {
    const since = Date.parse(ifUnmodifiedSince);
    if (!Number.isNaN(since) && lastModifiedSeconds > since) throw preconditionFailed('If-Unmodified-Since');
  }
  if (ifNoneMatch !== undefined && matches(ifNoneMatch)) return 'not-modified';
  if (ifNoneMatch === undefined && ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    if (!Number.isNaN(since) && lastModifiedSeconds <= since) return 'not-modified';
  }
  return 'ok';
}

function preconditionFailed(condition: string): S3Error {
  return new S3Error(
    'PreconditionFailed',
    'At least one of the pre-conditions you specified did not hold',
    412,
    [['Condition', condition]],
  );
}

/** One `bytes=` range; undefined for no range or one S3 ignores; InvalidRange when it starts past the end. */
function rangeOf(text: string | undefined, size: number): { start: number; end: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(text.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) throw invalidRange(text, size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== '' && Number(match[2]) < start) return undefined;
  }
  if (start >= size) throw invalidRange(text, size);
  return { start, end };
}

function invalidRange(text: string, size: number): S3Error {
  return new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, [
    ['RangeRequested', text],
    ['ActualObjectSize', String(size)],
  ]);
}

// ----- responses ----------------------------------------------------------------------------------------------

function baseHeaders(context: RequestContext): Record<string, string> {
  return { 'x-amz-request-id': context.requestId, 'x-amz-id-2': context.hostId };
}

function empty(status: number, context: RequestContext, headers: Record<string, string> = {}): WireResponse {
  return { status, headers: { ...baseHeaders(context), ...headers }, body: '' };
}

function xml(context: RequestContext, body: string, headers: Record<string, string> = {}): WireResponse {
  return {
    status: 200,
    headers: { ...baseHeaders(context), 'content-type': 'application/xml', ...headers },
    body: XML_DECLARATION + body,
  };
}

function methodNotAllowed(method: string, resource: string): S3Error {
  return new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, [
    ['Method', method],
    ['ResourceType', resource],
  ]);
}

function notImplemented(what: string | undefined): S3Error {
  return new S3Error(
    'NotImplemented',
    'A header you provided implies functionality that is not implemented',
    501,
    [['Header', what ?? '']],
  );
}

function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** S3 request ids are 16 upper-case hex characters. */
function s3RequestId(requestId: string): string {
  return requestId.replace(/-/g, '').slice(0, 16).toUpperCase();
}

function hostIdOf(requestId: string): string {
  return createHash('sha256').update(requestId).digest('base64');
}

/** Keys in `encoding-type=url` listings: percent-encoded, `/` kept. */
function encodeListKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/');
}

/** Header values must be Latin-1 without controls; AWS returns other metadata RFC 2047-encoded. */
function headerSafe(value: string): string {
  return /^[\x20-\x7e\t]*$/.test(value)
    ? value
    : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}
