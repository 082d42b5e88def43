/**
 * S3 on the wire: REST-XML, path-style (`/bucket/key`), as @aws-sdk/client-s3 sends it to an IP endpoint. The
 * operation, its input and its reply come from the SDK's model through the REST-XML codec (codec/rest-xml.ts);
 * this file holds S3's routing by bucket, its payload decoding (aws-chunked, checksums) and one call per
 * operation from the SDK's input shape to the service and back to the SDK's output shape.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as s3Sdk from '@aws-sdk/client-s3';
import { AwsError } from '../errors';
import { AwsChunkedDecoder, decodeAwsChunked, isAwsChunked } from '../s3/aws-chunked';
import { byteRangeOf } from '../s3/byte-range';
import { CHECKSUM_ALGORITHMS, checksumHeader } from '../s3/checksum';
import { evaluateConditions } from '../s3/conditions';
import { invalidArgument, malformedXml, S3Error } from '../s3/errors';
import type { ObjectHeaders, StoredChecksum, StoredObject } from '../s3/model';
import { IncomingDigests } from '../s3/incoming-digests';
import { type BodyStore, ObjectBody, SPILL_THRESHOLD_BYTES } from '../s3/object-body';
import type { DestinationConfiguration, RequestedDestination } from '../s3/notifications';
import {
  checksumAlgorithm,
  type ClaimedChecksum,
  claimedChecksum,
  neededDigests,
  verifyChecksum,
  verifyContentMd5,
  verifyContentSha256,
} from '../s3/payload-integrity';
import {
  bucketEncryptionOf,
  bucketEncryptionOutput,
  encryptionOutput,
  type ObjectEncryption,
  type RequestedEncryption,
} from '../s3/encryption';
import { aclOutput, grantHeadersOf, OBJECT_OWNERSHIPS, type ObjectOwnership, requestedAcl } from '../s3/acl';
import {
  COPY_SOURCE_KEY_HEADER,
  customerKeyHeadersOf,
  customerKeyOf,
  customerKeyOutput,
  type CustomerKey,
  verifyCustomerKey,
} from '../s3/customer-key';
import { encodeUploadKey } from '../s3/multipart-listing';
import { isDeleteMarker, versionIdOf } from '../s3/versioning';
import type { RequestContext, S3Service } from '../s3/service';
import { MAX_BUCKET_TAGS, MAX_OBJECT_TAGS, tagListOf, tagSetOf, tagSetOfHeader } from '../s3/tagging';
import { type BindingErrors, HttpRouteTable, type RouteMatch } from './codec/http-bindings';
import {
  encodeRestXmlError,
  readRestXmlInput,
  type RestXmlInputOptions,
  writeRestXmlOutput,
} from './codec/rest-xml';
import { type OperationModel, serviceModelOf } from './codec/service-model';
import {
  type CallSummary,
  header,
  type LargeBody,
  type ServiceProtocol,
  type SpilledBody,
  type WireRequest,
  type WireResponse,
} from './router';
import { MAX_REQUEST_BYTES } from './http-server';
import { withPresignedHeaders } from './presigned-query';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
/**
 * Tags (`<`) a request body may hold before it is parsed: a CompleteMultipartUpload of 10,000 parts with
 * checksums has about 100,000. Beyond that the parse would only build a large tree for S3 to refuse.
 */
const MAX_XML_TAGS = 200_000;
const INT32_MAX = 2 ** 31 - 1;

/** The SDK's own model of S3: routes, bindings, XML names and flattening for every operation. */
const MODEL = serviceModelOf(s3Sdk);

/** What a call gets besides its input: the request's context, its decoded body's claimed checksum, the raw request. */
interface Call {
  readonly s3: S3Service;
  readonly context: RequestContext;
  readonly request: WireRequest;
  readonly claimed: ClaimedChecksum | undefined;
  /** The body of a large upload the server spilled to disk (`i.Body` is then empty), its digests computed. */
  readonly payload: ObjectBody | undefined;
}

