/**
 * The responder side (after AWS's AmazonSQSResponderClient): send a reply to the address a request carries in
 * `ResponseQueueUrl`. A virtual queue address goes to its host queue with the virtual queue's name and the
 * request's correlation id as message attributes; a plain queue URL gets the reply as it is.
 */
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import {
  CORRELATION_ID_ATTRIBUTE,
  parseVirtualQueueUrl,
  queueNameOf,
  RESPONSE_QUEUE_URL_ATTRIBUTE,
  VIRTUAL_QUEUE_NAME_ATTRIBUTE,
} from './protocol';
import { isQueueGone } from './requester';

/** Where a request wants its reply. */
export interface ReplyAddress {
  /** A virtual queue URL (`HOST_URL#NAME`) or a queue URL. */
  readonly responseQueueUrl: string;
  readonly correlationId?: string;
}

/** A request that cannot be answered: it names no (valid) reply address. */
export class UnanswerableRequestError extends Error {
  constructor(reason: string) {
    super(`Unanswerable request: ${reason}`);
    this.name = 'UnanswerableRequestError';
  }
}

/** What became of a reply: sent, or dropped because the requester's queue no longer exists (it died). */
export type ReplyOutcome = 'sent' | 'requester-gone';

/** The reply address of a request as Lambda's SQS event delivers it. */
export function replyAddressOfRecord(record: SQSRecord): ReplyAddress {
  const attributes = record.messageAttributes ?? {};
  const responseQueueUrl = attributes[RESPONSE_QUEUE_URL_ATTRIBUTE]?.stringValue;
  if (responseQueueUrl === undefined) {
    throw new UnanswerableRequestError(
      `message ${record.messageId} has no ${RESPONSE_QUEUE_URL_ATTRIBUTE} attribute`,
    );
  }
  return { responseQueueUrl, correlationId: attributes[CORRELATION_ID_ATTRIBUTE]?.stringValue };
}

/** The reply address of a request as ReceiveMessage returns it (with MessageAttributeNames: All). */
export function replyAddressOfMessage(message: {
  readonly MessageId?: string;
  readonly MessageAttributes?: Record<string, MessageAttributeValue>;
}): ReplyAddress {
  const attributes = message.MessageAttributes ?? {};
  const responseQueueUrl = attributes[RESPONSE_QUEUE_URL_ATTRIBUTE]?.StringValue;
  if (responseQueueUrl === undefined) {
    throw new UnanswerableRequestError(
      `message ${message.MessageId} has no ${RESPONSE_QUEUE_URL_ATTRIBUTE} attribute`,
    );
  }
  return { responseQueueUrl, correlationId: attributes[CORRELATION_ID_ATTRIBUTE]?.StringValue };
}

/**
 * Sends `body` to the reply address. `hostQueueNamePrefix`, when given, is the only start of queue name replies
 * may go to (a request cannot make the responder write to any queue its role reaches). A reply to a queue that no
 * longer exists is dropped: its requester has gone, and nobody else may read it.
 */
export async function sendReply(
  sqs: SQSClient,
  address: ReplyAddress,
  body: string,
  options: { readonly hostQueueNamePrefix?: string } = {},
): Promise<ReplyOutcome> {
  const virtual = parseVirtualQueueUrl(address.responseQueueUrl);
  const queueUrl = virtual?.hostQueueUrl ?? address.responseQueueUrl;
  if (!isQueueUrl(queueUrl)) {
    throw new UnanswerableRequestError(
      `${RESPONSE_QUEUE_URL_ATTRIBUTE} '${address.responseQueueUrl.slice(0, 200)}' is not a queue URL`,
    );
  }
  const prefix = options.hostQueueNamePrefix;
  if (prefix !== undefined && !queueNameOf(queueUrl).startsWith(prefix)) {
    throw new UnanswerableRequestError(`replies go only to queues named ${prefix}*, not to ${queueUrl}`);
  }
  const attributes: Record<string, MessageAttributeValue> = {};
  if (virtual) attributes[VIRTUAL_QUEUE_NAME_ATTRIBUTE] = { DataType: 'String', StringValue: virtual.name };
  if (address.correlationId !== undefined) {
    attributes[CORRELATION_ID_ATTRIBUTE] = { DataType: 'String', StringValue: address.correlationId };
  }
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: Object.keys(attributes).length > 0 ? attributes : undefined,
      }),
    );
    return 'sent';
  } catch (error) {
    if (isQueueGone(error)) return 'requester-gone';
    throw error;
  }
}

/** `http(s)://HOST/ACCOUNT/NAME`, read by URL parsing and fixed-length checks, at most 2,048 characters. */
function isQueueUrl(text: string): boolean {
  if (text.length > 2048) return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  const parts = url.pathname.split('/');
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.search === '' &&
    url.hash === '' &&
    parts.length === 3 &&
    /^[0-9]{12}$/.test(parts[1]) &&
    /^[A-Za-z0-9_-]{1,80}$/.test(parts[2])
  );
}
