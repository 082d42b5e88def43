/**
 * The control API's view of SQS: every queue's counts (`GET /_emulator/queues`, the numbers the project CLI's
 * `status` and the console show) and a queue's messages (`GET /_emulator/queues/NAME/messages`), read from the
 * model without receiving anything: no receive count, no visibility timeout, no receipt handle changes.
 */
import { type MessageAttributes, MessageState, type Queue } from '../sqs/model';
import { redrivePolicyOf } from '../sqs/redrive';
import type { SqsService } from '../sqs/service';

export interface QueueSummary {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly fifo: boolean;
  /** ApproximateNumberOfMessages. */
  readonly visible: number;
  /** ApproximateNumberOfMessagesNotVisible. */
  readonly inFlight: number;
  /** ApproximateNumberOfMessagesDelayed. */
  readonly delayed: number;
  /** ApproximateAgeOfOldestMessage, null when the queue is empty. */
  readonly oldestAgeSeconds: number | null;
  /** The queue's RedrivePolicy target, by name. */
  readonly deadLetterQueue: string | null;
  /** The queues whose RedrivePolicy names this one (ListDeadLetterSourceQueues), by name. */
  readonly deadLetterSourceQueues: readonly string[];
}

export type PeekedState = 'visible' | 'inFlight' | 'delayed';

/** A message attribute as SQS's JSON protocol writes it. */
export interface SqsJsonAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  /** Base64. */
  readonly BinaryValue?: string;
}

export interface PeekedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly state: PeekedState;
  readonly receiveCount: number;
  readonly sentTimestamp: string;
  readonly firstReceiveTimestamp: string | null;
  /** When an in-flight or delayed message becomes visible; null for a visible one. */
  readonly visibleAt: string | null;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
  /** As SQS's JSON protocol writes MessageAttributes (binary values in base64). */
  readonly messageAttributes: Readonly<Record<string, SqsJsonAttribute>>;
}

/** The most messages one peek returns, as a ReceiveMessage's 10 would be too few to look at a backlog. */
export const MAX_PEEK = 100;

/** Every queue, by name, with its counts brought up to now. */
export function queueSummaries(sqs: SqsService): QueueSummary[] {
  const now = sqs.clock.now();
  const queues = [...sqs.allQueues()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sources = new Map<string, string[]>();
  for (const queue of queues) {
    const target = redrivePolicyOf(queue)?.deadLetterTargetArn;
    if (target !== undefined) sources.set(target, [...(sources.get(target) ?? []), queue.name]);
  }
  return queues.map((queue) => {
    queue.refresh(now);
    const oldest = queue.oldestArrival();
    const target = redrivePolicyOf(queue)?.deadLetterTargetArn;
    return {
      name: queue.name,
      url: queue.url,
      arn: queue.arn,
      fifo: queue.fifo,
      visible: queue.visibleCount,
      inFlight: queue.inFlightCount,
      delayed: queue.delayedCount,
      oldestAgeSeconds: oldest === undefined ? null : Math.max(0, Math.floor((now - oldest) / 1000)),
      deadLetterQueue: target === undefined ? null : target.slice(target.lastIndexOf(':') + 1),
      deadLetterSourceQueues: sources.get(queue.arn) ?? [],
    };
  });
}

/** The queue of that name, if it exists. */
export function queueNamed(sqs: SqsService, name: string): Queue | undefined {
  for (const queue of sqs.allQueues()) if (queue.name === name) return queue;
  return undefined;
}

/** Up to `max` messages of `queue` in arrival order, whatever their state, without changing any of them. */
export function peekMessages(sqs: SqsService, queue: Queue, max: number): PeekedMessage[] {
  const now = sqs.clock.now();
  // ends the delays and visibility timeouts already over, as GetQueueAttributes does: nothing a client sees
  queue.refresh(now);
  return queue.peek(max).map((message) => {
    const view = queue.view(message);
    const state: PeekedState =
      message.state === MessageState.InFlight
        ? 'inFlight'
        : message.state === MessageState.Delayed
          ? 'delayed'
          : 'visible';
    const groupId = view.extras?.groupId ?? message.group?.id;
    const deduplicationId = view.extras?.deduplicationId;
    return {
      messageId: view.id,
      body: view.body,
      md5OfBody: view.md5OfBody,
      state,
      receiveCount: view.receiveCount,
      sentTimestamp: new Date(view.sentAt).toISOString(),
      firstReceiveTimestamp: view.receiveCount > 0 ? new Date(view.firstReceivedAt).toISOString() : null,
      visibleAt: state === 'visible' ? null : new Date(view.visibleAt).toISOString(),
      ...(groupId !== undefined ? { messageGroupId: groupId } : {}),
      ...(deduplicationId !== undefined ? { messageDeduplicationId: deduplicationId } : {}),
      messageAttributes: jsonAttributes(view.extras?.attributes),
    };
  });
}

/** MessageAttributes in SQS's JSON protocol shape: binary values as base64. */
function jsonAttributes(attributes: MessageAttributes | undefined): Record<string, SqsJsonAttribute> {
  const out: Record<string, SqsJsonAttribute> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { BinaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
    };
  }
  return out;
}
