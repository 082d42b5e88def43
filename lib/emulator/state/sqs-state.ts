/**
 * SQS's durable state as records: queues (settings, tags, policy, ids), their messages (content, receive counts,
 * visibility deadlines, receipt generations), FIFO deduplication keys, and recently deleted names.
 */
import {
  type MessageAttributes,
  type MessageAttributeValue,
  type MessageExtras,
  type MessageRecord,
  MessageState,
  Queue,
  type QueueSettings,
  type StoredMessage,
} from '../sqs/model';
import { MessageMoveTask, type MoveTaskStatus } from '../sqs/move-task';
import type { SqsChanges, SqsService } from '../sqs/service';
import type { RecordSource } from './journal';
import type { StateRecord } from './state-directory';

/** AWS: a deleted queue's name is blocked for 60 seconds. */
const RECREATE_DELAY_MS = 60_000;

/** A queue as persisted (key: its internal id). Times are epoch milliseconds. */
interface QueueValue {
  name: string;
  fifo: boolean;
  createdAt: number;
  lastModifiedAt: number;
  lastPurgeAt?: number;
  settings: Omit<QueueSettings, 'extra'> & { extra: Record<string, string> };
  tags: Record<string, string>;
  epoch: number;
  idPrefix: string;
  receiptRun: string;
  nextSeq: number;
}

/** A message move task as persisted (key: its id). */
interface MoveTaskValue {
  sourceArn: string;
  destinationArn?: string;
  rate?: number;
  toMove: number;
  moved: number;
  startedAt: number;
  status: MoveTaskStatus;
  failureReason?: string;
}

/** What changes after a message is stored: a receive, a visibility change. */
type MessageStateValue = Pick<
  MessageRecord,
  'state' | 'visibleAt' | 'receiveCount' | 'firstReceivedAt' | 'lastReceivedAt' | 'receiptGeneration'
>;

/** Collects SQS's changes between two journal batches. */
export class SqsRecorder implements SqsChanges, RecordSource {
  /** Queue-level changes, in the order they happened. */
  private ordered: StateRecord[] = [];
  /** Messages changed since the last drain; `added`: not yet in the journal at all. */
  private messages = new Map<StoredMessage, { queue: Queue; added: boolean }>();
  private readonly deletions = new Map<string, number>();
  /** Each move task as last written (`status/moved`): progress made by its timer is written with the next batch. */
  private readonly writtenTasks = new Map<string, string>();

  constructor(
    private readonly sqs: SqsService,
    private readonly changed: () => void,
  ) {}

  queueChanged(queue: Queue): void {
    this.ordered.push({ svc: 'sqs', kind: 'queue', key: [queue.id], value: queueValue(queue) });
    this.changed();
  }

  queueDeleted(queue: Queue, atMs: number): void {
    this.deletions.set(queue.name, atMs);
    this.ordered.push(
      { svc: 'sqs', kind: 'queue', key: [queue.id], value: null },
      { svc: 'sqs', kind: 'queue-deletion', key: [queue.name], value: { at: atMs } },
    );
    this.changed();
  }

  deletionsForgotten(): void {
    this.deletions.clear();
    this.ordered.push({ svc: 'sqs', kind: 'queue-deletion', key: [], value: null });
    this.changed();
  }

  moveTasksChanged(): void {
    this.changed();
  }

  /** Restore: a task comes back as written; its record is rewritten only if it changes. */
  taskRestored(task: MessageMoveTask): void {
    this.writtenTasks.set(task.id, `${task.status}/${task.moved}`);
  }

  /** Restore: a deletion still blocking its name goes into the next snapshot too. */
  rememberDeletion(name: string, atMs: number): void {
    this.deletions.set(name, atMs);
  }

  messageAdded(queue: Queue, message: StoredMessage): void {
    this.messages.set(message, { queue, added: true });
    this.changed();
  }

  messageChanged(queue: Queue, message: StoredMessage): void {
    if (!this.messages.has(message)) this.messages.set(message, { queue, added: false });
    this.changed();
  }

  purged(queue: Queue): void {
    this.ordered.push({ svc: 'sqs', kind: 'purge', key: [queue.id], value: {} });
    this.changed();
  }

  deduplicationRemembered(queue: Queue, key: string, seq: number, expiresAtMs: number): void {
    this.ordered.push({
      svc: 'sqs',
      kind: 'deduplication',
      key: [queue.id, key],
      value: { seq, expiresAt: expiresAtMs },
    });
    this.changed();
  }

