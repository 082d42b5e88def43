/** Bucket and object tags, validated as S3 does (the tagging-related error codes of S3's error list). */
import { S3Error } from './errors';

export type TagSet = Readonly<Record<string, string>>;

/** AWS: a bucket takes 50 tags, an object 10. */
export const MAX_BUCKET_TAGS = 50;
export const MAX_OBJECT_TAGS = 10;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;
/** AWS: `x-amz-tagging` is a URL query string of at most 10 tags; longer text is refused before it is split. */
const MAX_TAGGING_HEADER = 10 * (MAX_TAG_KEY + MAX_TAG_VALUE) * 3 + 64;

/** A tag set from a request's `[{ Key, Value }]`, or InvalidTag as S3 answers it. */
export function tagSetOf(
  tags: readonly { Key?: string; Value?: string }[],
  max: number,
  kind: string,
): TagSet {
  if (tags.length > max) throw invalidTag(`${kind} tags cannot be greater than ${max}`);
  const out: Record<string, string> = {};
  for (const { Key: key, Value: value = '' } of tags) {
    if (key === undefined || key.length === 0 || key.length > MAX_TAG_KEY)
      throw invalidTag('The TagKey you have provided is invalid');
    if (value.length > MAX_TAG_VALUE) throw invalidTag('The TagValue you have provided is invalid');
    if (key.toLowerCase().startsWith('aws:')) throw invalidTag('Your TagKey cannot be prefixed with aws:');
    if (Object.hasOwn(out, key)) throw invalidTag('Cannot provide multiple Tags with the same key');
    out[key] = value;
  }
  return out;
}

/** The tags of an `x-amz-tagging` header (`k1=v1&k2=v2`, URL-encoded). */
export function tagSetOfHeader(text: string): TagSet {
  if (text.length > MAX_TAGGING_HEADER)
    throw invalidTag(`Object tags cannot be greater than ${MAX_OBJECT_TAGS}`);
  const tags = [...new URLSearchParams(text)].map(([Key, Value]) => ({ Key, Value }));
  return tagSetOf(tags, MAX_OBJECT_TAGS, 'Object');
}

/** `[{ Key, Value }]` as the SDK holds a tag set. */
export function tagListOf(tags: TagSet | undefined): { Key: string; Value: string }[] {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

function invalidTag(message: string): S3Error {
  return new S3Error('InvalidTag', message);
}
