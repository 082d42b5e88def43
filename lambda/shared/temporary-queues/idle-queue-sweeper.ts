/**
 * The sweeper (after AWS's IdleQueueSweeper): lists the host queues under a name prefix and deletes each one
 * whose owner stopped heartbeating for longer than the queue's own idle retention period. A queue without the
 * retention tag is not a host queue and is left alone. Unlike the Java client, a host queue is deleted even when
 * replies wait in it: they were addressed to a requester that is gone, and nobody else may read them.
 */
import {
  DeleteQueueCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { IDLE_QUEUE_RETENTION_PERIOD_TAG, LAST_HEARTBEAT_TIMESTAMP_TAG } from './protocol';
import { isQueueGone } from './requester';

export interface SweepOptions {
  readonly sqs: SQSClient;
  /** The host queues' name prefix (ListQueues QueueNamePrefix). */
  readonly hostQueueNamePrefix: string;
  /** Now, in milliseconds since the epoch (the emulator's clock in tests). @default Date.now() */
  readonly now?: number;
}

export interface SweepResult {
  /** URLs of the host queues deleted. */
  readonly deleted: readonly string[];
  /** Host queues found alive. */
  readonly alive: number;
}

/** At most this many ListQueues pages (1,000 queues each) per sweep: the loop is bounded. */
const MAX_PAGES = 100;

/** Whether a host queue's tags say its owner stopped heartbeating more than its retention period ago. */
export function isIdle(tags: Readonly<Record<string, string>>, now: number): boolean | undefined {
  const retention = Number(tags[IDLE_QUEUE_RETENTION_PERIOD_TAG]);
  if (tags[IDLE_QUEUE_RETENTION_PERIOD_TAG] === undefined || !Number.isFinite(retention)) return undefined;
  const heartbeat = Number(tags[LAST_HEARTBEAT_TIMESTAMP_TAG]);
  return !Number.isFinite(heartbeat) || now - heartbeat > retention * 1000;
}

/** One sweep: deletes the idle host queues under the prefix. */
export async function sweepIdleHostQueues(options: SweepOptions): Promise<SweepResult> {
  const { sqs, hostQueueNamePrefix } = options;
  const now = options.now ?? Date.now();
  const deleted: string[] = [];
  let alive = 0;
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const listed = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: hostQueueNamePrefix, MaxResults: 1000, NextToken: nextToken }),
    );
    for (const queueUrl of listed.QueueUrls ?? []) {
      try {
        const { Tags = {} } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }));
        const idle = isIdle(Tags, now);
        if (idle === undefined) continue;
        if (!idle) {
          alive++;
          continue;
        }
        await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
        deleted.push(queueUrl);
      } catch (error) {
        // deleted meanwhile (its requester closed, or another sweeper was quicker): nothing left to do
        if (!isQueueGone(error)) throw error;
      }
    }
    nextToken = listed.NextToken;
    if (!nextToken) break;
  }
  return { deleted, alive };
}
