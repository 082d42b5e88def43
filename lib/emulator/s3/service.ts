/**
 * Amazon S3: one method per AWS operation. Validates input, throws S3Error (an AwsError with S3's extra XML
 * elements), keeps object bytes in memory up to a cap, and raises event notifications.
 *
 * Where bytes live (object-body.ts): a body up to 1 MiB stays in memory, a larger one (PutObject and UploadPart
 * take up to `maxObjectBytes`, 5 GiB as AWS) is streamed by the HTTP server into a file of the emulator's temp
 * directory, removed when the emulator stops. Objects share bytes, never copy them: a completed multipart upload
 * is its parts, a copy its source, a copied part a slice. In-memory bytes count against `maxStoredBytes` (objects
 * plus pending parts; default 1 GiB; an upload past it fails with EntityTooLarge naming the cap); bytes on disk
 * have no cap of their own, the temp file system's free space is theirs. Every body kept is `hold`-ed and every
 * body let go `drop`-ped: that counts memory and keeps a file while anything uses it.
 */
import { randomBytes } from 'node:crypto';
import type { ActivityLog } from '../activity';
import type { Clock } from '../clock';
import type { DeliveryTracker, FunctionRegistry } from '../event-delivery';
import type { SnsService } from '../sns/service';
import type { SqsService } from '../sqs/service';
import { type ChecksumAlgorithm, digest, multipartEtag } from './checksum';
import { evaluateConditions, preconditionFailed, type ReadConditions } from './conditions';
import { BodyStore, ObjectBody } from './object-body';
import { type ClaimedChecksum, etagOfBody, verifyChecksum, verifyContentMd5 } from './payload-integrity';
import {
  type ListMultipartUploadsInput,
  listMultipartUploads,
  type ListPartsInput,
  listParts,
  type MultipartUploadsPage,
  type PartsPage,
} from './multipart-listing';
import type { TagSet } from './tagging';
import {
  type AccessControlPolicy,
  aclNotSupported,
  canonicalIdOf,
  grantsOwnerOnly,
  invalidBucketAclWithObjectOwnership,
  type ObjectOwnership,
  privateAcl,
} from './acl';
import { type CustomerKey, verifyCustomerKey, verifyPartCustomerKey } from './customer-key';
import {
  type BucketEncryption,
  DEFAULT_BUCKET_ENCRYPTION,
  type ObjectEncryption,
  objectEncryptionOf,
  type RequestedEncryption,
} from './encryption';
import {
  type DeleteMarker,
  deleteCurrent,
  deleteVersion,
  findVersion,
  isDeleteMarker,
  type ListObjectVersionsInput,
  listObjectVersions,
  nextVersionId,
  noSuchVersion,
  type ObjectVersionsPage,
  replacedByWrite,
  replaceVersion,
  storeVersion,
  NULL_VERSION,
  type VersioningStatus,
  versionIdFor,
} from './versioning';
import {
  invalidArgument,
  invalidMaxBuckets,
  malformedXml,
  noSuchBucket,
  noSuchKey,
  noSuchUpload,
  S3Error,
} from './errors';
import {
  Bucket,
  MultipartUpload,
  type ObjectHeaders,
  type StoredChecksum,
  type StoredObject,
  type UploadedPart,
} from './model';
import {
  type NotificationConfiguration,
  type NotificationTargets,
  type ObjectEvent,
  type RequestedNotificationConfiguration,
  S3Notifier,
  validateNotificationConfiguration,
} from './notifications';

export const DEFAULT_MAX_STORED_BYTES = 1024 * 1024 * 1024;
/** AWS: a PutObject or UploadPart body is at most 5 GiB. */
export const DEFAULT_MAX_OBJECT_BYTES = 5 * 1024 * 1024 * 1024;
/** AWS: every part but the last must be at least 5 MiB. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** AWS: part numbers 1 to 10,000; keys of 1,024 UTF-8 bytes; user metadata of 2 KB (names and values). */
const MAX_PART_NUMBER = 10_000;
const MAX_KEY_BYTES = 1024;
const MAX_METADATA_BYTES = 2048;
/** AWS: a DeleteObjects takes at most 1,000 keys, and a listing page holds at most 1,000. */
const MAX_DELETE_KEYS = 1000;
const MAX_LIST_KEYS = 1000;
/** AWS: ListBuckets's max-buckets is 1 to 10,000 (and 10,000 buckets a page when it is not given). */
const MAX_LIST_BUCKETS = 10_000;
/** AWS: bucket policies are limited to 20 KB, counted without the whitespace between JSON tokens. */
const MAX_POLICY_BYTES = 20 * 1024;

export interface S3ServiceOptions {
  clock: Clock;
  region: string;
  accountId: string;
  sqs: SqsService;
  sns: SnsService;
  functions: FunctionRegistry;
  deliveries: DeliveryTracker;
  /** Cap on the bytes held in memory. @default 1 GiB */
  maxStoredBytes?: number;
  /** Largest PutObject or UploadPart body. @default 5 GiB */
  maxObjectBytes?: number;
  /** Told about created and removed objects (the live log of `npm start`). */
  activity?: ActivityLog;
  /** `--iam`: whether s3.amazonaws.com may deliver notifications to a destination. @default allowed */
  integrations?: NotificationTargets['integrations'];
}

/** Who made the request, for event records. */
export interface RequestContext {
  readonly requestId: string;
  readonly hostId: string;
  readonly sourceIp: string;
}

export interface PutObjectInput {
  bucket: string;
  key: string;
  /** The bytes: a Buffer, or a body whose digests the protocol computed as it read it. */
  body: Buffer | ObjectBody;
  headers: ObjectHeaders;
  metadata: Record<string, string>;
  checksum?: ClaimedChecksum;
  /** Base64 Content-MD5 header, if sent. */
  contentMd5?: string;
  /** Conditional write: If-None-Match `*` (only if absent) or If-Match an ETag (only if it is that object). */
  conditions?: { ifMatch?: string; ifNoneMatch?: string };
  tags?: TagSet;
  /** The ACL requested (canned, grant headers); absent: private. */
  acl?: AccessControlPolicy;
  /** SSE-C: the validated customer key (customer-key.ts). */
  customerKey?: CustomerKey;
  /** SSE-S3/SSE-KMS members of the request (the bucket's default applies to what is absent). */
  encryption?: RequestedEncryption;
}