/** A reply whose status, extra headers or raw body differ from what the model's bindings say. */
class Reply {
  constructor(
    readonly output: Record<string, unknown>,
    readonly status?: number,
    readonly headers: Record<string, string> = {},
    readonly body?: Buffer,
    /** Bytes streamed as they are sent instead of `body` (on disk, or in several parts). */
    readonly stream?: ObjectBody,
  ) {}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the codec hands over input shaped by the SDK's schema
type Input = any;
type Operation = (
  input: Input,
  call: Call,
) => Record<string, unknown> | Reply | Promise<Record<string, unknown> | Reply>;

/** The operations this emulator implements: one service method each (GetObject and HeadObject share a read). */
const OPERATIONS: Record<string, Operation> = {
  ListBuckets: (i, { s3 }) => {
    const page = s3.listBucketsPage({
      prefix: i.Prefix,
      maxBuckets: i.MaxBuckets,
      continuationToken: i.ContinuationToken,
      bucketRegion: i.BucketRegion,
    });
    return {
      Buckets: page.buckets.map((b) => ({
        Name: b.name,
        CreationDate: new Date(b.created),
        BucketRegion: b.region,
      })),
      Owner: ownerOf(s3),
      ContinuationToken: page.continuationToken,
      Prefix: i.Prefix || undefined,
    };
  },
  CreateBucket: (i, { s3 }) => {
    const configuration = i.CreateBucketConfiguration ?? {};
    for (const member of ['Location', 'Bucket', 'Tags']) {
      if (configuration[member] !== undefined)
        throw notSupported(`CreateBucketConfiguration.${member}`, member);
    }
    const acl = aclOf(i, s3, 'bucket');
    const ownership = objectOwnershipOf(i.ObjectOwnership);
    s3.checkNewBucketAcl(acl, ownership);
    s3.createBucket(i.Bucket, configuration.LocationConstraint);
    if (acl !== undefined || ownership !== undefined) s3.initializeBucketAccess(i.Bucket, acl, ownership);
    return { Location: `/${i.Bucket}` };
  },
  DeleteBucket: (i, { s3 }) => {
    s3.deleteBucket(i.Bucket);
    return {};
  },
  HeadBucket: (i, { s3 }) => ({ BucketRegion: s3.headBucket(i.Bucket).region }),
  GetBucketLocation: (i, { s3 }) => {
    const region = s3.headBucket(i.Bucket).region;
    return { LocationConstraint: region === 'us-east-1' ? '' : region };
  },
  GetBucketVersioning: (i, { s3 }) => ({ Status: s3.getBucketVersioning(i.Bucket) }),
  PutBucketVersioning: (i, { s3 }) => {
    const configuration = i.VersioningConfiguration;
    if (configuration === undefined) throw malformedXml();
    // AWS: MFA delete needs the root account's MFA device, which the emulator has no notion of
    if (configuration.MFADelete === 'Enabled') throw notSupported('MFADelete Enabled', 'MFADelete');
    if (configuration.MFADelete !== undefined && configuration.MFADelete !== 'Disabled') throw malformedXml();
    s3.putBucketVersioning(i.Bucket, configuration.Status);
    return {};
  },
  ListObjectVersions: (i, { s3 }) => {
    if (i.EncodingType !== undefined && i.EncodingType !== 'url') {
      throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', i.EncodingType);
    }
    const encode = i.EncodingType === 'url' ? encodeListKey : (s: string) => s;
    const page = s3.listObjectVersions(i.Bucket, {
      prefix: i.Prefix,
      delimiter: i.Delimiter,
      keyMarker: i.KeyMarker,
      versionIdMarker: i.VersionIdMarker,
      maxKeys: i.MaxKeys,
    });
    const owner = ownerOf(s3);
    const versions = page.versions.filter((v) => !isDeleteMarker(v.version));
    const markers = page.versions.filter((v) => isDeleteMarker(v.version));
    return {
      Name: i.Bucket,
      Prefix: encode(i.Prefix ?? ''),
      KeyMarker: encode(i.KeyMarker ?? ''),
      VersionIdMarker: i.VersionIdMarker ?? '',
      NextKeyMarker: page.nextKeyMarker === undefined ? undefined : encode(page.nextKeyMarker),
      NextVersionIdMarker: page.nextVersionIdMarker,
      MaxKeys: page.maxKeys,
      Delimiter: i.Delimiter ? encode(i.Delimiter) : undefined,
      EncodingType: i.EncodingType,
      IsTruncated: page.isTruncated,
      Versions: versions.map(({ version, isLatest }) => {
        const o = version as StoredObject;
        return {
          ETag: o.etag,
          ChecksumAlgorithm: o.checksum ? [o.checksum.algorithm] : undefined,
          ChecksumType: o.checksum?.type,
          Size: o.body.length,
          StorageClass: 'STANDARD',
          Key: encode(o.key),
          VersionId: versionIdOf(o),
          IsLatest: isLatest,
          LastModified: new Date(o.lastModified),
          Owner: owner,
        };
      }),
      DeleteMarkers: markers.map(({ version, isLatest }) => ({
        Owner: owner,
        Key: encode(version.key),
        VersionId: versionIdOf(version),
        IsLatest: isLatest,
        LastModified: new Date(version.lastModified),
      })),
      CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
    };
  },
  GetBucketAcl: (i, { s3 }) => aclOutput(s3.getBucketAcl(i.Bucket)),
  PutBucketAcl: (i, { s3 }) => {
    const acl = aclOf(i, s3, 'bucket', i.AccessControlPolicy);
    // AWS: a PutBucketAcl needs an ACL in a header or the body
    if (acl === undefined) throw malformedXml();
    s3.putBucketAcl(i.Bucket, acl);
    return {};
  },
  GetObjectAcl: (i, { s3 }) => {
    const object = s3.getObject(i.Bucket, i.Key, i.VersionId);
    return {
      ...aclOutput(s3.getObjectAcl(i.Bucket, i.Key, i.VersionId)),
      VersionId: s3.versionIdOf(i.Bucket, object),
    };
  },
  PutObjectAcl: (i, { s3 }) => {
    const acl = aclOf(i, s3, 'object', i.AccessControlPolicy);
    if (acl === undefined) throw malformedXml();
    const object = s3.putObjectAcl(i.Bucket, i.Key, acl, i.VersionId);
    return { VersionId: s3.versionIdOf(i.Bucket, object) };
  },
  GetBucketEncryption: (i, { s3 }) => bucketEncryptionOutput(s3.getBucketEncryption(i.Bucket)),
  PutBucketEncryption: (i, { s3 }) => {
    if (i.ServerSideEncryptionConfiguration === undefined) throw malformedXml();
    s3.putBucketEncryption(i.Bucket, bucketEncryptionOf(i.ServerSideEncryptionConfiguration));
    return {};
  },
  DeleteBucketEncryption: (i, { s3 }) => {
    s3.deleteBucketEncryption(i.Bucket);
    return new Reply({}, 204);
  },
  GetBucketOwnershipControls: (i, { s3 }) => ({
    OwnershipControls: { Rules: [{ ObjectOwnership: s3.getBucketOwnershipControls(i.Bucket) }] },
  }),
  PutBucketOwnershipControls: (i, { s3 }) => {
    const rules: Input[] = i.OwnershipControls?.Rules ?? [];
    // AWS: exactly one rule
    if (rules.length !== 1) throw malformedXml();
    const ownership = objectOwnershipOf(rules[0].ObjectOwnership);
    if (ownership === undefined) throw malformedXml();
    s3.putBucketOwnershipControls(i.Bucket, ownership);
    return {};
  },
  DeleteBucketOwnershipControls: (i, { s3 }) => {
    s3.deleteBucketOwnershipControls(i.Bucket);
    return new Reply({}, 204);
  },
  ListObjects: (i, call) => listObjects(i, call, false),
  ListObjectsV2: (i, call) => listObjects(i, call, true),
  DeleteObjects: (i, { s3, context, request, claimed }) => {
    if (header(request, 'content-md5') === undefined && claimed?.value === undefined) {
      throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
    }
    if (i.Delete === undefined) throw malformedXml();
    const objects: { Key?: string; VersionId?: string }[] = i.Delete.Objects ?? [];
    for (const object of objects) {
      for (const member of ['ETag', 'LastModifiedTime', 'Size'] as const) {
        if ((object as Record<string, unknown>)[member] !== undefined)
          throw notSupported(`Delete.Objects.${member}`, member);
      }
    }
    const keys = objects.map((o) => {
      if (o.Key === undefined) throw malformedXml();
      return { key: o.Key, versionId: o.VersionId };
    });
    const result = s3.deleteObjects(i.Bucket, keys, context);
    return {
      Deleted: i.Delete.Quiet
        ? undefined
        : result.deleted.map((d) => ({
            Key: d.key,
            // AWS: a marker made is DeleteMarkerVersionId; a version removed is VersionId (and a marker's both)
            VersionId: d.requestedVersionId,
            DeleteMarker: d.deleteMarker,
            DeleteMarkerVersionId: d.deleteMarker ? d.versionId : undefined,
          })),
      Errors: result.errors.map((e) => ({
        Key: e.key,
        VersionId: e.versionId,
        Code: e.code,
        Message: e.message,
      })),
    };
  },
  PutBucketNotificationConfiguration: (i, { s3, context }) => {
    const configuration = i.NotificationConfiguration;
    if (configuration === undefined) throw malformedXml();
    const read = (list: Input[] | undefined, arn: string): RequestedDestination[] =>
      (list ?? []).map((c) => ({
        id: c.Id,
        arn: c[arn],
        events: c.Events ?? [],
        filterRules: (c.Filter?.Key?.FilterRules ?? []).map((r: Input) => ({ name: r.Name, value: r.Value })),
      }));
    s3.putBucketNotificationConfiguration(
      i.Bucket,
      {
        topics: read(configuration.TopicConfigurations, 'TopicArn'),
        queues: read(configuration.QueueConfigurations, 'QueueArn'),
        functions: read(configuration.LambdaFunctionConfigurations, 'LambdaFunctionArn'),
        eventBridge: configuration.EventBridgeConfiguration !== undefined,
      },
      context,
    );
    return {};
  },
  GetBucketNotificationConfiguration: (i, { s3 }) => {
    const configuration = s3.getBucketNotificationConfiguration(i.Bucket);
    const write = (list: readonly DestinationConfiguration[], arn: string) =>
      list.length === 0
        ? undefined
        : list.map((c) => ({ Id: c.id, [arn]: c.arn, Events: c.events, Filter: filterOf(c) }));
    return {
      TopicConfigurations: write(configuration.topics, 'TopicArn'),
      QueueConfigurations: write(configuration.queues, 'QueueArn'),
      LambdaFunctionConfigurations: write(configuration.functions, 'LambdaFunctionArn'),
      EventBridgeConfiguration: configuration.eventBridge ? {} : undefined,
    };
  },
  PutBucketPolicy: (i, { s3 }) => {
    s3.putBucketPolicy(i.Bucket, i.Policy ?? '');
    // AWS answers 204, whatever the model's trait says
    return new Reply({}, 204);
  },
  GetBucketPolicy: (i, { s3 }) =>
    new Reply({ Policy: s3.getBucketPolicy(i.Bucket) }, undefined, { 'content-type': 'application/json' }),
  DeleteBucketPolicy: (i, { s3 }) => {
    s3.deleteBucketPolicy(i.Bucket);
    return {};
  },
  PutBucketTagging: (i, { s3 }) => {
    if (i.Tagging === undefined) throw malformedXml();
    s3.putBucketTagging(i.Bucket, tagSetOf(i.Tagging.TagSet ?? [], MAX_BUCKET_TAGS, 'Bucket'));
    // AWS answers 204, whatever the model's trait says
    return new Reply({}, 204);
  },
  GetBucketTagging: (i, { s3 }) => ({ TagSet: tagListOf(s3.getBucketTagging(i.Bucket)) }),
  DeleteBucketTagging: (i, { s3 }) => {
    s3.deleteBucketTagging(i.Bucket);
    return {};
  },
  PutObjectTagging: (i, { s3 }) => {
    if (i.Tagging === undefined) throw malformedXml();
    const tags = tagSetOf(i.Tagging.TagSet ?? [], MAX_OBJECT_TAGS, 'Object');
    const object = s3.putObjectTagging(i.Bucket, i.Key, tags, i.VersionId);
    return { VersionId: s3.versionIdOf(i.Bucket, object) };
  },
  GetObjectTagging: (i, { s3 }) => {
    const object = s3.getObject(i.Bucket, i.Key, i.VersionId);
    return { TagSet: tagListOf(object.tags), VersionId: s3.versionIdOf(i.Bucket, object) };
  },
  DeleteObjectTagging: (i, { s3 }) => {
    const object = s3.putObjectTagging(i.Bucket, i.Key, undefined, i.VersionId);
    return new Reply({ VersionId: s3.versionIdOf(i.Bucket, object) }, 204);
  },
  PutObject: (i, { s3, context, request, claimed, payload }) => {
    const object = s3.putObject(
      {
        bucket: i.Bucket,
        key: i.Key,
        body: payload ?? i.Body,
        headers: objectHeadersOf(i),
        metadata: i.Metadata ?? {},
        checksum: claimed,
        contentMd5: header(request, 'content-md5'),
        conditions: { ifMatch: i.IfMatch, ifNoneMatch: i.IfNoneMatch },
        tags: i.Tagging === undefined ? undefined : tagSetOfHeader(i.Tagging),
        acl: aclOf(i, s3, 'object'),
        customerKey: customerKeyOf(customerKeyHeadersOf(i)),
        encryption: requestedEncryptionOf(i),
      },
      context,
    );
    return {
      ETag: object.etag,
      ...encryptionMembers(object),
      ...checksumOutput(object.checksum),
      VersionId: s3.versionIdOf(i.Bucket, object),
    };
  },
  CopyObject: async (i, { s3, context }) => {
    const sourceCustomerKey = customerKeyOf(customerKeyHeadersOf(i, 'CopySource'), COPY_SOURCE_KEY_HEADER);
    // a source on disk is hashed ahead (a multipart source's ETag, its CRC32), not read in the service's turn
    await s3.digestCopySource(i.CopySource, sourceCustomerKey);
    const directive = i.MetadataDirective?.toUpperCase();
    const object = s3.copyObject(
      {
        bucket: i.Bucket,
        key: i.Key,
        source: i.CopySource,
        metadataDirective: directive,
        taggingDirective: i.TaggingDirective?.toUpperCase(),
        tags: i.Tagging === undefined ? undefined : tagSetOfHeader(i.Tagging),
        headers: directive === 'REPLACE' ? objectHeadersOf(i) : undefined,
        metadata: i.Metadata ?? {},
        sourceConditions: {
          ifMatch: i.CopySourceIfMatch,
          ifNoneMatch: i.CopySourceIfNoneMatch,
          ifModifiedSince: i.CopySourceIfModifiedSince,
          ifUnmodifiedSince: i.CopySourceIfUnmodifiedSince,
        },
        acl: aclOf(i, s3, 'object'),
        customerKey: customerKeyOf(customerKeyHeadersOf(i)),
        sourceCustomerKey,
        encryption: requestedEncryptionOf(i),
      },
      context,
    );
    return {
      CopyObjectResult: {
        ETag: object.etag,
        LastModified: new Date(object.lastModified),
        ...checksumOutput(object.checksum),
      },
      ...encryptionMembers(object),
      VersionId: s3.versionIdOf(i.Bucket, object),
      CopySourceVersionId: object.sourceVersionId,
    };
  },
  GetObject: (i, call) => readObject(i, call, false),
  HeadObject: (i, call) => readObject(i, call, true),
  DeleteObject: (i, { s3, context }) => {
    const result = s3.deleteObject(i.Bucket, i.Key, context, i.VersionId);
    return { DeleteMarker: result.deleteMarker, VersionId: result.versionId };
  },
  CreateMultipartUpload: (i, { s3 }) => {
    const algorithm = i.ChecksumAlgorithm === undefined ? undefined : checksumAlgorithm(i.ChecksumAlgorithm);
    const upload = s3.createMultipartUpload({
      bucket: i.Bucket,
      key: i.Key,
      headers: objectHeadersOf(i),
      metadata: i.Metadata ?? {},
      checksumAlgorithm: algorithm,
      tags: i.Tagging === undefined ? undefined : tagSetOfHeader(i.Tagging),
      acl: aclOf(i, s3, 'object'),
      customerKey: customerKeyOf(customerKeyHeadersOf(i)),
      encryption: requestedEncryptionOf(i),
    });
    return {
      Bucket: i.Bucket,
      Key: i.Key,
      UploadId: upload.uploadId,
      ...encryptionMembers(upload),
      ChecksumAlgorithm: algorithm,
      ChecksumType: algorithm ? 'COMPOSITE' : undefined,
    };
  },
  UploadPart: (i, { s3, request, claimed, payload }) => {
    const customerKey = customerKeyOf(customerKeyHeadersOf(i));
    const part = s3.uploadPart({
      bucket: i.Bucket,
      key: i.Key,
      uploadId: i.UploadId,
      partNumber: i.PartNumber,
      body: payload ?? i.Body,
      checksum: claimed,
      contentMd5: header(request, 'content-md5'),
      customerKey,
    });
    const checksum = part.checksum && { [`Checksum${part.checksum.algorithm}`]: part.checksum.value };
    return {
      ETag: part.etag,
      ...encryptionMembers(s3.uploadEncryption(i.Bucket, i.Key, i.UploadId)),
      ...checksum,
    };
  },
  UploadPartCopy: async (i, { s3 }) => {
    const customerKey = customerKeyOf(customerKeyHeadersOf(i));
    const target = { bucket: i.Bucket, key: i.Key, uploadId: i.UploadId, partNumber: i.PartNumber };
    const {
      body,
      checksumAlgorithm: algorithm,
      sourceVersionId,
    } = s3.uploadPartCopySource({
      ...target,
      source: i.CopySource,
      range: i.CopySourceRange,
      sourceConditions: {
        ifMatch: i.CopySourceIfMatch,
        ifNoneMatch: i.CopySourceIfNoneMatch,
        ifModifiedSince: i.CopySourceIfModifiedSince,
        ifUnmodifiedSince: i.CopySourceIfUnmodifiedSince,
      },
      sourceCustomerKey: customerKeyOf(customerKeyHeadersOf(i, 'CopySource'), COPY_SOURCE_KEY_HEADER),
    });
    // the slice shares the source's bytes: kept while they are hashed (off the event loop), then the part's
    body.retain();
    try {
      await body.digestsOf(algorithm ? ['MD5', algorithm] : ['MD5']);
      const part = s3.uploadPart({ ...target, body, checksum: algorithm && { algorithm }, customerKey });
      return {
        CopyPartResult: {
          ETag: part.etag,
          LastModified: new Date(part.lastModified),
          ...(part.checksum && { [`Checksum${part.checksum.algorithm}`]: part.checksum.value }),
        },
        ...encryptionMembers(s3.uploadEncryption(i.Bucket, i.Key, i.UploadId)),
        CopySourceVersionId: sourceVersionId,
      };
    } finally {
      body.release();
    }
  },
  CompleteMultipartUpload: (i, { s3, context, request }) => {
    const parts: Input[] = i.MultipartUpload?.Parts ?? [];
    const object = s3.completeMultipartUpload(
      {
        bucket: i.Bucket,
        key: i.Key,
        uploadId: i.UploadId,
        parts: parts.map((p) => {
          for (const member of UNSUPPORTED_CHECKSUM_MEMBERS)
            if (p[member] !== undefined) throw notSupported(`MultipartUpload.Parts.${member}`, member);
          // AWS: a part number that is no integer of at most 6 digits does not fit the schema
          if (
            !Number.isInteger(p.PartNumber) ||
            p.PartNumber < 0 ||
            p.PartNumber > 999_999 ||
            p.ETag === undefined
          )
            throw malformedXml();
          const algorithm = CHECKSUM_ALGORITHMS.find((a) => p[`Checksum${a}`] !== undefined);
          return {
            partNumber: p.PartNumber as number,
            etag: p.ETag as string,
            checksum: algorithm && { algorithm, value: p[`Checksum${algorithm}`] as string },
          };
        }),
        customerKey: customerKeyOf(customerKeyHeadersOf(i)),
      },
      context,
    );
    const host = header(request, 'host') ?? '127.0.0.1';
    return {
      Location: `http://${host}/${i.Bucket}/${encodeListKey(i.Key)}`,
      Bucket: i.Bucket,
      Key: i.Key,
      ETag: object.etag,
      ...encryptionMembers(object),
      ...checksumOutput(object.checksum),
      VersionId: s3.versionIdOf(i.Bucket, object),
    };
  },
  AbortMultipartUpload: (i, { s3 }) => {
    s3.abortMultipartUpload(i.Bucket, i.Key, i.UploadId);
    return {};
  },
  ListParts: (i, { s3 }) => {
    const page = s3.listParts(i.Bucket, i.Key, i.UploadId, {
      maxParts: i.MaxParts,
      partNumberMarker: i.PartNumberMarker === undefined ? undefined : Number(i.PartNumberMarker),
    });
    const owner = ownerOf(s3);
    const algorithm = page.upload.checksumAlgorithm;
    return {
      Bucket: i.Bucket,
      Key: i.Key,
      UploadId: i.UploadId,
      PartNumberMarker: i.PartNumberMarker ?? '0',
      NextPartNumberMarker: String(page.nextPartNumberMarker),
      MaxParts: page.maxParts,
      IsTruncated: page.isTruncated,
      Parts: page.parts.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: new Date(p.lastModified),
        ETag: p.etag,
        Size: p.body.length,
        ...(p.checksum && { [`Checksum${p.checksum.algorithm}`]: p.checksum.value }),
      })),
      Initiator: owner,
      Owner: owner,
      StorageClass: 'STANDARD',
      ChecksumAlgorithm: algorithm,
      ChecksumType: algorithm ? 'COMPOSITE' : undefined,
    };
  },
  ListMultipartUploads: (i, { s3 }) => {
    if (i.EncodingType !== undefined && i.EncodingType !== 'url') {
      throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', i.EncodingType);
    }
    const encode = i.EncodingType === 'url' ? encodeUploadKey : (s: string) => s;
    const page = s3.listMultipartUploads(i.Bucket, {
      prefix: i.Prefix,
      delimiter: i.Delimiter,
      keyMarker: i.KeyMarker,
      uploadIdMarker: i.UploadIdMarker,
      maxUploads: i.MaxUploads,
    });
    const owner = ownerOf(s3);
    return {
      Bucket: i.Bucket,
      KeyMarker: encode(i.KeyMarker ?? ''),
      UploadIdMarker: i.UploadIdMarker ?? '',
      NextKeyMarker: page.nextKeyMarker === undefined ? undefined : encode(page.nextKeyMarker),
      NextUploadIdMarker: page.nextUploadIdMarker,
      Prefix: encode(i.Prefix ?? ''),
      Delimiter: i.Delimiter ? encode(i.Delimiter) : undefined,
      MaxUploads: page.maxUploads,
      IsTruncated: page.isTruncated,
      EncodingType: i.EncodingType,
      Uploads: page.uploads.map((u) => ({
        UploadId: u.uploadId,
        Key: encode(u.key),
        Initiated: new Date(u.initiated),
        StorageClass: 'STANDARD',
        Owner: owner,
        Initiator: owner,
        ChecksumAlgorithm: u.checksumAlgorithm,
        ChecksumType: u.checksumAlgorithm ? 'COMPOSITE' : undefined,
      })),
      CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
    };
  },
};

