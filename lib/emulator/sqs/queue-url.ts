/**
 * Queue URLs as requests name them: any host, only the path `/ACCOUNT/NAME` matters. Read with string searches,
 * never a regular expression (a backtracking one took 26 seconds on a 160,000-character `a://aaaa…`).
 */
import { AwsError } from '../errors';

export function queueDoesNotExist(): AwsError {
  return new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
}

/** The account and (percent-decoded) queue name a URL addresses; AWS's error for one that addresses none. */
export function queueAddress(text: string): { account: string; name: string } {
  const parts = queueUrlParts(text);
  if (!parts) {
    if (schemeLength(text) > 0 || text.includes('/')) throw queueDoesNotExist();
    throw new AwsError('InvalidAddress', `The address ${text} is not valid for this endpoint.`, 404);
  }
  const name = parts.name.includes('%') ? decodeURIComponentSafe(parts.name) : parts.name;
  return { account: parts.account, name };
}

/** Splits `[scheme://authority]/ACCOUNT/NAME[/]`; the name stops at `?` and `#` (no match then). */
function queueUrlParts(text: string): { account: string; name: string } | undefined {
  const scheme = schemeLength(text);
  let path = text;
  if (scheme > 0) {
    const slash = text.indexOf('/', scheme);
    if (slash < 0) return undefined;
    path = text.slice(slash);
  }
  const start = path.startsWith('/') ? 1 : 0;
  const end = path.endsWith('/') && path.length > start + 1 ? path.length - 1 : path.length;
  const separator = path.indexOf('/', start);
  if (separator <= start || separator >= end - 1) return undefined;
  const account = path.slice(start, separator);
  const name = path.slice(separator + 1, end);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) return undefined;
  }
  return { account, name };
}

/** The length of a leading `scheme://` (RFC 3986 scheme characters), 0 when there is none. */
function schemeLength(text: string): number {
  const colon = text.indexOf('://');
  if (colon < 1) return 0;
  for (let i = 0; i < colon; i++) {
    const c = text.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (i === 0 ? !letter : !(letter || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return 0;
  }
  return colon + 3;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