export interface ListObjectsInput {
  bucket: string;
  prefix?: string;
  delimiter?: string;
  maxKeys?: number;
  continuationToken?: string;
  startAfter?: string;
}

export interface ListObjectsResult {
  contents: StoredObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken?: string;
  maxKeys: number;
}

export interface CopyObjectInput {
  bucket: string;
  key: string;
  source: string;
  metadataDirective?: string;
  headers?: ObjectHeaders;
  metadata: Record<string, string>;
  /** x-amz-copy-source-if-*: the copy happens only if the source meets them. */
  sourceConditions?: ReadConditions;
  /** COPY (the source's tags, the default) or REPLACE (`tags`). */
  taggingDirective?: string;
  tags?: TagSet;
  acl?: AccessControlPolicy;
  /** SSE-C key of the copy (the target) and the key presented for an SSE-C source. */
  customerKey?: CustomerKey;
  sourceCustomerKey?: CustomerKey;
  /** SSE-S3/SSE-KMS of the copy (AWS: not the source's; the target bucket's default applies to what is absent). */
  encryption?: RequestedEncryption;
}

/** What a delete did: the version removed or the delete marker made (in a bucket with versioning). */
export interface DeleteResult {
  readonly versionId?: string;
  readonly deleteMarker?: boolean;
}

/** Told about every durable change (`--state-dir`): a bucket's settings, and the versions of one key. */
export interface S3Changes {
  /** Created, deleted, or a setting changed (policy, tags, notification, versioning, ACL, ownership, encryption). */
  bucketChanged(bucket: string): void;
  /** A version of `key` was written, deleted or updated (tags, ACL), or a delete marker made. */
  keyChanged(bucket: string, key: string): void;
  /** A multipart upload was created or ended (completed or aborted), or, with `partNumber`, got that part. */
  uploadChanged(bucket: string, uploadId: string, partNumber?: number): void;
}

export class S3Service {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  readonly maxStoredBytes: number;
  readonly maxObjectBytes: number;
  /** The files of large bodies (one temp directory). */
  readonly bodies = new BodyStore();
  private readonly buckets = new Map<string, Bucket>();
  private readonly notifier: S3Notifier;
  private readonly targets: S3ServiceOptions;
  private storedBytes = 0;
  private sequence = 0;
  /** Durable-state listener (persistence); undefined without `--state-dir`, so the hooks cost one check. */
  private changes: S3Changes | undefined;

  constructor(options: S3ServiceOptions) {
    this.clock = options.clock;
    this.region = options.region;
    this.accountId = options.accountId;
    this.maxStoredBytes = options.maxStoredBytes ?? DEFAULT_MAX_STORED_BYTES;
    this.maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
    this.targets = options;
    this.notifier = new S3Notifier(options, options.region, options.accountId);
  }

  // ===== buckets =============================================================================================

