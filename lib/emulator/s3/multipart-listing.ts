/**
 * ListMultipartUploads: a bucket's uploads in progress, ordered by key and then by initiation, a page at a time
 * (key-marker, upload-id-marker), grouped under a delimiter as object listings are.
 */
import { invalidArgument } from './errors';
import type { MultipartUpload, UploadedPart } from './model';

/** AWS: at most 1,000 uploads a page, which is also the default; a larger max-uploads is served at the cap. */
export const MAX_UPLOADS = 1000;
/** AWS: max-uploads is parsed as a 32-bit integer from 0 up. */
const INT32_MAX = 2 ** 31 - 1;

export interface ListMultipartUploadsInput {
  readonly prefix?: string;
  readonly delimiter?: string;
  readonly keyMarker?: string;
  readonly uploadIdMarker?: string;
  readonly maxUploads?: number;
}

export interface MultipartUploadsPage {
  readonly uploads: readonly MultipartUpload[];
  readonly commonPrefixes: readonly string[];
  readonly maxUploads: number;
  readonly isTruncated: boolean;
  readonly nextKeyMarker?: string;
  readonly nextUploadIdMarker?: string;
}

/** AWS's answer to a max-uploads out of its range (measured on real S3 for a negative value). */
export function invalidMaxUploads(value: string): Error {
  return invalidArgument(
    'Argument max-uploads must be an integer between 0 and 2147483647',
    'max-uploads',
    value,
  );
}

/**
 * One page of `uploads` (given in initiation order). A key-marker alone starts after that key; with an
 * upload-id-marker it starts after that upload of the key-marker's key (AWS ignores an upload-id-marker
 * without a key-marker).
 */
export function listMultipartUploads(
  uploads: Iterable<MultipartUpload>,
  input: ListMultipartUploadsInput,
): MultipartUploadsPage {
  const requested = input.maxUploads ?? MAX_UPLOADS;
  if (!Number.isInteger(requested) || requested < 0 || requested > INT32_MAX)
    throw invalidMaxUploads(String(requested));
  const maxUploads = Math.min(requested, MAX_UPLOADS);
  const prefix = input.prefix ?? '';
  const delimiter = input.delimiter ?? '';
  const keyMarker = input.keyMarker ?? '';
  const uploadIdMarker = keyMarker === '' ? '' : (input.uploadIdMarker ?? '');
  // Array.prototype.sort is stable: uploads of one key stay in initiation order
  const candidates = [...uploads]
    .filter((u) => u.key.startsWith(prefix))
    .sort((a, b) => compare(a.key, b.key));
  let start = 0;
  if (keyMarker !== '') {
    const afterMarker = candidates.findIndex((u) => u.key > keyMarker);
    start = afterMarker < 0 ? candidates.length : afterMarker;
    if (uploadIdMarker !== '') {
      const marked = candidates.findIndex((u) => u.key === keyMarker && u.uploadId === uploadIdMarker);
      if (marked >= 0) start = marked + 1;
    }
  }
  const page: MultipartUpload[] = [];
  const commonPrefixes: string[] = [];
  let isTruncated = false;
  let nextKeyMarker: string | undefined;
  let nextUploadIdMarker: string | undefined;
  for (let i = start; i < candidates.length;) {
    const upload = candidates[i];
    const cut = delimiter ? upload.key.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? upload.key.slice(0, cut + delimiter.length) : undefined;
    // a group already listed (the key-marker is that prefix, or a key inside it) is not listed again
    if (
      common !== undefined &&
      keyMarker !== '' &&
      compare(common, keyMarker) <= 0 &&
      keyMarker.startsWith(common)
    ) {
      i++;
      continue;
    }
    if (page.length + commonPrefixes.length >= maxUploads) {
      isTruncated = true;
      break;
    }
    if (common !== undefined) {
      commonPrefixes.push(common);
      nextKeyMarker = common;
      nextUploadIdMarker = undefined;
      while (i < candidates.length && candidates[i].key.startsWith(common)) i++;
    } else {
      page.push(upload);
      nextKeyMarker = upload.key;
      nextUploadIdMarker = upload.uploadId;
      i++;
    }
  }
  return isTruncated
    ? { uploads: page, commonPrefixes, maxUploads, isTruncated, nextKeyMarker, nextUploadIdMarker }
    : { uploads: page, commonPrefixes, maxUploads, isTruncated };
}

/** Keys in S3's listing order (UTF-16 code units, as the bucket's SortedKeys). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `encoding-type=url` in ListMultipartUploads, as measured on real S3: letters, digits, `-_.*` and `/` kept, a
 * space as `+`, every other UTF-8 byte as upper-case `%XX`.
 */
export function encodeUploadKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** AWS: at most 1,000 parts a page, which is also the default; a larger max-parts is served at the cap. */
export const MAX_PARTS = 1000;

export interface ListPartsInput {
  readonly maxParts?: number;
  readonly partNumberMarker?: number;
}

export interface PartsPage {
  readonly parts: readonly UploadedPart[];
  readonly maxParts: number;
  readonly isTruncated: boolean;
  /** The last part listed: where the next page starts (AWS returns it, 0 for an empty page). */
  readonly nextPartNumberMarker: number;
}

/** ListParts: an upload's parts in part-number order after `partNumberMarker`, a page at a time. */
export function listParts(upload: MultipartUpload, input: ListPartsInput): PartsPage {
  const requested = input.maxParts ?? MAX_PARTS;
  if (!Number.isInteger(requested) || requested < 0 || requested > INT32_MAX) {
    throw invalidArgument(
      'Argument max-parts must be an integer between 0 and 2147483647',
      'max-parts',
      String(requested),
    );
  }
  const marker = input.partNumberMarker ?? 0;
  if (!Number.isInteger(marker) || marker < 0 || marker > INT32_MAX) {
    throw invalidArgument(
      'Argument part-number-marker must be an integer between 0 and 2147483647',
      'part-number-marker',
      String(marker),
    );
  }
  const maxParts = Math.min(requested, MAX_PARTS);
  const after = [...upload.parts.values()]
    .filter((p) => p.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const parts = after.slice(0, maxParts);
  return {
    parts,
    maxParts,
    isTruncated: after.length > parts.length,
    nextPartNumberMarker: parts.length > 0 ? parts[parts.length - 1].partNumber : 0,
  };
}