  drain(out: StateRecord[]): void {
    for (const record of this.ordered) out.push(record);
    this.ordered = [];
    for (const [message, { queue, added }] of this.messages) {
      const key = [queue.id, message.seq];
      if (message.state === MessageState.Gone) {
        // written even for a message that came and went in one batch: its sequence number stays used
        out.push({ svc: 'sqs', kind: 'message', key, value: null });
      } else if (added) {
        out.push({ svc: 'sqs', kind: 'message', key, value: encodeMessage(queue.record(message)) });
      } else {
        const r = queue.record(message);
        const value: MessageStateValue = {
          state: r.state,
          visibleAt: r.visibleAt,
          receiveCount: r.receiveCount,
          firstReceivedAt: r.firstReceivedAt,
          lastReceivedAt: r.lastReceivedAt,
          receiptGeneration: r.receiptGeneration,
        };
        out.push({ svc: 'sqs', kind: 'message-state', key, value });
      }
    }
    this.messages = new Map();
    for (const task of this.sqs.moveTaskList()) {
      const seen = `${task.status}/${task.moved}`;
      if (this.writtenTasks.get(task.id) === seen) continue;
      this.writtenTasks.set(task.id, seen);
      out.push(moveTaskRecord(task));
    }
  }

  snapshot(out: StateRecord[]): void {
    const now = this.sqs.clock.now();
    for (const queue of this.sqs.allQueues()) {
      out.push({ svc: 'sqs', kind: 'queue', key: [queue.id], value: queueValue(queue) });
      queue.forEachMessage((message) => {
        out.push({
          svc: 'sqs',
          kind: 'message',
          key: [queue.id, message.seq],
          value: encodeMessage(queue.record(message)),
        });
      });
      for (const entry of queue.deduplicationEntries()) {
        if (entry.expiresAt <= now) continue;
        out.push({
          svc: 'sqs',
          kind: 'deduplication',
          key: [queue.id, entry.key],
          value: { seq: entry.seq, expiresAt: entry.expiresAt },
        });
      }
    }
    for (const [name, at] of this.deletions) {
      if (now - at >= RECREATE_DELAY_MS) this.deletions.delete(name);
      else out.push({ svc: 'sqs', kind: 'queue-deletion', key: [name], value: { at } });
    }
    for (const task of this.sqs.moveTaskList()) {
      this.writtenTasks.set(task.id, `${task.status}/${task.moved}`);
      out.push(moveTaskRecord(task));
    }
  }
}

interface RestoringQueue {
  value: QueueValue;
  messages: Map<number, MessageRecord>;
  deduplication: { key: string; seq: number; expiresAt: number }[];
  nextSeq: number;
}

/**
 * Replays SQS's records into `sqs` (empty, not yet serving). Queue URLs take the current endpoint: only their path
 * identifies a queue. Visibility deadlines and delays already past are settled by the queues' next refresh.
 */
export function restoreSqs(
  records: readonly StateRecord[],
  sqs: SqsService,
  endpoint: string,
  recorder: SqsRecorder,
): void {
  const queues = new Map<number, RestoringQueue>();
  const deletions = new Map<string, number>();
  const tasks = new Map<string, MoveTaskValue>();
  for (const record of records) {
    if (record.svc !== 'sqs') continue;
    const id = Number(record.key[0]);
    const queue = queues.get(id);
    switch (record.kind) {
      case 'queue':
        if (record.value === null) queues.delete(id);
        else if (queue) queue.value = record.value as QueueValue;
        else {
          const value = record.value as QueueValue;
          queues.set(id, { value, messages: new Map(), deduplication: [], nextSeq: value.nextSeq });
        }
        break;
      case 'queue-deletion':
        // no key: every name freed at once (a reset)
        if (record.key.length === 0) deletions.clear();
        else deletions.set(String(record.key[0]), (record.value as { at: number }).at);
        break;
      case 'purge':
        queue?.messages.clear();
        break;
      case 'message': {
        const seq = Number(record.key[1]);
        if (!queue) break;
        if (queue.nextSeq <= seq) queue.nextSeq = seq + 1;
        if (record.value === null) queue.messages.delete(seq);
        else queue.messages.set(seq, decodeMessage(record.value as MessageRecord));
        break;
      }
      case 'message-state': {
        const message = queue?.messages.get(Number(record.key[1]));
        if (message) Object.assign(message, record.value as MessageStateValue);
        break;
      }
      case 'deduplication': {
        const value = record.value as { seq: number; expiresAt: number };
        queue?.deduplication.push({ key: String(record.key[1]), seq: value.seq, expiresAt: value.expiresAt });
        break;
      }
      case 'move-task':
        tasks.set(String(record.key[0]), record.value as MoveTaskValue);
        break;
      default:
        throw new Error(`unknown record kind sqs/${record.kind}`);
    }
  }
  const now = sqs.clock.now();
  for (const [id, restoring] of queues) {
    const v = restoring.value;
    const settings: QueueSettings = { ...v.settings, extra: new Map(Object.entries(v.settings.extra)) };
    const queue = new Queue(
      v.name,
      `arn:aws:sqs:${sqs.region}:${sqs.accountId}:${v.name}`,
      `${endpoint}/${sqs.accountId}/${v.name}`,
      v.fifo,
      settings,
      v.createdAt,
      { id, epoch: v.epoch, idPrefix: v.idPrefix, receiptRun: v.receiptRun },
    );
    queue.lastModifiedAt = v.lastModifiedAt;
    queue.lastPurgeAt = v.lastPurgeAt;
    for (const [key, value] of Object.entries(v.tags)) queue.tags.set(key, value);
    for (const seq of [...restoring.messages.keys()].sort((a, b) => a - b)) {
      queue.restoreMessage(restoring.messages.get(seq) as MessageRecord);
    }
    queue.restoreNextSequenceNumber(restoring.nextSeq);
    for (const entry of restoring.deduplication) {
      if (entry.expiresAt > now) queue.restoreDeduplication(entry.key, entry.seq, entry.expiresAt);
    }
    sqs.adoptQueue(queue);
  }
  for (const [id, v] of tasks) {
    const task = new MessageMoveTask(id, v.sourceArn, v.destinationArn, v.rate, v.toMove, v.startedAt);
    task.moved = v.moved;
    // a task does not resume after a restart: one that was running comes back cancelled
    task.status = v.status === 'RUNNING' || v.status === 'CANCELLING' ? 'CANCELLED' : v.status;
    task.failureReason = v.failureReason;
    sqs.adoptMoveTask(task);
    recorder.taskRestored(task);
  }
  for (const [name, at] of deletions) {
    if (now - at >= RECREATE_DELAY_MS || sqs.queueNames().includes(name)) continue;
    sqs.adoptDeletion(name, at);
    recorder.rememberDeletion(name, at);
  }
}