  createBucket(name: string, locationConstraint?: string): void {
    validateBucketName(name);
    const region = locationConstraint || 'us-east-1';
    if (locationConstraint !== undefined && locationConstraint !== '' && locationConstraint !== this.region) {
      throw new S3Error(
        'IllegalLocationConstraintException',
        `The ${locationConstraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      );
    }
    if (locationConstraint === 'us-east-1') {
      throw invalidArgument('Invalid LocationConstraint', 'LocationConstraint', 'us-east-1');
    }
    if (this.buckets.has(name)) {
      // AWS: in us-east-1, creating a bucket you already own succeeds again
      if (this.region === 'us-east-1') return;
      throw new S3Error(
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        409,
        [['BucketName', name]],
      );
    }
    this.buckets.set(name, new Bucket(name, region === 'us-east-1' ? this.region : region, this.clock.now()));
    this.changes?.bucketChanged(name);
  }

  deleteBucket(name: string): void {
    const bucket = this.bucketOf(name);
    // AWS: noncurrent versions and delete markers keep a bucket from being deleted too
    if (bucket.objects.size > 0 || bucket.uploads.size > 0 || bucket.history.size > 0) {
      throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, [
        ['BucketName', name],
      ]);
    }
    this.buckets.delete(name);
    this.changes?.bucketChanged(name);
  }

  headBucket(name: string): Bucket {
    return this.bucketOf(name);
  }

  listBuckets(): Bucket[] {
    return [...this.buckets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** ListBuckets a page at a time: `maxBuckets` validated, the token is where the previous page ended. */
  listBucketsPage(input: {
    prefix?: string;
    maxBuckets?: number;
    continuationToken?: string;
    bucketRegion?: string;
  }): {
    buckets: Bucket[];
    continuationToken?: string;
  } {
    const max = input.maxBuckets ?? MAX_LIST_BUCKETS;
    if (!Number.isInteger(max) || max < 1 || max > MAX_LIST_BUCKETS) throw invalidMaxBuckets(String(max));
    const after = input.continuationToken === undefined ? undefined : decodeToken(input.continuationToken);
    const prefix = input.prefix ?? '';
    const matching = this.listBuckets().filter(
      (b) =>
        b.name.startsWith(prefix) &&
        (after === undefined || b.name > after) &&
        (input.bucketRegion === undefined || b.region === input.bucketRegion),
    );
    const buckets = matching.slice(0, max);
    return matching.length > max
      ? { buckets, continuationToken: encodeToken(buckets[buckets.length - 1].name) }
      : { buckets };
  }

  putBucketPolicy(name: string, policy: string): void {
    const bucket = this.bucketOf(name);
    if (compactJsonBytes(policy) > MAX_POLICY_BYTES) {
      throw new S3Error('MalformedPolicy', 'Policy exceeds the maximum allowed document size.');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(policy);
    } catch {
      parsed = undefined;
    }
    if (!policy.trimStart().startsWith('{') || parsed === null || typeof parsed !== 'object') {
      throw new S3Error('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'");
    }
    if (!Array.isArray((parsed as { Statement?: unknown }).Statement)) {
      throw new S3Error('MalformedPolicy', 'Missing required field Statement');
    }
    bucket.policy = policy;
    this.changes?.bucketChanged(name);
  }

  getBucketPolicy(name: string): string {
    const bucket = this.bucketOf(name);
    if (bucket.policy === undefined) {
      throw new S3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, [
        ['BucketName', name],
      ]);
    }
    return bucket.policy;
  }

  deleteBucketPolicy(name: string): void {
    this.bucketOf(name).policy = undefined;
    this.changes?.bucketChanged(name);
  }

  putBucketTagging(name: string, tags: TagSet): void {
    this.bucketOf(name).tags = tags;
    this.changes?.bucketChanged(name);
  }

  getBucketTagging(name: string): TagSet {
    const tags = this.bucketOf(name).tags;
    if (tags === undefined) {
      throw new S3Error('NoSuchTagSet', 'The TagSet does not exist', 404, [['BucketName', name]]);
    }
    return tags;
  }

  deleteBucketTagging(name: string): void {
    this.bucketOf(name).tags = undefined;
    this.changes?.bucketChanged(name);
  }

  putBucketNotificationConfiguration(
    name: string,
    requested: RequestedNotificationConfiguration,
    context: RequestContext,
  ): void {
    const bucket = this.bucketOf(name);
    const configuration = validateNotificationConfiguration(requested, this.targets, name);
    bucket.notification = configuration;
    this.changes?.bucketChanged(name);
    this.notifier.sendTestEvents(configuration, name, this.clock.now(), context.requestId, context.hostId);
  }

  getBucketNotificationConfiguration(name: string): NotificationConfiguration {
    return this.bucketOf(name).notification;
  }

  // ===== objects =============================================================================================

  putObject(input: PutObjectInput, context: RequestContext): StoredObject {
    const bucket = this.bucketOf(input.bucket);
    validateKey(input.key);
    validateMetadata(input.metadata);
    const previous = bucket.objects.get(input.key);
    checkWriteConditions(input.conditions, previous, input.key);
    checkObjectAcl(bucket, input.acl);
    const encryption = this.encryptionOf(bucket, input);
    const body = bodyOf(input.body);
    // with versioning the previous version is kept: only the null version a Suspended write replaces is let go
    const { checksum, etag } = this.accept({ ...input, body }, replacedByWrite(bucket, input.key)?.body);
    const object: StoredObject = {
      key: input.key,
      body,
      etag,
      lastModified: this.clock.now(),
      headers: input.headers,
      metadata: input.metadata,
      checksum,
      partCount: undefined,
      tags: input.tags,
      versionId: nextVersionId(bucket),
      acl: input.acl,
      customerKey: input.customerKey,
      encryption,
    };
    storeVersion(bucket, object);
    this.changes?.keyChanged(bucket.name, object.key);
    this.raise(bucket, 'ObjectCreated:Put', object, context);
    return object;
  }

  /**
   * The current version of a key, or the version asked for. AWS: a key whose current version is a delete
   * marker is NoSuchKey, with the marker's headers; a delete marker asked for by id is MethodNotAllowed.
   */
  getObject(bucketName: string, key: string, versionId?: string): StoredObject {
    const bucket = this.bucketOf(bucketName);
    if (versionId !== undefined) {
      const version = findVersion(bucket, key, versionId);
      if (!version) throw noSuchVersion(key, versionId);
      if (isDeleteMarker(version)) {
        throw new S3Error(
          'MethodNotAllowed',
          'The specified method is not allowed against this resource.',
          405,
          [
            ['Method', 'GET'],
            ['ResourceType', 'DeleteMarker'],
          ],
          markerHeaders(version),
        );
      }
      return version;
    }
    const object = bucket.objects.get(key);
    if (!object) {
      const marker = bucket.history.markers.get(key);
      if (marker) {
        throw new S3Error(
          'NoSuchKey',
          'The specified key does not exist.',
          404,
          [['Key', key]],
          markerHeaders(marker),
        );
      }
      throw noSuchKey(key);
    }
    return object;
  }

  /** The version id S3 returns with an object (`x-amz-version-id`): only once the bucket has versioning. */
  versionIdOf(bucketName: string, object: StoredObject): string | undefined {
    return versionIdFor(this.bucketOf(bucketName), object);
  }

  /** Replaces an object's tags (none: removes them); the object is otherwise unchanged. */
  putObjectTagging(
    bucketName: string,
    key: string,
    tags: TagSet | undefined,
    versionId?: string,
  ): StoredObject {
    const object = this.getObject(bucketName, key, versionId);
    const updated = { ...object, tags };
    replaceVersion(this.bucketOf(bucketName), object, updated);
    this.changes?.keyChanged(bucketName, key);
    return updated;
  }

  /**
   * AWS: deleting a key that does not exist succeeds (and still notifies). With versioning, a delete without a
   * version id adds a delete marker; with one, it removes that version for good.
   */
  deleteObject(bucketName: string, key: string, context: RequestContext, versionId?: string): DeleteResult {
    const bucket = this.bucketOf(bucketName);
    validateKey(key);
    return this.deleteOne(bucket, key, versionId, context);
  }

  deleteObjects(
    bucketName: string,
    objects: readonly { key: string; versionId?: string }[],
    context: RequestContext,
  ): {
    deleted: ({ key: string; requestedVersionId?: string } & DeleteResult)[];
    errors: { key: string; versionId?: string; code: string; message: string }[];
  } {
    const bucket = this.bucketOf(bucketName);
    if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) throw malformedXml();
    const deleted: ({ key: string; requestedVersionId?: string } & DeleteResult)[] = [];
    const errors: { key: string; versionId?: string; code: string; message: string }[] = [];
    for (const { key, versionId } of objects) {
      if (Buffer.byteLength(key) > MAX_KEY_BYTES || key === '') {
        errors.push({ key, versionId, code: 'InvalidArgument', message: 'Invalid key' });
        continue;
      }
      try {
        deleted.push({
          key,
          requestedVersionId: versionId,
          ...this.deleteOne(bucket, key, versionId, context),
        });
      } catch (error) {
        if (!(error instanceof S3Error)) throw error;
        errors.push({ key, versionId, code: error.code, message: error.message });
      }
    }
    return { deleted, errors };
  }

  /** One delete: a version by id, the object of an unversioned bucket, or a new delete marker. */
  private deleteOne(
    bucket: Bucket,
    key: string,
    versionId: string | undefined,
    context: RequestContext,
  ): DeleteResult {
    if (versionId !== undefined) {
      const removed = deleteVersion(bucket, key, versionId);
      if (removed && !isDeleteMarker(removed)) this.drop(removed.body);
      if (removed) this.changes?.keyChanged(bucket.name, key);
      this.raise(bucket, 'ObjectRemoved:Delete', { key, versionId }, context);
      return removed && isDeleteMarker(removed) ? { versionId, deleteMarker: true } : { versionId };
    }
    const { freed, marker } = deleteCurrent(bucket, key, this.clock.now());
    if (freed) this.drop(freed.body);
    if (freed || marker) this.changes?.keyChanged(bucket.name, key);
    if (!marker) {
      this.raise(bucket, 'ObjectRemoved:Delete', { key }, context);
      return {};
    }
    this.raise(bucket, 'ObjectRemoved:DeleteMarkerCreated', { key, versionId: marker.versionId }, context);
    return { versionId: marker.versionId, deleteMarker: true };
  }

  copyObject(
    input: CopyObjectInput,
    context: RequestContext,
  ): StoredObject & { readonly sourceVersionId?: string } {
    const {
      bucket: sourceBucket,
      key: sourceKey,
      versionId: sourceVersionId,
    } = parseCopySource(input.source);
    const target = this.bucketOf(input.bucket);
    validateKey(input.key);
    const source = this.copySourceOf(sourceBucket, sourceKey, sourceVersionId, input.sourceCustomerKey);
    // AWS: a copy whose source conditions do not hold is PreconditionFailed, the 304 cases included
    if (input.sourceConditions && evaluateConditions(input.sourceConditions, source) === 'not-modified') {
      throw new S3Error(
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
        412,
        [['Condition', 'x-amz-copy-source-If-None-Match']],
      );
    }
    const directive = input.metadataDirective ?? 'COPY';
    if (directive !== 'COPY' && directive !== 'REPLACE') {
      throw invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);
    }
    // AWS: copying a key onto itself changes something: its encryption, or the version it restores
    const changed =
      input.customerKey !== undefined || source.customerKey !== undefined || sourceVersionId !== undefined;
    if (sourceBucket === input.bucket && sourceKey === input.key && directive === 'COPY' && !changed) {
      throw new S3Error(
        'InvalidRequest',
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    const replace = directive === 'REPLACE';
    const tagging = input.taggingDirective ?? 'COPY';
    if (tagging !== 'COPY' && tagging !== 'REPLACE') {
      throw invalidArgument('Unknown tagging directive.', 'x-amz-tagging-directive', tagging);
    }
    if (replace) validateMetadata(input.metadata);
    checkObjectAcl(target, input.acl);
    // the copy shares the source's bytes (its digests too, computed once: the protocol does it ahead, async)
    this.hold(source.body, replacedByWrite(target, input.key)?.body);
    const object: StoredObject = {
      key: input.key,
      body: source.body,
      // AWS: a copy is a new single-part object, so a multipart source's ETag is recomputed
      etag: source.partCount === undefined ? source.etag : etagOfBody(source.body),
      lastModified: this.clock.now(),
      headers: replace && input.headers ? input.headers : source.headers,
      metadata: replace ? input.metadata : source.metadata,
      checksum:
        source.checksum?.type === 'FULL_OBJECT'
          ? source.checksum
          : {
              algorithm: 'CRC32',
              value: source.body.digestOf('CRC32').toString('base64'),
              type: 'FULL_OBJECT',
            },
      partCount: undefined,
      tags: tagging === 'REPLACE' ? input.tags : source.tags,
      versionId: nextVersionId(target),
      acl: input.acl,
      customerKey: input.customerKey,
      encryption: this.encryptionOf(target, input),
    };
    storeVersion(target, object);
    this.changes?.keyChanged(target.name, object.key);
    this.raise(target, 'ObjectCreated:Copy', object, context);
    return { ...object, sourceVersionId: versionIdFor(this.bucketOf(sourceBucket), source) };
  }

  /**
   * The source of a copy (CopyObject, UploadPartCopy): the current version or the one named, readable with the
   * SSE-C key presented. AWS: a delete marker named by version id cannot be a copy's source.
   */
  copySourceOf(
    bucketName: string,
    key: string,
    versionId: string | undefined,
    customerKey: CustomerKey | undefined,
  ): StoredObject {
    const bucket = this.bucketOf(bucketName);
    if (versionId !== undefined) {
      const version = findVersion(bucket, key, versionId);
      if (version && isDeleteMarker(version)) {
        throw new S3Error(
          'InvalidRequest',
          'The source of a copy request may not specifically refer to a delete marker by version id.',
        );
      }
    }
    const source = this.getObject(bucketName, key, versionId);
    verifyCustomerKey(source.customerKey, customerKey);
    return source;
  }

  listObjectsV2(input: ListObjectsInput): ListObjectsResult {
    const bucket = this.bucketOf(input.bucket);
    const maxKeys = Math.min(input.maxKeys ?? MAX_LIST_KEYS, MAX_LIST_KEYS);
    if (input.maxKeys !== undefined && (!Number.isInteger(input.maxKeys) || input.maxKeys < 0)) {
      throw invalidArgument(
        'Argument maxKeys must be an integer between 0 and 2147483647',
        'max-keys',
        String(input.maxKeys),
      );
    }
    const prefix = input.prefix ?? '';
    const delimiter = input.delimiter || undefined;
    let marker: string | undefined;
    if (input.continuationToken !== undefined) {
      marker = decodeToken(input.continuationToken);
    } else if (input.startAfter) {
      marker = input.startAfter;
    }
    const keys = bucket.keys;
    // start at the first key after the marker (a common-prefix marker skips its whole group) within the prefix
    let index = keys.lowerBound(prefix);
    if (marker !== undefined && marker >= prefix) {
      index = Math.max(
        index,
        keys.lowerBound(delimiter && marker.endsWith(delimiter) ? successor(marker) : `${marker}\0`),
      );
    }
    const contents: StoredObject[] = [];
    const commonPrefixes: string[] = [];
    let last: string | undefined;
    let isTruncated = false;
    for (;;) {
      const key = keys.at(index);
      if (key === undefined || !key.startsWith(prefix)) break;
      if (contents.length + commonPrefixes.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const common = key.slice(0, cut + (delimiter as string).length);
        commonPrefixes.push(common);
        last = common;
        index = keys.lowerBound(successor(common));
      } else {
        contents.push(bucket.objects.get(key) as StoredObject);
        last = key;
        index++;
      }
    }
    return {
      contents,
      commonPrefixes,
      isTruncated,
      nextContinuationToken: isTruncated && last !== undefined ? encodeToken(last) : undefined,
      maxKeys,
    };
  }

  // ===== multipart uploads ===================================================================================

  createMultipartUpload(input: {
    bucket: string;
    key: string;
    headers: ObjectHeaders;
    metadata: Record<string, string>;
    checksumAlgorithm?: ChecksumAlgorithm;
    tags?: TagSet;
    acl?: AccessControlPolicy;
    customerKey?: CustomerKey;
    encryption?: RequestedEncryption;
  }): MultipartUpload {
    const bucket = this.bucketOf(input.bucket);
    validateKey(input.key);
    validateMetadata(input.metadata);
    checkObjectAcl(bucket, input.acl);
    const encryption = this.encryptionOf(bucket, input);
    const uploadId = randomBytes(48).toString('base64url');
    const upload = new MultipartUpload(
      uploadId,
      input.key,
      input.headers,
      input.metadata,
      input.checksumAlgorithm,
      this.clock.now(),
      input.tags,
    );
    upload.acl = input.acl;
    upload.customerKey = input.customerKey;
    upload.encryption = encryption;
    bucket.uploads.set(uploadId, upload);
    this.changes?.uploadChanged(bucket.name, uploadId);
    return upload;
  }

  uploadPart(input: {
    bucket: string;
    key: string;
    uploadId: string;
    partNumber: number;
    body: Buffer | ObjectBody;
    checksum?: ClaimedChecksum;
    contentMd5?: string;
    customerKey?: CustomerKey;
  }): UploadedPart {
    const upload = this.uploadOf(input.bucket, input.key, input.uploadId);
    verifyPartCustomerKey(upload.customerKey, input.customerKey);
    if (!Number.isInteger(input.partNumber) || input.partNumber < 1 || input.partNumber > MAX_PART_NUMBER) {
      throw invalidArgument(
        'Part number must be an integer between 1 and 10000, inclusive',
        'partNumber',
        String(input.partNumber),
      );
    }
    const body = bodyOf(input.body);
    const { checksum, etag } = this.accept({ ...input, body }, upload.parts.get(input.partNumber)?.body);
    const part: UploadedPart = {
      partNumber: input.partNumber,
      body,
      etag,
      checksum,
      lastModified: this.clock.now(),
    };
    upload.parts.set(input.partNumber, part);
    this.changes?.uploadChanged(input.bucket, upload.uploadId, input.partNumber);
    return part;
  }

  /**
   * UploadPartCopy's bytes: the source (`x-amz-copy-source`, its conditions and SSE-C key) or the range of it
   * named, validated as AWS does before anything changes. The slice shares the source's bytes; the caller then
   * stores it with `uploadPart` (after hashing it off the event loop).
   */
  uploadPartCopySource(input: {
    bucket: string;
    key: string;
    uploadId: string;
    partNumber: number;
    source: string;
    range?: string;
    sourceConditions?: ReadConditions;
    sourceCustomerKey?: CustomerKey;
  }): { body: ObjectBody; checksumAlgorithm: ChecksumAlgorithm | undefined; sourceVersionId?: string } {
    const upload = this.uploadOf(input.bucket, input.key, input.uploadId);
    if (!Number.isInteger(input.partNumber) || input.partNumber < 1 || input.partNumber > MAX_PART_NUMBER) {
      throw invalidArgument(
        'Part number must be an integer between 1 and 10000, inclusive',
        'partNumber',
        String(input.partNumber),
      );
    }
    const { bucket, key, versionId } = parseCopySource(input.source);
    const source = this.copySourceOf(bucket, key, versionId, input.sourceCustomerKey);
    // AWS: a copy whose source conditions do not hold is PreconditionFailed, the 304 cases included
    if (input.sourceConditions && evaluateConditions(input.sourceConditions, source) !== 'ok') {
      throw preconditionFailed('x-amz-copy-source-If-Match');
    }
    const size = source.body.length;
    let start = 0;
    let end = size;
    if (input.range !== undefined) {
      const match = /^bytes=(\d{1,20})-(\d{1,20})$/.exec(input.range);
      if (!match || Number(match[1]) > Number(match[2])) {
        throw invalidArgument(
          'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
          'x-amz-copy-source-range',
          input.range,
        );
      }
      if (Number(match[2]) >= size) {
        throw invalidArgument(
          `Range specified is not valid for source object of size: ${size}`,
          'x-amz-copy-source-range',
          input.range,
        );
      }
      start = Number(match[1]);
      end = Number(match[2]) + 1;
    }
    // AWS: a part is at most 5 GiB, a copied one included
    if (end - start > DEFAULT_MAX_OBJECT_BYTES) {
      throw new S3Error(
        'InvalidRequest',
        `The specified copy source is larger than the maximum allowable size for a copy source: ${DEFAULT_MAX_OBJECT_BYTES}`,
      );
    }
    const body = input.range === undefined ? source.body : source.body.slice(start, end);
    const sourceVersionId = versionIdFor(this.bucketOf(bucket), source);
    return { body, checksumAlgorithm: upload.checksumAlgorithm, sourceVersionId };
  }

  /** Computes ahead, off the event loop, the digests a copy of `source` needs when its bytes are on disk. */
  async digestCopySource(source: string, customerKey: CustomerKey | undefined): Promise<void> {
    let body: ObjectBody;
    try {
      const { bucket, key, versionId } = parseCopySource(source);
      body = this.copySourceOf(bucket, key, versionId, customerKey).body;
    } catch {
      return; // the copy itself reports it
    }
    if (!body.onDisk) return;
    body.retain();
    try {
      await body.digestsOf(['MD5', 'CRC32']);
    } finally {
      body.release();
    }
  }

  completeMultipartUpload(
    input: {
      bucket: string;
      key: string;
      uploadId: string;
      parts: {
        partNumber: number;
        etag: string;
        checksum?: { algorithm: ChecksumAlgorithm; value: string };
      }[];
      /** SSE-C headers are optional here; when sent they must be the upload's key. */
      customerKey?: CustomerKey;
    },
    context: RequestContext,
  ): StoredObject {
    const bucket = this.bucketOf(input.bucket);
    const upload = this.uploadOf(input.bucket, input.key, input.uploadId);
    if (input.customerKey) verifyPartCustomerKey(upload.customerKey, input.customerKey);
    if (input.parts.length === 0) {
      throw new S3Error(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    }
    const chosen: UploadedPart[] = [];
    let previousNumber = 0;
    for (const requested of input.parts) {
      if (requested.partNumber <= previousNumber) {
        throw new S3Error(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. Parts must be ordered by part number.',
          400,
          [['UploadId', upload.uploadId]],
        );
      }
      previousNumber = requested.partNumber;
      const part = upload.parts.get(requested.partNumber);
      const checksumDiffers =
        requested.checksum !== undefined &&
        (part?.checksum?.algorithm !== requested.checksum.algorithm ||
          part.checksum.value !== requested.checksum.value);
      if (!part || normalizeEtag(requested.etag) !== part.etag || checksumDiffers) {
        throw new S3Error(
          'InvalidPart',
          "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          400,
          [
            ['UploadId', upload.uploadId],
            ['PartNumber', String(requested.partNumber)],
            ['ETag', requested.etag],
          ],
        );
      }
      chosen.push(part);
    }
    for (let i = 0; i < chosen.length - 1; i++) {
      if (chosen[i].body.length < MIN_PART_BYTES) {
        throw new S3Error(
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed size',
          400,
          [
            ['ProposedSize', String(chosen[i].body.length)],
            ['MinSizeAllowed', String(MIN_PART_BYTES)],
            ['PartNumber', String(chosen[i].partNumber)],
            ['ETag', chosen[i].etag.replace(/"/g, '')],
          ],
        );
      }
    }
    // the object IS its parts: their segments, no copy
    const body = ObjectBody.concat(chosen.map((p) => p.body));
    const algorithm = upload.checksumAlgorithm;
    let checksum: StoredChecksum | undefined;
    if (algorithm && chosen.every((p) => p.checksum?.algorithm === algorithm)) {
      // AWS: a multipart checksum is the checksum of the parts' checksums, then `-N`
      const combined = Buffer.concat(
        chosen.map((p) => Buffer.from((p.checksum as StoredChecksum).value, 'base64')),
      );
      checksum = {
        algorithm,
        value: `${digest(algorithm, combined).toString('base64')}-${chosen.length}`,
        type: 'COMPOSITE',
      };
    }
    const previous = replacedByWrite(bucket, input.key);
    // the parts' bytes were held already; the object takes their place (parts not chosen are let go)
    body.retain();
    for (const part of upload.parts.values()) this.drop(part.body);
    this.storedBytes += body.memoryBytes;
    if (previous) this.drop(previous.body);
    const object: StoredObject = {
      key: input.key,
      body,
      etag: multipartEtag(chosen.map((p) => p.etag)),
      lastModified: this.clock.now(),
      headers: upload.headers,
      metadata: upload.metadata,
      checksum,
      partCount: chosen.length,
      tags: upload.tags,
      versionId: nextVersionId(bucket),
      acl: upload.acl,
      customerKey: upload.customerKey,
      encryption: upload.encryption,
    };
    bucket.uploads.delete(upload.uploadId);
    bucket.rememberCompleted(upload.uploadId, input.key);
    this.changes?.uploadChanged(bucket.name, upload.uploadId);
    storeVersion(bucket, object);
    this.changes?.keyChanged(bucket.name, object.key);
    this.raise(bucket, 'ObjectCreated:CompleteMultipartUpload', object, context);
    return object;
  }

  abortMultipartUpload(bucketName: string, key: string, uploadId: string): void {
    const bucket = this.bucketOf(bucketName);
    // AWS: aborting an upload just completed succeeds (clients clean up after a completion they did not see)
    if (!bucket.uploads.has(uploadId) && bucket.wasCompleted(uploadId, key)) return;
    const upload = this.uploadOf(bucketName, key, uploadId);
    for (const part of upload.parts.values()) this.drop(part.body);
    bucket.uploads.delete(uploadId);
    this.changes?.uploadChanged(bucketName, uploadId);
  }

  listMultipartUploads(bucketName: string, input: ListMultipartUploadsInput): MultipartUploadsPage {
    return listMultipartUploads(this.bucketOf(bucketName).uploads.values(), input);
  }

  /** ListParts: the upload (its settings) and a page of its parts. */
  listParts(
    bucketName: string,
    key: string,
    uploadId: string,
    input: ListPartsInput,
  ): PartsPage & { readonly upload: MultipartUpload } {
    const upload = this.uploadOf(bucketName, key, uploadId);
    return { ...listParts(upload, input), upload };
  }

  // ===== versioning ==========================================================================================

  /** AWS: Enabled or Suspended; a bucket whose versioning was never set answers without a Status. */
  putBucketVersioning(name: string, status: string | undefined): void {
    const bucket = this.bucketOf(name);
    if (status !== 'Enabled' && status !== 'Suspended') throw malformedXml();
    bucket.versioning = status;
    this.changes?.bucketChanged(name);
  }

  getBucketVersioning(name: string): VersioningStatus | undefined {
    return this.bucketOf(name).versioning;
  }

  listObjectVersions(name: string, input: ListObjectVersionsInput): ObjectVersionsPage {
    return listObjectVersions(this.bucketOf(name), input);
  }

  // ===== ACLs and Object Ownership ===========================================================================

  /** The canonical user id that owns every bucket and object here. */
  get ownerId(): string {
    return canonicalIdOf(this.accountId);
  }

  /** CreateBucket's ACL and Object Ownership, checked as AWS does before the bucket exists. */
  checkNewBucketAcl(acl: AccessControlPolicy | undefined, ownership: ObjectOwnership | undefined): void {
    if ((ownership ?? 'BucketOwnerEnforced') === 'BucketOwnerEnforced' && acl && !grantsOwnerOnly(acl)) {
      throw invalidBucketAclWithObjectOwnership();
    }
  }

  /** Sets a new bucket's ACL and Object Ownership (CreateBucket's headers, checked by checkNewBucketAcl). */
  initializeBucketAccess(
    name: string,
    acl: AccessControlPolicy | undefined,
    ownership: ObjectOwnership | undefined,
  ): void {
    const bucket = this.bucketOf(name);
    bucket.acl = acl;
    bucket.ownership = ownership ?? 'BucketOwnerEnforced';
    this.changes?.bucketChanged(name);
  }

  getBucketAcl(name: string): AccessControlPolicy {
    return this.bucketOf(name).acl ?? privateAcl(this.ownerId);
  }

  putBucketAcl(name: string, acl: AccessControlPolicy): void {
    const bucket = this.bucketOf(name);
    if (bucket.ownership === 'BucketOwnerEnforced' && !grantsOwnerOnly(acl)) throw aclNotSupported();
    bucket.acl = acl;
    this.changes?.bucketChanged(name);
  }

  getObjectAcl(bucketName: string, key: string, versionId?: string): AccessControlPolicy {
    return this.getObject(bucketName, key, versionId).acl ?? privateAcl(this.ownerId);
  }

  putObjectAcl(bucketName: string, key: string, acl: AccessControlPolicy, versionId?: string): StoredObject {
    const bucket = this.bucketOf(bucketName);
    const object = this.getObject(bucketName, key, versionId);
    checkObjectAcl(bucket, acl);
    const updated = { ...object, acl };
    replaceVersion(bucket, object, updated);
    this.changes?.keyChanged(bucketName, key);
    return updated;
  }

  getBucketEncryption(name: string): BucketEncryption {
    return this.bucketOf(name).encryption;
  }

  putBucketEncryption(name: string, encryption: BucketEncryption): void {
    this.bucketOf(name).encryption = encryption;
    this.changes?.bucketChanged(name);
  }

  /** The encryption of an upload's parts and of the object it completes. */
  uploadEncryption(
    bucketName: string,
    key: string,
    uploadId: string,
  ): { readonly customerKey?: CustomerKey; readonly encryption?: ObjectEncryption } {
    const upload = this.uploadOf(bucketName, key, uploadId);
    return { customerKey: upload.customerKey, encryption: upload.encryption };
  }

  /** AWS: deleting the configuration leaves SSE-S3, the default of every bucket. */
  deleteBucketEncryption(name: string): void {
    this.bucketOf(name).encryption = DEFAULT_BUCKET_ENCRYPTION;
    this.changes?.bucketChanged(name);
  }

  /** A new object's SSE-S3/SSE-KMS (none with SSE-C, which replaces it), checked before anything is stored. */
  private encryptionOf(
    bucket: Bucket,
    input: { readonly customerKey?: CustomerKey; readonly encryption?: RequestedEncryption },
  ): ObjectEncryption | undefined {
    const encryption = objectEncryptionOf(input.encryption ?? {}, bucket.encryption, this);
    return input.customerKey === undefined ? encryption : undefined;
  }

  getBucketOwnershipControls(name: string): ObjectOwnership {
    const ownership = this.bucketOf(name).ownership;
    if (ownership === undefined) {
      throw new S3Error(
        'OwnershipControlsNotFoundError',
        'The bucket ownership controls were not found',
        404,
        [['BucketName', name]],
      );
    }
    return ownership;
  }

  /** AWS: BucketOwnerEnforced cannot be set while the bucket's ACL grants anyone but the owner. */
  putBucketOwnershipControls(name: string, ownership: ObjectOwnership): void {
    const bucket = this.bucketOf(name);
    if (ownership === 'BucketOwnerEnforced' && bucket.acl && !grantsOwnerOnly(bucket.acl)) {
      throw new S3Error(
        'InvalidBucketAclWithObjectOwnership',
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
      );
    }
    bucket.ownership = ownership;
    this.changes?.bucketChanged(name);
  }

  deleteBucketOwnershipControls(name: string): void {
    this.bucketOf(name).ownership = undefined;
    this.changes?.bucketChanged(name);
  }

  // ===== shared ==============================================================================================

  /** Removes the files of large bodies (the emulator stops). */
  close(): void {
    this.bodies.close();
  }

  /** Bytes held in memory now (objects and pending parts). */
  get bytesStored(): number {
    return this.storedBytes;
  }

  bucketNames(): string[] {
    return [...this.buckets.keys()];
  }

  /** Persistence (`--state-dir`): every durable change from now on is reported to `changes`. */
  persistTo(changes: S3Changes): void {
    this.changes = changes;
  }

  /** A bucket as kept (persistence); undefined once deleted. */
  bucketState(name: string): Bucket | undefined {
    return this.buckets.get(name);
  }

  /** Restore: a bucket as persisted, its versions and uploads in it; `memoryBytes`: their bodies held in memory. */
  adoptBucket(bucket: Bucket, memoryBytes: number): void {
    this.buckets.set(bucket.name, bucket);
    this.storedBytes += memoryBytes;
  }

  private bucketOf(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw noSuchBucket(name);
    return bucket;
  }

  private uploadOf(bucketName: string, key: string, uploadId: string): MultipartUpload {
    const upload = this.bucketOf(bucketName).uploads.get(uploadId);
    if (!upload || upload.key !== key) throw noSuchUpload(uploadId);
    return upload;
  }

  /** Verifies a body against what the client claims, and reserves its bytes in place of `replaced`. */
  private accept(
    input: { body: ObjectBody; contentMd5?: string; checksum?: ClaimedChecksum },
    replaced: ObjectBody | undefined,
  ): { checksum: StoredChecksum | undefined; etag: string } {
    if (input.body.length > this.maxObjectBytes) {
      throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, [
        ['ProposedSize', String(input.body.length)],
        ['MaxSizeAllowed', String(this.maxObjectBytes)],
      ]);
    }
    verifyContentMd5(input.body, input.contentMd5);
    const checksum = verifyChecksum(input.body, input.checksum);
    this.hold(input.body, replaced);
    return { checksum, etag: etagOfBody(input.body) };
  }

  /** Keeps `body` (its memory counted, its files kept) in place of `replaced`; fails with a clear error at the cap. */
  private hold(body: ObjectBody, replaced: ObjectBody | undefined): void {
    this.reserve(body.memoryBytes - (replaced?.memoryBytes ?? 0));
    body.retain();
    replaced?.release();
  }

  /** Lets go of a body no object or part keeps any more: its memory is uncounted, its files deleted if unused. */
  private drop(body: ObjectBody): void {
    this.storedBytes -= body.memoryBytes;
    body.release();
  }

  /** Accounts for `delta` more bytes, or fails with a clear error at the cap. */
  private reserve(delta: number): void {
    if (delta > 0 && this.storedBytes + delta > this.maxStoredBytes) {
      throw new S3Error(
        'EntityTooLarge',
        `The emulator keeps objects in memory and this upload would take it past its cap of ${this.maxStoredBytes} bytes; delete objects or start it with a larger maxStoredBytes.`,
        400,
        [
          ['ProposedSize', String(delta)],
          ['MaxSizeAllowed', String(Math.max(0, this.maxStoredBytes - this.storedBytes))],
        ],
      );
    }
    this.storedBytes += delta;
  }

  private raise(
    bucket: Bucket,
    name: string,
    object: { key: string; body?: { readonly length: number }; etag?: string; versionId?: string },
    context: RequestContext,
  ): void {
    const activity = this.targets.activity;
    if (activity?.active) {
      activity.emit({
        kind: name.startsWith('ObjectCreated') ? 'object-created' : 'object-removed',
        bucket: bucket.name,
        key: object.key,
        size: object.body?.length,
      });
    }
    const configuration = bucket.notification;
    if (configuration.queues.length + configuration.topics.length + configuration.functions.length === 0)
      return;
    const event: ObjectEvent = {
      name,
      bucket: bucket.name,
      key: object.key,
      size: object.body?.length,
      etag: object.etag?.replace(/"/g, ''),
      // AWS: events of a bucket with versioning name the version (objects from before it are "null")
      versionId: bucket.versioning === undefined ? undefined : (object.versionId ?? NULL_VERSION),
      sequencer: this.nextSequencer(),
      time: this.clock.now(),
      requestId: context.requestId,
      hostId: context.hostId,
      sourceIp: context.sourceIp,
    };
    this.notifier.notify(configuration, event);
  }

  /** AWS: sequencers are hex strings that grow with each event on a key (compare them as equal-length strings). */
  private nextSequencer(): string {
    this.sequence++;
    return (BigInt(this.clock.now()) * 1_000_000n + BigInt(this.sequence % 1_000_000))
      .toString(16)
      .toUpperCase()
      .padStart(18, '0');
  }
}

// ----- validation -------------------------------------------------------------------------------------------

/** AWS's bucket naming rules (general purpose buckets). */
export function validateBucketName(name: string): void {
  const valid =
    name.length >= 3 &&
    name.length <= 63 &&
    /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.startsWith('sthree-') &&
    !name.endsWith('-s3alias') &&
    !name.endsWith('--ol-s3');
  if (!valid)
    throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, [['BucketName', name]]);
}

function validateKey(key: string): void {
  const size = Buffer.byteLength(key);
  if (size > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', 'Your key is too long', 400, [
      ['MaxSizeAllowed', String(MAX_KEY_BYTES)],
      ['Size', String(size)],
    ]);
  }
}

function validateMetadata(metadata: Record<string, string>): void {
  let size = 0;
  for (const [k, v] of Object.entries(metadata)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (size > MAX_METADATA_BYTES) {
    throw new S3Error(
      'MetadataTooLarge',
      'Your metadata headers exceed the maximum allowed metadata size',
      400,
      [
        ['Size', String(size)],
        ['MaxSizeAllowed', String(MAX_METADATA_BYTES)],
      ],
    );
  }
}

/** Conditional writes (PutObject): If-None-Match `*` and If-Match, answered as S3 does. */
function checkWriteConditions(
  conditions: { ifMatch?: string; ifNoneMatch?: string } | undefined,
  existing: StoredObject | undefined,
  key: string,
): void {
  if (conditions?.ifNoneMatch !== undefined) {
    if (conditions.ifNoneMatch !== '*') {
      throw new S3Error(
        'NotImplemented',
        'A header you provided implies functionality that is not implemented',
        501,
        [['Header', 'If-None-Match']],
      );
    }
    if (existing) throw preconditionFailed('If-None-Match');
  }
  if (conditions?.ifMatch !== undefined) {
    if (!existing) throw noSuchKey(key);
    if (evaluateConditions({ ifMatch: conditions.ifMatch }, existing) !== 'ok')
      throw preconditionFailed('If-Match');
  }
}

function parseCopySource(source: string): { bucket: string; key: string; versionId?: string } {
  const query = source.indexOf('?');
  const withoutVersion = query < 0 ? source : source.slice(0, query);
  // AWS: `bucket/key?versionId=…` names a version of the source
  const versionId =
    query < 0 ? undefined : (new URLSearchParams(source.slice(query + 1)).get('versionId') ?? undefined);
  let decoded: string;
  try {
    decoded = decodeURIComponent(withoutVersion);
  } catch {
    throw invalidArgument('Invalid copy source encoding.', 'x-amz-copy-source', source);
  }
  const trimmed = decoded.startsWith('/') ? decoded.slice(1) : decoded;
  const slash = trimmed.indexOf('/');
  if (slash <= 0 || slash === trimmed.length - 1) {
    throw invalidArgument('Invalid copy source object key', 'x-amz-copy-source', source);
  }
  return { bucket: trimmed.slice(0, slash), key: trimmed.slice(slash + 1), versionId };
}

function bodyOf(bytes: Buffer | ObjectBody): ObjectBody {
  return bytes instanceof ObjectBody ? bytes : ObjectBody.of(bytes);
}

function normalizeEtag(etag: string): string {
  const bare = etag.trim().replace(/^"|"$/g, '');
  return `"${bare}"`;
}

/** UTF-8 bytes of JSON text without the whitespace between tokens (one pass, no parse). */
function compactJsonBytes(text: string): number {
  let bytes = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        // an escape and the character it escapes (ASCII in every JSON escape)
        bytes += 2;
        i++;
        continue;
      }
      if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 4 : c >= 0xdc00 && c < 0xe000 ? 0 : 3;
  }
  return bytes;
}

/** The smallest string greater than every string starting with `prefix`. */
function successor(prefix: string): string {
  return `${prefix}\uffff`;
}

function encodeToken(marker: string): string {
  return Buffer.from(marker, 'utf8').toString('base64');
}

function decodeToken(token: string): string {
  const marker = Buffer.from(token, 'base64').toString('utf8');
  if (token === '' || Buffer.from(marker, 'utf8').toString('base64') !== token) {
    throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  }
  return marker;
}

/** AWS: with BucketOwnerEnforced, an object's ACL can only grant the owner full control. */
function checkObjectAcl(bucket: Bucket, acl: AccessControlPolicy | undefined): void {
  if (acl && bucket.ownership === 'BucketOwnerEnforced' && !grantsOwnerOnly(acl)) throw aclNotSupported();
}

/** The headers S3 answers with when a request meets a delete marker. */
function markerHeaders(marker: DeleteMarker): Record<string, string> {
  return {
    'x-amz-delete-marker': 'true',
    'x-amz-version-id': marker.versionId,
    'last-modified': new Date(marker.lastModified).toUTCString(),
  };
}