/** The operations S3 answers, for the conformance test and the docs. */
export const S3_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

// ----- members not honoured -----------------------------------------------------------------------------------

/** Checksum algorithms S3 has and the emulator does not compute. */
const UNSUPPORTED_CHECKSUM_MEMBERS = [
  'ChecksumCRC64NVME',
  'ChecksumSHA512',
  'ChecksumMD5',
  'ChecksumXXHASH64',
  'ChecksumXXHASH3',
  'ChecksumXXHASH128',
];
/** Object lock and website redirects on a new object: not emulated. */
const NEW_OBJECT = [
  'WebsiteRedirectLocation',
  'ObjectLockMode',
  'ObjectLockRetainUntilDate',
  'ObjectLockLegalHoldStatus',
  'ObjectLockEventHold',
  'ObjectLockEventHoldDurationDays',
  'ObjectLockEventHoldDurationYears',
];

/** Members of the SDK's input that the emulator refuses by name rather than drop. */
export const S3_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  ListObjects: ['OptionalObjectAttributes'],
  ListObjectsV2: ['OptionalObjectAttributes'],
  CreateBucket: ['BucketNamespace'],
  DeleteObjects: ['MFA', 'BypassGovernanceRetention'],
  PutBucketVersioning: ['MFA'],
  ListObjectVersions: ['OptionalObjectAttributes'],
  PutObject: [...NEW_OBJECT, ...UNSUPPORTED_CHECKSUM_MEMBERS, 'WriteOffsetBytes'],
  CopyObject: [...NEW_OBJECT, 'ChecksumAlgorithm', 'IfMatch', 'IfNoneMatch', 'AnnotationDirective'],
  GetObject: ['PartNumber'],
  HeadObject: ['PartNumber'],
  DeleteObject: ['MFA', 'BypassGovernanceRetention', 'IfMatch', 'IfMatchLastModifiedTime', 'IfMatchSize'],
  CreateMultipartUpload: NEW_OBJECT,
  UploadPart: UNSUPPORTED_CHECKSUM_MEMBERS,
  CompleteMultipartUpload: [
    'ChecksumCRC32',
    'ChecksumCRC32C',
    'ChecksumSHA1',
    'ChecksumSHA256',
    ...UNSUPPORTED_CHECKSUM_MEMBERS,
    'ChecksumType',
    'MpuObjectSize',
    'IfMatch',
    'IfNoneMatch',
  ],
  AbortMultipartUpload: ['IfMatchInitiatedTime'],
};

