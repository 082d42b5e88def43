/**
 * The clickstream of chapter 5: page views, one JSON object each, keyed by the visitor's session. The same events
 * go through a Kinesis stream (partition key = sessionId), an SQS FIFO queue (message group id = sessionId) and an
 * SNS topic, so the chapter can compare ordering, replay, retention and deletion across the three families.
 */

/** One page view, as the site's tracker sends it. */
export interface PageView {
  /** The visitor's session: the partition key and the message group id, so a session's views stay in order. */
  readonly sessionId: string;
  /** Position of the view within its session, from 1: what the ordering comparison looks at. */
  readonly seq: number;
  /** The page path, `/` and what follows. */
  readonly page: string;
  /** When the browser sent it, ISO 8601. */
  readonly viewedAt: string;
  /** The browser's user agent, if the tracker sent it. */
  readonly userAgent?: string;
}

/** A page view that is not one, with every problem found. */
export class InvalidPageViewError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid page view: ${problems.join('; ')}`);
    this.name = 'InvalidPageViewError';
  }
}

/** Session ids: what Kinesis accepts as a partition key and SQS as a message group id (both 1–128 characters). */
const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Bounded, so a hostile record cannot make the parser work hard. */
const MAX_PAGE_LENGTH = 2_048;
const MAX_USER_AGENT_LENGTH = 512;
const MAX_SEQ = 1_000_000;

/** Parses and checks one page view (JSON text); throws InvalidPageViewError listing every problem. */
export function parsePageView(text: string): PageView {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidPageViewError(['the record is not JSON']);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidPageViewError(['the record is not a JSON object']);
  }
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof v.sessionId !== 'string' || !SESSION_ID.test(v.sessionId)) {
    problems.push('sessionId must be 1 to 128 letters, digits, - or _');
  }
  if (typeof v.seq !== 'number' || !Number.isInteger(v.seq) || v.seq < 1 || v.seq > MAX_SEQ) {
    problems.push(`seq must be a whole number from 1 to ${MAX_SEQ}`);
  }
  if (typeof v.page !== 'string' || !v.page.startsWith('/') || v.page.length > MAX_PAGE_LENGTH) {
    problems.push(`page must be a path starting with / of at most ${MAX_PAGE_LENGTH} characters`);
  }
  if (typeof v.viewedAt !== 'string' || v.viewedAt.length > 64 || Number.isNaN(Date.parse(v.viewedAt))) {
    problems.push('viewedAt must be an ISO 8601 time');
  }
  if (
    v.userAgent !== undefined &&
    (typeof v.userAgent !== 'string' || v.userAgent.length > MAX_USER_AGENT_LENGTH)
  ) {
    problems.push(`userAgent must be text of at most ${MAX_USER_AGENT_LENGTH} characters`);
  }
  if (problems.length > 0) throw new InvalidPageViewError(problems);
  return {
    sessionId: v.sessionId as string,
    seq: v.seq as number,
    page: v.page as string,
    viewedAt: v.viewedAt as string,
    ...(v.userAgent !== undefined ? { userAgent: v.userAgent as string } : {}),
  };
}

/** Whether a view comes from a crawler, which the archive leaves out (the transform drops it). */
export function isBot(view: PageView): boolean {
  return /bot|crawler|spider/i.test(view.userAgent ?? '');
}

/** A page view as the archive keeps it: one JSON line, with the day it belongs to. */
export function archiveLine(view: PageView): string {
  return `${JSON.stringify({ ...view, day: view.viewedAt.slice(0, 10) })}\n`;
}
