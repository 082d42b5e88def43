/**
 * S3 versioning: a bucket's versioning state and the versions it keeps. The current version of a key stays in
 * `bucket.objects` (what listings and unversioned reads see); this history holds the noncurrent versions and
 * the delete markers that are current, so unversioned buckets pay nothing for it.
 *
 * AWS: objects written before versioning was configured, and every write while it is Suspended, have the
 * version id "null"; a Suspended write or delete replaces the null version.
 */
import { randomBytes } from 'node:crypto';
import { invalidArgument, S3Error } from './errors';
import { type Bucket, SortedKeys, type StoredObject } from './model';

export type VersioningStatus = 'Enabled' | 'Suspended';
export const NULL_VERSION = 'null';

/** A delete marker: a version with no data that makes a key answer 404 while it is current. */
export interface DeleteMarker {
  readonly deleteMarker: true;
  readonly key: string;
  readonly versionId: string;
  readonly lastModified: number;
}

export type ObjectVersion = StoredObject | DeleteMarker;

export function isDeleteMarker(version: ObjectVersion): version is DeleteMarker {
  return (version as DeleteMarker).deleteMarker === true;
}

/** The version id of an object (those written before versioning are the null version). */
export function versionIdOf(version: ObjectVersion): string {
  return version.versionId ?? NULL_VERSION;
}

/** Noncurrent versions (newest first) and current delete markers of a bucket's keys. */
export class VersionHistory {
  readonly noncurrent = new Map<string, ObjectVersion[]>();
  readonly markers = new Map<string, DeleteMarker>();
  /** Keys that have a noncurrent version or a current delete marker. */
  readonly keys = new SortedKeys();

  get size(): number {
    return this.keys.size;
  }

  pushNoncurrent(version: ObjectVersion): void {
    const list = this.noncurrent.get(version.key);
    if (list) list.unshift(version);
    else this.noncurrent.set(version.key, [version]);
    this.keys.insert(version.key);
  }

  /** Forgets `key` in the sorted keys when it has nothing left here. */
  tidy(key: string): void {
    if (this.noncurrent.get(key)?.length === 0) this.noncurrent.delete(key);
    if (!this.noncurrent.has(key) && !this.markers.has(key)) this.keys.delete(key);
  }
}

/** AWS: version ids are opaque strings of 32 URL-safe characters. */
const VERSION_ID = /^[A-Za-z0-9_-]{32}$/;

function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

/** The version id the next write to `bucket` gets: none while versioning was never configured. */
export function nextVersionId(bucket: Bucket): string | undefined {
  if (bucket.versioning === undefined) return undefined;
  return bucket.versioning === 'Enabled' ? newVersionId() : NULL_VERSION;
}

/** The version id to return with an object (`x-amz-version-id`): only in buckets with versioning configured. */
export function versionIdFor(bucket: Bucket, version: ObjectVersion): string | undefined {
  return bucket.versioning === undefined ? undefined : versionIdOf(version);
}

/** The stored object a write of `key` replaces (its bytes are freed): the current one, or the null version. */
export function replacedByWrite(bucket: Bucket, key: string): StoredObject | undefined {
  if (bucket.versioning === undefined) return bucket.objects.get(key);
  if (bucket.versioning === 'Enabled') return undefined;
  const current = bucket.objects.get(key);
  if (current && versionIdOf(current) === NULL_VERSION) return current;
  return bucket.history.noncurrent
    .get(key)
    ?.find((v): v is StoredObject => !isDeleteMarker(v) && versionIdOf(v) === NULL_VERSION);
}

/** Stores `object` (its versionId from nextVersionId) as the current version of its key. */
export function storeVersion(bucket: Bucket, object: StoredObject): void {
  if (bucket.versioning === undefined) {
    bucket.put(object);
    return;
  }
  retire(bucket, object.key, object.versionId === NULL_VERSION);
  bucket.put(object);
}

/**
 * DELETE without a version id. Unversioned: removes the object. Otherwise adds a delete marker (AWS: even for
 * a key that has no version). Returns the object whose bytes are freed and the marker made.
 */
