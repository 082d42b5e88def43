/** Conditional reads (RFC 7232 as S3 applies it): If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since. */
import { S3Error } from './errors';
import type { StoredObject } from './model';

export interface ReadConditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: Date;
  readonly ifUnmodifiedSince?: Date;
}

/** `not-modified` for a 304; throws PreconditionFailed (412) when If-Match or If-Unmodified-Since fails. */
export function evaluateConditions(conditions: ReadConditions, object: StoredObject): 'ok' | 'not-modified' {
  const { ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince } = conditions;
  // AWS: Last-Modified has second precision, and so do the comparisons
  const lastModifiedSeconds = Math.floor(object.lastModified / 1000) * 1000;
  const matches = (list: string) =>
    list
      .split(',')
      .some(
        (e) =>
          e.trim() === '*' || e.trim().replace(/^W\//, '') === object.etag || `"${e.trim()}"` === object.etag,
      );
  if (ifMatch !== undefined && !matches(ifMatch)) throw preconditionFailed('If-Match');
  if (
    ifMatch === undefined &&
    ifUnmodifiedSince !== undefined &&
    lastModifiedSeconds > ifUnmodifiedSince.getTime()
  )
    throw preconditionFailed('If-Unmodified-Since');
  if (ifNoneMatch !== undefined && matches(ifNoneMatch)) return 'not-modified';
  if (
    ifNoneMatch === undefined &&
    ifModifiedSince !== undefined &&
    lastModifiedSeconds <= ifModifiedSince.getTime()
  )
    return 'not-modified';
  return 'ok';
}

export function preconditionFailed(condition: string): S3Error {
  const message = 'At least one of the pre-conditions you specified did not hold';
  return new S3Error('PreconditionFailed', message, 412, [['Condition', condition]]);
}