/**
 * Members accepted only with the value S3 applies anyway (any operation that has them): objects are stored in
 * STANDARD; buckets are without object lock; requester-pays
 * confirmation changes nothing on buckets that are not requester-pays (all of them here).
 */
export const S3_FIXED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  StorageClass: ['STANDARD'],
  ObjectLockEnabledForBucket: ['false'],
  SkipDestinationValidation: ['false'],
  ConfirmRemoveSelfBucketAccess: ['false'],
  ChecksumType: ['COMPOSITE'],
  RequestPayer: ['requester'],
};

/** The SSE-S3/SSE-KMS members of a write; the bucket's default applies to what is absent. */
function requestedEncryptionOf(i: Input): RequestedEncryption {
  return {
    algorithm: i.ServerSideEncryption,
    kmsKeyId: i.SSEKMSKeyId,
    context: i.SSEKMSEncryptionContext,
    bucketKeyEnabled: i.BucketKeyEnabled,
  };
}

/** How an object (or an upload's parts) is encrypted, as S3 echoes it: SSE-C, else SSE-S3 or SSE-KMS. */
function encryptionMembers(stored: {
  readonly customerKey?: CustomerKey;
  readonly encryption?: ObjectEncryption;
}): Record<string, unknown> {
  if (stored.customerKey !== undefined) return customerKeyOutput(stored.customerKey);
  return encryptionOutput(stored.encryption ?? { algorithm: 'AES256', bucketKeyEnabled: false });
}