export function deleteCurrent(
  bucket: Bucket,
  key: string,
  now: number,
): { freed: StoredObject | undefined; marker: DeleteMarker | undefined } {
  if (bucket.versioning === undefined) return { freed: bucket.remove(key), marker: undefined };
  const versionId = nextVersionId(bucket) as string;
  const freed = versionId === NULL_VERSION ? replacedByWrite(bucket, key) : undefined;
  retire(bucket, key, versionId === NULL_VERSION);
  const marker: DeleteMarker = { deleteMarker: true, key, versionId, lastModified: now };
  bucket.history.markers.set(key, marker);
  bucket.history.keys.insert(key);
  return { freed, marker };
}

/** Moves the current version of `key` (object or marker) to the noncurrent ones; drops the null version if asked. */
function retire(bucket: Bucket, key: string, replaceNull: boolean): void {
  const history = bucket.history;
  if (replaceNull) {
    const list = history.noncurrent.get(key);
    if (list) {
      const at = list.findIndex((v) => versionIdOf(v) === NULL_VERSION);
      if (at >= 0) list.splice(at, 1);
    }
  }
  const marker = history.markers.get(key);
  if (marker) {
    history.markers.delete(key);
    if (!(replaceNull && marker.versionId === NULL_VERSION)) history.pushNoncurrent(marker);
  }
  const current = bucket.remove(key);
  if (current && !(replaceNull && versionIdOf(current) === NULL_VERSION)) history.pushNoncurrent(current);
  history.tidy(key);
}

/** Refuses a version id that is none the emulator makes (AWS: 400 InvalidArgument). */
export function validateVersionId(versionId: string): void {
  if (versionId !== NULL_VERSION && !VERSION_ID.test(versionId)) {
    throw invalidArgument('Invalid version id specified', 'versionId', versionId);
  }
}

/** A version of `key` by id, current or not; undefined when there is none. */
export function findVersion(bucket: Bucket, key: string, versionId: string): ObjectVersion | undefined {
  validateVersionId(versionId);
  const current = bucket.objects.get(key);
  if (current && versionIdOf(current) === versionId) return current;
  const marker = bucket.history.markers.get(key);
  if (marker && marker.versionId === versionId) return marker;
  return bucket.history.noncurrent.get(key)?.find((v) => versionIdOf(v) === versionId);
}

export function noSuchVersion(key: string, versionId: string): S3Error {
  return new S3Error('NoSuchVersion', 'The specified version does not exist.', 404, [
    ['Key', key],
    ['VersionId', versionId],
  ]);
}

/**
 * DELETE with a version id: removes that version for good; the newest remaining becomes current. AWS: a
 * version that does not exist is no error.
 */
export function deleteVersion(bucket: Bucket, key: string, versionId: string): ObjectVersion | undefined {
  const version = findVersion(bucket, key, versionId);
  if (!version) return undefined;
  const history = bucket.history;
  if (bucket.objects.get(key) === version || history.markers.get(key) === version) {
    bucket.remove(key);
    history.markers.delete(key);
    const promoted = history.noncurrent.get(key)?.shift();
    if (promoted && isDeleteMarker(promoted)) history.markers.set(key, promoted);
    else if (promoted) bucket.put(promoted);
  } else {
    const list = history.noncurrent.get(key) as ObjectVersion[];
    list.splice(list.indexOf(version), 1);
  }
  history.tidy(key);
  return version;
}

/** Replaces a stored version by an updated copy of it (tags, ACL), wherever it is. */
export function replaceVersion(bucket: Bucket, previous: StoredObject, updated: StoredObject): void {
  if (bucket.objects.get(previous.key) === previous) {
    bucket.put(updated);
    return;
  }
  const list = bucket.history.noncurrent.get(previous.key);
  const at = list?.indexOf(previous) ?? -1;
  if (list && at >= 0) list[at] = updated;
}

/** Every version of `key`, newest (the current one) first. */
export function versionsOf(bucket: Bucket, key: string): ObjectVersion[] {
  const current: ObjectVersion | undefined = bucket.objects.get(key) ?? bucket.history.markers.get(key);
  return [...(current ? [current] : []), ...(bucket.history.noncurrent.get(key) ?? [])];
}

// ----- ListObjectVersions -------------------------------------------------------------------------------------

/** AWS: a listing page holds at most 1,000 entries (versions, delete markers and common prefixes). */
const MAX_LIST_KEYS = 1000;
const INT32_MAX = 2 ** 31 - 1;

export interface ListObjectVersionsInput {
  readonly prefix?: string;
  readonly delimiter?: string;
  readonly keyMarker?: string;
  readonly versionIdMarker?: string;
  readonly maxKeys?: number;
}

