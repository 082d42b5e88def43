/** S3 state: buckets, objects kept in memory, keys in sorted order for listing, multipart uploads. */
import type { AccessControlPolicy, ObjectOwnership } from './acl';
import type { ChecksumAlgorithm } from './checksum';
import type { CustomerKey } from './customer-key';
import { type BucketEncryption, DEFAULT_BUCKET_ENCRYPTION, type ObjectEncryption } from './encryption';
import type { NotificationConfiguration } from './notifications';
import type { ObjectBody } from './object-body';
import type { TagSet } from './tagging';
import { VersionHistory, type VersioningStatus } from './versioning';

/** A checksum as S3 stores and returns it (base64; multipart composites end in `-N`). */
export interface StoredChecksum {
  readonly algorithm: ChecksumAlgorithm;
  readonly value: string;
  readonly type: 'FULL_OBJECT' | 'COMPOSITE';
}

/** Standard headers S3 keeps with an object and returns on GET and HEAD. */
export interface ObjectHeaders {
  readonly contentType: string;
  readonly cacheControl?: string;
  readonly contentDisposition?: string;
  readonly contentEncoding?: string;
  readonly contentLanguage?: string;
  readonly expires?: string;
}

export interface StoredObject {
  readonly key: string;
  /** The bytes, in memory or on disk (object-body.ts). */
  readonly body: ObjectBody;
  /** With quotes, as S3 returns it. */
  readonly etag: string;
  readonly lastModified: number;
  readonly headers: ObjectHeaders;
  /** User metadata, keys lowercased (x-amz-meta-* without the prefix). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly checksum: StoredChecksum | undefined;
  /** Parts of a multipart object (part-number GETs are not emulated; kept for the ETag's `-N` and PartsCount). */
  readonly partCount: number | undefined;
  /** Object tags (PutObjectTagging, `x-amz-tagging`); absent when it has none. */
  readonly tags?: TagSet;
  /** Its version id; absent for objects written before the bucket had versioning (the "null" version). */
  readonly versionId?: string;
  /** Its ACL (stored and returned, not enforced); absent: private. */
  readonly acl?: AccessControlPolicy;
  /** SSE-C: the MD5 of the customer's key (never the key); reads must present the same key. */
  readonly customerKey?: CustomerKey;
  /** SSE-S3 or SSE-KMS, as written or from the bucket's default (absent with SSE-C). */
  readonly encryption?: ObjectEncryption;
}

export interface UploadedPart {
  readonly partNumber: number;
  readonly body: ObjectBody;
  readonly etag: string;
  readonly checksum: StoredChecksum | undefined;
  readonly lastModified: number;
}

export class MultipartUpload {
  readonly parts = new Map<number, UploadedPart>();

  constructor(
    readonly uploadId: string,
    readonly key: string,
    readonly headers: ObjectHeaders,
    readonly metadata: Readonly<Record<string, string>>,
    readonly checksumAlgorithm: ChecksumAlgorithm | undefined,
    readonly initiated: number,
    readonly tags?: TagSet,
  ) {}

  /** SSE-C key (its MD5) the upload was created with; every part must present it. */
  customerKey: CustomerKey | undefined;
  /** SSE-S3 or SSE-KMS of the object it completes (absent with SSE-C). */
  encryption: ObjectEncryption | undefined;
  /** ACL the completed object gets. */
  acl: AccessControlPolicy | undefined;

  get bytes(): number {
    let total = 0;
    for (const part of this.parts.values()) total += part.body.length;
    return total;
  }
}

/**
 * Keys in lexicographic (UTF-16 code unit, as ListObjectsV2 orders ASCII and BMP keys) order. Lookups are binary
 * searches; an insert or delete moves the tail of one array, which is a memmove, not a scan.
 */
export class SortedKeys {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  insert(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  delete(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  /** Index of the first key >= `key`. */
  lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  at(index: number): string | undefined {
    return this.keys[index];
  }
}

/** How many completed uploads a bucket remembers: enough for any client's abort-after-complete clean-up. */
const MAX_REMEMBERED_UPLOADS = 1000;

export class Bucket {
  readonly objects = new Map<string, StoredObject>();
  readonly keys = new SortedKeys();
  readonly uploads = new Map<string, MultipartUpload>();
  /** Upload id → key of the latest completed uploads (AWS: aborting one of them succeeds, and changes nothing). */
  private readonly completed = new Map<string, string>();
  policy: string | undefined;
  tags: TagSet | undefined;
  notification: NotificationConfiguration = { topics: [], queues: [], functions: [], eventBridge: false };
  /** Versioning: never configured (undefined), Enabled or Suspended (AWS: once enabled, never off again). */
  versioning: VersioningStatus | undefined;
  /** Noncurrent versions and current delete markers (empty while versioning was never configured). */
  readonly history = new VersionHistory();
  /** The bucket's ACL (stored, not enforced); absent: private. */
  acl: AccessControlPolicy | undefined;
  /** Object Ownership: AWS's default for new buckets is BucketOwnerEnforced; undefined once deleted. */
  ownership: ObjectOwnership | undefined = 'BucketOwnerEnforced';
  /** Default encryption of new objects (AWS: SSE-S3 unless configured). */
  encryption: BucketEncryption = DEFAULT_BUCKET_ENCRYPTION;

  constructor(
    readonly name: string,
    readonly region: string,
    readonly created: number,
  ) {}

  /** Remembers a completed upload, the latest MAX_REMEMBERED_UPLOADS of them. */
  rememberCompleted(uploadId: string, key: string): void {
    this.completed.set(uploadId, key);
    if (this.completed.size > MAX_REMEMBERED_UPLOADS)
      this.completed.delete(this.completed.keys().next().value!);
  }

  /** Whether `uploadId` of `key` was completed (lately). */
  wasCompleted(uploadId: string, key: string): boolean {
    return this.completed.get(uploadId) === key;
  }

  put(object: StoredObject): StoredObject | undefined {
    const previous = this.objects.get(object.key);
    this.objects.set(object.key, object);
    if (!previous) this.keys.insert(object.key);
    return previous;
  }

  remove(key: string): StoredObject | undefined {
    const previous = this.objects.get(key);
    if (previous) {
      this.objects.delete(key);
      this.keys.delete(key);
    }
    return previous;
  }
}