function refuseUnsupported(
  operation: OperationModel,
  input: Record<string, unknown>,
  accountId: string,
): void {
  for (const member of S3_UNSUPPORTED_MEMBERS[operation.name] ?? []) {
    if (input[member] !== undefined) throw notSupported(member, wireNameOf(operation, member));
  }
  for (const [member, accepted] of Object.entries(S3_FIXED_MEMBERS)) {
    const value = input[member];
    if (value !== undefined && !accepted.includes(String(value))) {
      throw notSupported(`${member} ${String(value)}`, wireNameOf(operation, member));
    }
  }
  for (const member of ['ExpectedBucketOwner', 'ExpectedSourceBucketOwner']) {
    // AWS: a bucket owned by another account than the expected one is Access Denied
    if (input[member] !== undefined && input[member] !== accountId) {
      throw new S3Error('AccessDenied', 'Access Denied', 403);
    }
  }
}

function wireNameOf(operation: OperationModel, member: string): string {
  const traits = operation.input.getMemberSchema(member).getMergedTraits() as {
    httpHeader?: string;
    httpQuery?: string;
  };
  return traits.httpHeader ?? traits.httpQuery ?? member;
}

/** S3's answer to functionality it does not implement, naming what the emulator does not support. */
function notSupported(what: string, wireName: string): S3Error {
  return new S3Error('NotImplemented', `${what} is not supported by the local emulator.`, 501, [
    ['Header', wireName],
  ]);
}

// ----- routing ------------------------------------------------------------------------------------------------

const EMULATED = new Set(Object.keys(OPERATIONS));

function hasBucketLabel(operation: OperationModel): boolean {
  if (operation.input.isUnitSchema()) return false;
  return [...operation.input.structIterator()].some(
    ([name, member]) => name === 'Bucket' && (member.getMergedTraits() as { httpLabel?: unknown }).httpLabel,
  );
}

/** Emulated operations first: among routes that fit a request equally, the first listed wins. */
const ALL = [...MODEL.operations.values()].sort(
  (a, b) => Number(EMULATED.has(b.name)) - Number(EMULATED.has(a.name)),
);
/** Path-style: operations on a bucket are routed on the path after `/bucket`, the others (ListBuckets) on `/`. */
const BUCKET_ROUTES = new HttpRouteTable(
  MODEL,
  ALL.filter(hasBucketLabel).map((o) => o.name),
);
const SERVICE_ROUTES = new HttpRouteTable(
  MODEL,
  ALL.filter((o) => !hasBucketLabel(o)).map((o) => o.name),
);

/** S3's InvalidArgument for bound values that do not parse, with its message for the members that have one. */
const INVALID_VALUE_MESSAGES: Readonly<Record<string, readonly [argument: string, message: string]>> = {
  MaxKeys: ['max-keys', 'Provided max-keys not an integer or within integer range'],
  MaxBuckets: ['max-buckets', 'Argument max-buckets must be an integer between 1 and 10000.'],
  PartNumber: ['partNumber', 'Part number must be an integer between 1 and 10000, inclusive'],
  MaxUploads: ['max-uploads', 'Argument max-uploads must be an integer between 0 and 2147483647'],
  MaxParts: ['max-parts', 'Argument max-parts must be an integer between 0 and 2147483647'],
};

const BINDING_ERRORS: BindingErrors = {
  invalidValue: (member, message, value) => {
    const [argument, text] = INVALID_VALUE_MESSAGES[member] ?? [member, message];
    return invalidArgument(text, argument, value);
  },
};