function moveTaskRecord(task: MessageMoveTask): StateRecord {
  const value: MoveTaskValue = {
    sourceArn: task.sourceArn,
    toMove: task.toMove,
    moved: task.moved,
    startedAt: task.startedAt,
    status: task.status,
  };
  if (task.destinationArn !== undefined) value.destinationArn = task.destinationArn;
  if (task.rate !== undefined) value.rate = task.rate;
  if (task.failureReason !== undefined) value.failureReason = task.failureReason;
  return { svc: 'sqs', kind: 'move-task', key: [task.id], value };
}

function queueValue(queue: Queue): QueueValue {
  const { extra, ...numbers } = queue.settings;
  const identity = queue.identity;
  const value: QueueValue = {
    name: queue.name,
    fifo: queue.fifo,
    createdAt: queue.createdAt,
    lastModifiedAt: queue.lastModifiedAt,
    settings: { ...numbers, extra: Object.fromEntries(extra) },
    tags: Object.fromEntries(queue.tags),
    epoch: identity.epoch,
    idPrefix: identity.idPrefix,
    receiptRun: identity.receiptRun,
    nextSeq: queue.nextSequenceNumber,
  };
  if (queue.lastPurgeAt !== undefined) value.lastPurgeAt = queue.lastPurgeAt;
  return value;
}

// binary attribute values go to JSON as base64 strings (in memory they are always bytes, never strings)

function encodeMessage(record: MessageRecord): MessageRecord {
  const extras = record.extras;
  if (extras?.attributes === undefined && extras?.systemAttributes === undefined) return record;
  return { ...record, extras: mapAttributes(extras, encodeValue) };
}

function decodeMessage(record: MessageRecord): MessageRecord {
  const extras = record.extras;
  if (extras?.attributes === undefined && extras?.systemAttributes === undefined) return record;
  return { ...record, extras: mapAttributes(extras, decodeValue) };
}

function mapAttributes(
  extras: MessageExtras,
  map: (value: MessageAttributeValue) => MessageAttributeValue,
): MessageExtras {
  const each = (attributes: MessageAttributes | undefined) =>
    attributes === undefined
      ? undefined
      : Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, map(value)]));
  return { ...extras, attributes: each(extras.attributes), systemAttributes: each(extras.systemAttributes) };
}

function encodeValue(value: MessageAttributeValue): MessageAttributeValue {
  const out = { ...value } as Record<string, unknown>;
  if (value.BinaryValue !== undefined) out.BinaryValue = Buffer.from(value.BinaryValue).toString('base64');
  if (value.BinaryListValues !== undefined) {
    out.BinaryListValues = value.BinaryListValues.map((b) => Buffer.from(b).toString('base64'));
  }
  return out as unknown as MessageAttributeValue;
}

function decodeValue(value: MessageAttributeValue): MessageAttributeValue {
  const raw = value as unknown as { BinaryValue?: string; BinaryListValues?: string[] };
  const out: MessageAttributeValue = { ...value };
  if (raw.BinaryValue !== undefined) out.BinaryValue = Buffer.from(raw.BinaryValue, 'base64');
  if (raw.BinaryListValues !== undefined) {
    out.BinaryListValues = raw.BinaryListValues.map((b) => Buffer.from(b, 'base64'));
  }
  return out;
}