export interface ListedVersion {
  readonly version: ObjectVersion;
  readonly isLatest: boolean;
}

export interface ObjectVersionsPage {
  readonly versions: readonly ListedVersion[];
  readonly commonPrefixes: readonly string[];
  readonly maxKeys: number;
  readonly isTruncated: boolean;
  readonly nextKeyMarker?: string;
  readonly nextVersionIdMarker?: string;
}

/** The next key after `after` (or from `from`, inclusive) among current objects and the history's keys. */
function nextKey(bucket: Bucket, from: string, inclusive: boolean): string | undefined {
  const bound = inclusive ? from : `${from}\0`;
  const a = bucket.keys.at(bucket.keys.lowerBound(bound));
  const b = bucket.history.keys.at(bucket.history.keys.lowerBound(bound));
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}

/**
 * ListObjectVersions: every version of every key, keys in order and each key's versions newest first. A
 * key-marker starts after that key; with a version-id-marker, after that version of the key-marker's key.
 */
export function listObjectVersions(bucket: Bucket, input: ListObjectVersionsInput): ObjectVersionsPage {
  const requested = input.maxKeys ?? MAX_LIST_KEYS;
  if (!Number.isInteger(requested) || requested < 0 || requested > INT32_MAX) {
    throw invalidArgument(
      'Provided max-keys not an integer or within integer range',
      'max-keys',
      String(requested),
    );
  }
  const maxKeys = Math.min(requested, MAX_LIST_KEYS);
  const prefix = input.prefix ?? '';
  const delimiter = input.delimiter ?? '';
  const keyMarker = input.keyMarker ?? '';
  const versionIdMarker = input.versionIdMarker ?? '';
  if (versionIdMarker !== '') {
    // AWS: a version-id-marker needs a key-marker, and must be a version id
    if (keyMarker === '') {
      throw invalidArgument(
        'A version-id marker cannot be specified without a key marker.',
        'version-id-marker',
        versionIdMarker,
      );
    }
    validateVersionId(versionIdMarker);
  }
  const versions: ListedVersion[] = [];
  const commonPrefixes: string[] = [];
  let isTruncated = false;
  let nextKeyMarker: string | undefined;
  let nextVersionIdMarker: string | undefined;
  const full = (): boolean => versions.length + commonPrefixes.length >= maxKeys;

  if (keyMarker !== '' && versionIdMarker !== '' && keyMarker.startsWith(prefix)) {
    // the rest of the key-marker's versions after the marked one
    const all = versionsOf(bucket, keyMarker);
    const at = all.findIndex((v) => versionIdOf(v) === versionIdMarker);
    for (let i = at < 0 ? all.length : at + 1; i < all.length; i++) {
      if (full()) {
        isTruncated = true;
        break;
      }
      versions.push({ version: all[i], isLatest: i === 0 });
      nextKeyMarker = keyMarker;
      nextVersionIdMarker = versionIdOf(all[i]);
    }
  }
  let key =
    keyMarker !== '' && keyMarker >= prefix
      ? nextKey(bucket, keyMarker, false)
      : nextKey(bucket, prefix, true);
  while (!isTruncated && key !== undefined && key.startsWith(prefix)) {
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (cut >= 0) {
      const common = key.slice(0, cut + delimiter.length);
      // a group the key-marker is in was listed on an earlier page
      if (!(keyMarker !== '' && keyMarker.startsWith(common))) {
        if (full()) {
          isTruncated = true;
          break;
        }
        commonPrefixes.push(common);
        nextKeyMarker = common;
        nextVersionIdMarker = undefined;
      }
      key = nextKey(bucket, `${common}\uffff`, true);
      continue;
    }
    const all = versionsOf(bucket, key);
    for (let i = 0; i < all.length; i++) {
      if (full()) {
        isTruncated = true;
        break;
      }
      versions.push({ version: all[i], isLatest: i === 0 });
      nextKeyMarker = key;
      nextVersionIdMarker = versionIdOf(all[i]);
    }
    key = nextKey(bucket, key, false);
  }
  return isTruncated
    ? { versions, commonPrefixes, maxKeys, isTruncated, nextKeyMarker, nextVersionIdMarker }
    : { versions, commonPrefixes, maxKeys, isTruncated };
}