const INPUT_OPTIONS: RestXmlInputOptions = {
  errors: BINDING_ERRORS,
  invalidXml: () => malformedXml(),
  maxTags: MAX_XML_TAGS,
};

export class S3Protocol implements ServiceProtocol {
  readonly signingName = 's3';
  /** Upload bodies being hashed as they arrive, by their request's headers object. */
  private readonly incoming = new WeakMap<object, IncomingDigests>();

  constructor(private readonly s3: S3Service) {}

  /** S3 takes any path nothing else claims (unsigned requests carry no other clue). */
  ownsPath(): boolean {
    return true;
  }

  /** A body over the server's limit, in S3's words. */
  tooLarge(request: WireRequest, limit: number): WireResponse {
    return this.error(request, this.tooLargeError(request, limit));
  }

  /**
   * PutObject and UploadPart bodies (a PUT to a key with no subresource but a part's) may be as large as AWS
   * takes (5 GiB): the server writes them to the store's directory past SPILL_THRESHOLD_BYTES. aws-chunked framing
   * gets a little room on top; the decoded size is checked against maxObjectBytes again.
   */
  largeBody(request: WireRequest): LargeBody | undefined {
    const path = request.path.startsWith('/') ? request.path.slice(1) : request.path;
    const slash = path.indexOf('/');
    if (request.method !== 'PUT' || slash <= 0 || slash === path.length - 1) return undefined;
    if (header(request, 'x-amz-copy-source') !== undefined) return undefined;
    // a presigned URL's signature parameters (and the SDK's `x-id`) are no subresource
    const keys = [...request.query.keys()].filter((k) => !/^x-amz-/i.test(k) && k !== 'x-id');
    const part = keys.length === 2 && request.query.has('partNumber') && request.query.has('uploadId');
    if (keys.length > 0 && !part) return undefined;
    const max = this.s3.maxObjectBytes;
    const chunked = isAwsChunked(
      header(request, 'x-amz-content-sha256'),
      header(request, 'content-encoding'),
    );
    // hashed as it arrives; `handle` finds the digests by the request's headers (the same object then)
    const incoming = new IncomingDigests(request.headers, SPILL_THRESHOLD_BYTES);
    this.incoming.set(request.headers, incoming);
    return {
      maxBytes: chunked ? max + Math.ceil(max / 100) + 64 * 1024 : max,
      spillDirectory: () => this.s3.bodies.directory,
      memoryBytes: SPILL_THRESHOLD_BYTES,
      observe: (piece) => incoming.push(piece),
    };
  }

  private tooLargeError(request: WireRequest, limit: number): S3Error {
    const size = header(request, 'x-amz-decoded-content-length') ?? header(request, 'content-length') ?? '';
    return new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, [
      ['ProposedSize', size],
      ['MaxSizeAllowed', String(limit)],
    ]);
  }

  async handle(received: WireRequest): Promise<WireResponse> {
    let request = received;
    const incoming = this.incoming.get(received.headers);
    let summary: CallSummary = { service: this.signingName };
    // a spilled body, kept while the call runs (an object or part that keeps it holds it too)
    let held: ObjectBody | undefined;
    try {
      // a presigned URL's x-amz-* query parameters are the headers it was signed with
      request = withPresignedHeaders(received);
      const context: RequestContext = {
        requestId: s3RequestId(request.requestId),
        hostId: hostIdOf(request.requestId),
        sourceIp: '127.0.0.1',
      };
      const match = route(request);
      const { operation } = match;
      // the labels are the bucket and key: what the request log names
      summary = { ...summary, operation: operation.name, input: match.labels };
      const call = Object.hasOwn(OPERATIONS, operation.name) ? OPERATIONS[operation.name] : undefined;
      if (!call) throw notSupported(operation.name, operation.name);
      if (request.spilled && !payloadIsBlob(operation)) throw this.tooLargeError(request, MAX_REQUEST_BYTES);
      const payload = request.spilled
        ? await spilledPayload(request, request.spilled, this.s3.bodies, incoming)
        : request.bodyChunks
          ? chunksPayload(request, request.bodyChunks, payloadIsBlob(operation), incoming)
          : { ...decodePayload(request), object: undefined };
      held = payload.object;
      const input = readRestXmlInput(match, { ...request, body: payload.body }, INPUT_OPTIONS);
      refuseUnsupported(operation, input, this.s3.accountId);
      request.authorize?.({ service: this.signingName, operation: operation.name, input });
      if (!payloadIsBlob(operation)) {
        verifyContentMd5(payload.body, header(request, 'content-md5'));
        verifyChecksum(payload.body, payload.claimed);
      }
      const called = call(input, {
        s3: this.s3,
        context,
        request,
        claimed: payload.claimed,
        payload: payload.object,
      });
      // awaited only when it is a promise: a read's stream opens (and holds its files) in its lookup's turn
      const result = called instanceof Promise ? await called : called;
      const reply = result instanceof Reply ? result : new Reply(result);
      const written = writeRestXmlOutput(operation, reply.output, S3_XMLNS);
      return {
        status: reply.status ?? written.status,
        headers: { ...baseHeaders(context), ...written.headers, ...reply.headers },
        body: reply.body ?? written.body,
        stream: reply.stream && { length: reply.stream.length, content: reply.stream.open() },
        summary,
      };
    } catch (error) {
      return this.error(request, error, summary);
    } finally {
      held?.release();
    }
  }

  private error(request: WireRequest, error: unknown, summary?: CallSummary): WireResponse {
    const aws = error instanceof AwsError ? error : internalError(error);
    const requestId = s3RequestId(request.requestId);
    const hostId = hostIdOf(request.requestId);
    const details = aws instanceof S3Error ? aws.details : [];
    return {
      status: aws.httpStatus,
      headers: {
        ...(aws instanceof S3Error ? aws.headers : {}),
        'content-type': 'application/xml',
        'x-amz-request-id': requestId,
        'x-amz-id-2': hostId,
      },
      body:
        request.method === 'HEAD'
          ? ''
          : encodeRestXmlError(aws.code, aws.message, details, requestId, hostId),
      summary: summary && { ...summary, errorCode: aws.code, unemulated: aws.httpStatus === 501 },
    };
  }
}

/** The operation a request is and its input as the SDK's input object (for the conformance test as for handle). */
export function readS3Request(received: WireRequest): {
  operation: OperationModel;
  input: Record<string, unknown>;
} {
  const request = withPresignedHeaders(received);
  const match = route(request);
  const body = decodePayload(request).body;
  return { operation: match.operation, input: readRestXmlInput(match, { ...request, body }, INPUT_OPTIONS) };
}

function internalError(error: unknown): AwsError {
  console.error('emulator: internal error in S3', error);
  return new AwsError(
    'InternalError',
    'We encountered an internal error. Please try again.',
    500,
    'Receiver',
  );
}

