/** S3 state: buckets, objects kept in memory, keys in sorted order for listing, multipart uploads. */
import type { ChecksumAlgorithm } from './checksum';
import type { NotificationConfiguration } from './notifications';
import type { TagSet } from './tagging';

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
  readonly body: Buffer;
  /** With quotes, as S3 returns it. */
  readonly etag: string;
  readonly lastModified: number;
  readonly headers: ObjectHeaders;
  /** User metadata, keys lowercased (x-amz-meta-* without the prefix). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly checksum: StoredChecksum | undefined;
  /** Parts of a multipart object (ListParts and part-number GETs are not emulated; kept for the ETag's `-N`). */
  readonly partCount: number | undefined;
  /** Object tags (PutObjectTagging, `x-amz-tagging`); absent when it has none. */
  readonly tags?: TagSet;
}

export interface UploadedPart {
  readonly partNumber: number;
  readonly body: Buffer;
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

export class Bucket {
  readonly objects = new Map<string, StoredObject>();
  readonly keys = new SortedKeys();
  readonly uploads = new Map<string, MultipartUpload>();
  policy: string | undefined;
  tags: TagSet | undefined;
  notification: NotificationConfiguration = { topics: [], queues: [], functions: [], eventBridge: false };

  constructor(
    readonly name: string,
    readonly region: string,
    readonly created: number,
  ) {}

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
