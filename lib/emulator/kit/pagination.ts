/**
 * Pages of a list operation (ListTopics, ListQueues, DescribeAlarms, DescribeAutoScalingGroups, …). Tokens are
 * opaque, as AWS's are: clients hand back what they were given, and a token the service did not give out answers
 * the service's own error rather than a wrong page.
 */
import type { AwsError } from '../errors';

/** Longer than any token pageAfter gives out. */
const MAX_KEY_TOKEN = 1024;

export interface PageRequest {
  /** Items on one page: the caller's MaxResults/MaxRecords (validated by the service), else the service's default. */
  readonly pageSize: number;
  /** The NextToken the caller handed back, if any; an empty string is no token. */
  readonly token: string | undefined;
  /** The service's error for a token it did not hand out (SNS `InvalidParameter`, CloudWatch `InvalidNextToken`…). */
  readonly invalidToken: () => AwsError;
}

export interface Page<T> {
  readonly items: T[];
  /** Present when more items follow. */
  readonly nextToken?: string;
}

/** One page by position: the token holds where the page ends. */
export function pageOf<T>(all: readonly T[], request: PageRequest): Page<T> {
  let start = 0;
  if (request.token !== undefined && request.token !== '') {
    const text = request.token.length <= 24 ? Buffer.from(request.token, 'base64url').toString('utf8') : '';
    start = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
    if (!(start >= 0 && start <= all.length)) throw request.invalidToken();
  }
  const end = start + request.pageSize;
  const items = all.slice(start, end);
  return end < all.length ? { items, nextToken: Buffer.from(String(end)).toString('base64url') } : { items };
}

/**
 * One page by key, for lists sorted by a unique key (queue names): the token holds the last key given, so a page
 * stays right when items before it are deleted between calls.
 */
export function pageAfter<T>(all: readonly T[], keyOf: (item: T) => string, request: PageRequest): Page<T> {
  let start = 0;
  if (request.token !== undefined && request.token !== '') {
    let after: unknown;
    try {
      // a token given out here holds one key (a queue name is at most 80 characters): nothing longer is read
      const text =
        request.token.length <= MAX_KEY_TOKEN ? Buffer.from(request.token, 'base64url').toString() : '';
      after = (JSON.parse(text) as { after?: unknown }).after;
    } catch {
      after = undefined;
    }
    if (typeof after !== 'string') throw request.invalidToken();
    start = firstAfter(all, keyOf, after);
  }
  const items = all.slice(start, start + request.pageSize);
  if (start + request.pageSize >= all.length) return { items };
  const last = keyOf(items[items.length - 1]);
  return { items, nextToken: Buffer.from(JSON.stringify({ after: last })).toString('base64url') };
}

/** The index of the first item whose key sorts after `key` (binary search: the list is sorted by key). */
function firstAfter<T>(all: readonly T[], keyOf: (item: T) => string, key: string): number {
  let low = 0;
  let high = all.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keyOf(all[middle]) <= key) low = middle + 1;
    else high = middle;
  }
  return low;
}