/** The operation and its path labels: `/bucket/key…` path-style, the bucket a label the model's URIs leave out. */
function route(request: WireRequest): RouteMatch {
  const path = request.path.startsWith('/') ? request.path.slice(1) : request.path;
  try {
    decodeURIComponent(path);
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", 400, [['URI', request.path]]);
  }
  const slash = path.indexOf('/');
  const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
  const rest = slash < 0 ? '/' : path.slice(slash);
  const match =
    bucket === ''
      ? SERVICE_ROUTES.match(request.method, '/', request.query, request.headers)
      : BUCKET_ROUTES.match(request.method, rest, request.query, request.headers);
  // a request without the members that tell the operations of its route apart is none of them
  if (!match?.carriesRequired) {
    const resource = bucket === '' ? 'SERVICE' : rest === '/' ? 'BUCKET' : 'OBJECT';
    throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, [
      ['Method', request.method],
      ['ResourceType', resource],
    ]);
  }
  return {
    operation: match.operation,
    labels: bucket === '' ? match.labels : { ...match.labels, Bucket: bucket },
  };
}

function payloadIsBlob(operation: OperationModel): boolean {
  return [...operation.input.structIterator()].some(
    ([, member]) =>
      (member.getMergedTraits() as { httpPayload?: unknown }).httpPayload && member.isBlobSchema(),
  );
}

// ----- payload ------------------------------------------------------------------------------------------------

/** The body's bytes (aws-chunked decoded) and the checksum claimed for it, in a header or a trailer. */
function decodePayload(request: WireRequest): { body: Buffer; claimed: ClaimedChecksum | undefined } {
  const sha256 = header(request, 'x-amz-content-sha256');
  const chunked = isAwsChunked(sha256, header(request, 'content-encoding'));
  const trailers = new Map<string, string>();
  const body = chunked
    ? decodeAwsChunked(request.body, trailers, header(request, 'x-amz-decoded-content-length'))
    : request.body;
  const claimed = claimedOf(request, trailers);
  // the payload hash is checked only when no checksum is (signatures are not checked at all): one pass is enough
  if (!chunked && claimed?.value === undefined) verifyContentSha256(body, sha256);
  return { body, claimed };
}

/** The checksum claimed for a body, in a header or an aws-chunked trailer. */
function claimedOf(request: WireRequest, trailers: ReadonlyMap<string, string>): ClaimedChecksum | undefined {
  for (const name of trailers.keys()) {
    if (name.startsWith('x-amz-checksum-') && !CHECKSUM_ALGORITHMS.some((a) => checksumHeader(a) === name))
      throw notSupported(`The ${name} trailer`, name);
  }
  return claimedChecksum(
    (name) => header(request, name) ?? trailers.get(name),
    header(request, 'x-amz-sdk-checksum-algorithm'),
  );
}

/**
 * A large body held in memory as it arrived: an upload's pieces become the object's bytes as they are (no copy);
 * anything else (aws-chunked framing, a body that is not the payload) is joined and decoded as usual.
 */
function chunksPayload(
  request: WireRequest,
  chunks: readonly Buffer[],
  blob: boolean,
  incoming: IncomingDigests | undefined,
): { body: Buffer; claimed: ClaimedChecksum | undefined; object: ObjectBody | undefined } {
  const sha256 = header(request, 'x-amz-content-sha256');
  const chunked = isAwsChunked(sha256, header(request, 'content-encoding'));
  // aws-chunked, decoded as it arrived: the data pieces are the object's bytes (no join, no second copy)
  const decoded =
    blob && chunked ? incoming?.decoded(header(request, 'x-amz-decoded-content-length')) : undefined;
  const digests = incoming?.digests();
  if (decoded) {
    const object = ObjectBody.ofChunks(decoded.pieces);
    if (digests) object.knowDigests(digests);
    return { body: Buffer.alloc(0), claimed: claimedOf(request, decoded.trailers), object };
  }
  if (!blob || chunked) {
    return { ...decodePayload({ ...request, body: Buffer.concat(chunks) }), object: undefined };
  }
  const object = ObjectBody.ofChunks(chunks);
  if (digests) object.knowDigests(digests);
  const claimed = claimedOf(request, new Map());
  // as decodePayload: the payload hash is checked only when no checksum is
  if (claimed?.value === undefined) verifyContentSha256(object, sha256);
  return { body: Buffer.alloc(0), claimed, object };
}

/** Bytes of the spilled file read at a time while decoding it. */
const DECODE_READ_BYTES = 1024 * 1024;

/**
 * A large body the server spilled to disk, taken into the store: aws-chunked decoded into a new body as the file
 * is read, then its digests (MD5, the claimed checksum, the payload hash) computed in one pass, off the event loop
 * and never holding it whole. The body comes back retained: the caller releases it.
 */
async function spilledPayload(
  request: WireRequest,
  spilled: SpilledBody,
  store: BodyStore,
  incoming: IncomingDigests | undefined,
): Promise<{ body: Buffer; claimed: ClaimedChecksum | undefined; object: ObjectBody }> {
  const sha256 = header(request, 'x-amz-content-sha256');
  const chunked = isAwsChunked(sha256, header(request, 'content-encoding'));
  const trailers = new Map<string, string>();
  let object: ObjectBody;
  if (!chunked) object = store.adopt(spilled.path, spilled.size);
  else {
    const writer = store.writer();
    try {
      const decoded: Buffer[] = [];
      const decoder = new AwsChunkedDecoder((data) => decoded.push(data));
      for await (const piece of createReadStream(spilled.path, { highWaterMark: DECODE_READ_BYTES })) {
        decoder.push(piece as Buffer);
        for (const data of decoded.splice(0)) await writer.write(data);
      }
      for (const [name, value] of decoder.end(header(request, 'x-amz-decoded-content-length')))
        trailers.set(name, value);
      object = await writer.finish();
    } catch (error) {
      writer.abort();
      throw error;
    }
  }
  object.retain();
  try {
    const claimed = claimedOf(request, trailers);
    // hashed as it arrived: the file is not read again for the digests
    const digests = incoming?.digests();
    if (digests) object.knowDigests(digests);
    await object.digestsOf(neededDigests(claimed, chunked ? undefined : sha256));
    if (!chunked && claimed?.value === undefined) verifyContentSha256(object, sha256);
    return { body: Buffer.alloc(0), claimed, object };
  } catch (error) {
    object.release();
    throw error;
  }
}

// ----- objects ------------------------------------------------------------------------------------------------

function objectHeadersOf(i: Input): ObjectHeaders {
  const encoding = String(i.ContentEncoding ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e !== 'aws-chunked')
    .join(', ');
  return {
    contentType: i.ContentType ?? 'binary/octet-stream',
    cacheControl: i.CacheControl,
    contentDisposition: i.ContentDisposition,
    contentEncoding: encoding === '' ? undefined : encoding,
    contentLanguage: i.ContentLanguage,
    expires: i.Expires === undefined ? undefined : (i.Expires as Date).toUTCString(),
  };
}

function checksumOutput(checksum: StoredChecksum | undefined): Record<string, string> {
  return checksum ? { [`Checksum${checksum.algorithm}`]: checksum.value, ChecksumType: checksum.type } : {};
}

