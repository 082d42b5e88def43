/**
 * The wire contract of temporary (virtual) queues, as AWS's Temporary Queue Client for Java publishes it
 * (amazon-sqs-java-temporary-queues-client): a virtual queue is `HOST_QUEUE_URL#NAME`, a message for it travels on
 * the host queue with the virtual queue's name in a message attribute, a request names where to reply in
 * `ResponseQueueUrl`, and a host queue carries its idle retention period and its owner's last heartbeat as tags.
 * Kept to the same names, so requesters and responders of either implementation understand each other.
 */

/** Request attribute: the address (a virtual queue URL) the responder sends the reply to. */
export const RESPONSE_QUEUE_URL_ATTRIBUTE = 'ResponseQueueUrl';
/** Message attribute naming the virtual queue a message on a host queue is for. */
export const VIRTUAL_QUEUE_NAME_ATTRIBUTE = '__AmazonSQSVirtualQueuesClient.QueueName';
/** Request and reply attribute: the id the reply must echo, checked besides the virtual queue. */
export const CORRELATION_ID_ATTRIBUTE = 'CorrelationId';

/** Host queue tag: seconds without a heartbeat after which the queue is idle and may be swept. */
export const IDLE_QUEUE_RETENTION_PERIOD_TAG = '__IdleQueueRetentionPeriodSeconds';
/** Host queue tag: the owner's last heartbeat, in milliseconds since the epoch. */
export const LAST_HEARTBEAT_TIMESTAMP_TAG = '__AmazonSQSIdleQueueDeletingClient.LastHeartbeatTimestamp';

/** The design's bounds of IdleQueueRetentionPeriodSeconds: 1 second to 5 minutes. */
export const IDLE_QUEUE_RETENTION_PERIOD_SECONDS = { min: 1, max: 300 } as const;
/** The design's heartbeat interval: every 5 seconds by default, never more often than every second. */
export const HEARTBEAT_INTERVAL_SECONDS = { default: 5, min: 1 } as const;

/** A virtual queue: its host queue's URL and its own name. */
export interface VirtualQueueAddress {
  readonly hostQueueUrl: string;
  readonly name: string;
}

/** Virtual queue names: what a queue name may hold (letters, digits, `-`, `_`), 1-80 characters. */
const VIRTUAL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** `https://sqs.REGION.amazonaws.com/ACCOUNT/HOST#NAME`. */
export function virtualQueueUrl(address: VirtualQueueAddress): string {
  return `${address.hostQueueUrl}#${address.name}`;
}

/** The host queue and name of a virtual queue URL, or undefined when `url` is not one. */
export function parseVirtualQueueUrl(url: string): VirtualQueueAddress | undefined {
  const hash = url.indexOf('#');
  if (hash <= 0 || url.length > 2048) return undefined;
  const hostQueueUrl = url.slice(0, hash);
  const name = url.slice(hash + 1);
  if (!VIRTUAL_NAME_PATTERN.test(name)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(hostQueueUrl);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  return { hostQueueUrl, name };
}

/** The queue name at the end of a queue URL (`.../000000000000/NAME`). */
export function queueNameOf(queueUrl: string): string {
  return queueUrl.slice(queueUrl.lastIndexOf('/') + 1);
}