/** GetObject and HeadObject: conditions, then the range, the stored headers and their `response-*` overrides. */
function readObject(i: Input, { s3 }: Call, head: boolean): Reply {
  const object = s3.getObject(i.Bucket, i.Key, i.VersionId);
  // AWS: an SSE-C object is read with its key only (checked before conditions, as a wrong key reveals nothing)
  verifyCustomerKey(object.customerKey, customerKeyOf(customerKeyHeadersOf(i)));
  const lastModified = new Date(object.lastModified);
  const condition = evaluateConditions(
    {
      ifMatch: i.IfMatch,
      ifNoneMatch: i.IfNoneMatch,
      ifModifiedSince: i.IfModifiedSince,
      ifUnmodifiedSince: i.IfUnmodifiedSince,
    },
    object,
  );
  if (condition === 'not-modified')
    return new Reply({ ETag: object.etag, LastModified: lastModified }, 304, {}, Buffer.alloc(0));
  const h = object.headers;
  const output: Record<string, unknown> = {
    LastModified: lastModified,
    ETag: object.etag,
    AcceptRanges: 'bytes',
    ...encryptionMembers(object),
    VersionId: s3.versionIdOf(i.Bucket, object),
    ContentType: i.ResponseContentType ?? h.contentType,
    CacheControl: i.ResponseCacheControl ?? h.cacheControl,
    ContentDisposition: i.ResponseContentDisposition ?? h.contentDisposition,
    ContentEncoding: i.ResponseContentEncoding ?? h.contentEncoding,
    ContentLanguage: i.ResponseContentLanguage ?? h.contentLanguage,
    Expires: i.ResponseExpires ?? (h.expires === undefined ? undefined : new Date(h.expires)),
    Metadata: object.metadata,
    TagCount: object.tags === undefined ? undefined : Object.keys(object.tags).length || undefined,
  };
  const range = byteRangeOf(i.Range, object.body.length);
  let body = object.body;
  let status: number | undefined;
  if (range) {
    output.ContentRange = `bytes ${range.start}-${range.end}/${object.body.length}`;
    body = object.body.slice(range.start, range.end + 1);
    status = 206;
  } else {
    if (i.ChecksumMode?.toUpperCase() === 'ENABLED') Object.assign(output, checksumOutput(object.checksum));
    output.PartsCount = object.partCount;
  }
  output.ContentLength = body.length;
  const buffer = body.buffer;
  // bytes on disk or in several parts are streamed as they are sent, never gathered into one Buffer
  if (!buffer) return new Reply(output, status, {}, Buffer.alloc(0), body);
  if (!head) output.Body = buffer;
  // HEAD: Node sends the headers (with the object's length) and drops the body
  return new Reply(output, status, {}, buffer);
}

function listObjects(i: Input, { s3, request }: Call, v2: boolean): Record<string, unknown> {
  if (!v2 && request.query.has('list-type'))
    throw invalidArgument('Invalid List Type specified', 'list-type', request.query.get('list-type') ?? '');
  const maxKeys: number | undefined = i.MaxKeys;
  // AWS: max-keys is a 32-bit integer; above 1,000 it lists 1,000
  if (maxKeys !== undefined && !(Number.isInteger(maxKeys) && maxKeys >= 0 && maxKeys <= INT32_MAX)) {
    throw invalidArgument(
      'Provided max-keys not an integer or within integer range',
      'max-keys',
      String(maxKeys),
    );
  }
  if (i.EncodingType !== undefined && i.EncodingType !== 'url') {
    throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', i.EncodingType);
  }
  // AWS encodes listed keys as it does in ListMultipartUploads (a space as `+`, `+` as %2B)
  const encode = i.EncodingType === 'url' ? encodeUploadKey : (s: string) => s;
  const prefix: string = i.Prefix ?? '';
  const delimiter: string = i.Delimiter ?? '';
  const result = s3.listObjectsV2({
    bucket: i.Bucket,
    prefix,
    delimiter,
    maxKeys,
    continuationToken: v2 ? i.ContinuationToken : undefined,
    startAfter: v2 ? i.StartAfter : i.Marker,
  });
  const owner = !v2 || i.FetchOwner ? ownerOf(s3) : undefined;
  const common = {
    Name: i.Bucket,
    Prefix: encode(prefix),
    MaxKeys: result.maxKeys,
    Delimiter: delimiter ? encode(delimiter) : undefined,
    EncodingType: i.EncodingType,
    IsTruncated: result.isTruncated,
    Contents: result.contents.map((o) => ({
      Key: encode(o.key),
      LastModified: new Date(o.lastModified),
      ETag: o.etag,
      ChecksumAlgorithm: o.checksum ? [o.checksum.algorithm] : undefined,
      ChecksumType: o.checksum?.type,
      Size: o.body.length,
      Owner: owner,
      StorageClass: 'STANDARD',
    })),
    CommonPrefixes: result.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  };
  if (v2) {
    return {
      ...common,
      ContinuationToken: i.ContinuationToken,
      NextContinuationToken: result.nextContinuationToken,
      StartAfter: i.StartAfter === undefined ? undefined : encode(i.StartAfter),
      KeyCount: result.contents.length + result.commonPrefixes.length,
    };
  }
  const last = [...result.contents.map((o) => o.key), ...result.commonPrefixes].sort().pop();
  return {
    ...common,
    Marker: encode(i.Marker ?? ''),
    NextMarker: result.isTruncated && delimiter && last !== undefined ? encode(last) : undefined,
  };
}

function filterOf(c: DestinationConfiguration): Record<string, unknown> | undefined {
  if (!c.filter) return undefined;
  const rules = (['prefix', 'suffix'] as const)
    .filter((k) => c.filter?.[k] !== undefined)
    .map((k) => ({ Name: k === 'prefix' ? 'Prefix' : 'Suffix', Value: c.filter?.[k] }));
  return { Key: { FilterRules: rules } };
}

/** The ACL a request sets (`x-amz-acl`, `x-amz-grant-*`, an AccessControlPolicy body), if any. */
function aclOf(i: Input, s3: S3Service, target: 'bucket' | 'object', policy?: Input) {
  return requestedAcl({ canned: i.ACL, grants: grantHeadersOf(i), policy }, s3.ownerId, target);
}

/** `x-amz-object-ownership` or an OwnershipControls rule: one of AWS's three values. */
function objectOwnershipOf(value: string | undefined): ObjectOwnership | undefined {
  if (value === undefined) return undefined;
  if (!(OBJECT_OWNERSHIPS as readonly string[]).includes(value)) {
    throw invalidArgument('Invalid x-amz-object-ownership header', 'x-amz-object-ownership', value);
  }
  return value as ObjectOwnership;
}

function ownerOf(s3: S3Service): { ID: string; DisplayName: string } {
  return { ID: createHash('sha256').update(s3.accountId).digest('hex'), DisplayName: 'emulator' };
}

// ----- ids and encodings --------------------------------------------------------------------------------------

function baseHeaders(context: RequestContext): Record<string, string> {
  return { 'x-amz-request-id': context.requestId, 'x-amz-id-2': context.hostId };
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
