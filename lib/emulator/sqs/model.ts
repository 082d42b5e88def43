/**
 * SQS state: queues and their messages. Pure data and invariants: no I/O, no validation of user input,
 * time passed in by the caller (which reads it from the Clock).
 *
 * Every operation is O(1) or O(log n) in the number of messages: a standard queue keeps its visible messages
 * in a linked list (FIFO order of arrival), a FIFO queue keeps one linked list per message group plus a list of
 * groups ready to deliver, and both keep in-flight and delayed messages in one deadline heap.
 *
 * Messages are kept small, because a backlog of a million of them is live data the garbage collector copies:
 * one object per message, times stored as small integers relative to the queue's creation (V8 keeps those
 * unboxed), message ids derived from the sequence number instead of stored.
 */
import { randomBytes } from 'node:crypto';
import { DeadlineHeap, type HasDeadline } from './deadline-heap';
import { MessageIndex } from './message-index';
import { RECEIPT_RUN } from './receipt-handle';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
  StringListValues?: string[];
  BinaryListValues?: Uint8Array[];
}
export type MessageAttributes = Record<string, MessageAttributeValue>;

export enum MessageState {
  Ready = 0,
  Delayed = 1,
  InFlight = 2,
  Gone = 3,
}

/** What a producer hands to a queue (already validated by the service). Times are epoch milliseconds. */
export interface NewMessage {
  /** Set when the message keeps an id it already had (dead-letter moves, move tasks); otherwise derived. */
  id?: string;
  body: string;
  md5OfBody: string;
  attributes?: MessageAttributes;
  md5OfAttributes?: string;
  systemAttributes?: MessageAttributes;
  md5OfSystemAttributes?: string;
  senderId: string;
  sentAt: number;
  delaySeconds: number;
  groupId?: string;
  deduplicationId?: string;
  deadLetterSourceArn?: string;
}

/** Rarely set fields, kept out of line so a plain message stays small. */
export interface MessageExtras {
  id?: string;
  attributes?: MessageAttributes;
  md5OfAttributes?: string;
  systemAttributes?: MessageAttributes;
  md5OfSystemAttributes?: string;
  groupId?: string;
  deduplicationId?: string;
  deadLetterSourceArn?: string;
}

/** A message in a queue. Times (`visibleAt`, `enqueuedAt`, ...) are milliseconds since the queue was created. */
export class StoredMessage implements HasDeadline {
  visibleAt = 0;
  heapIndex = -1;
  state: MessageState = MessageState.Ready;
  receiveCount = 0;
  firstReceivedAt = -1;
  lastReceivedAt = 0;
  /** Incremented on every receive: a receipt handle is valid for one generation. */
  receiptGeneration = 0;
  /** Neighbours in the visible list (standard) or in the message group (FIFO). */
  prev: StoredMessage | undefined = undefined;
  next: StoredMessage | undefined = undefined;
  group: MessageGroup | undefined = undefined;

  constructor(
    readonly seq: number,
    readonly enqueuedAt: number,
    readonly sentAt: number,
    readonly body: string,
    readonly md5OfBody: string,
    readonly senderId: string,
    /** Rare fields; never holds the deduplication id (see `deduplicationId`). */
    readonly extras: MessageExtras | undefined,
    /** FIFO: on the message itself, not in `extras`, so a FIFO message is one object, not two. */
    readonly deduplicationId: string | undefined,
  ) {}
}

/** A message's extras as readers and snapshots see them: the deduplication id merged back in. */
function extrasOf(message: StoredMessage): MessageExtras | undefined {
  const deduplicationId = message.deduplicationId;
  return deduplicationId === undefined ? message.extras : { ...message.extras, deduplicationId };
}

/** Persisted extras split as a StoredMessage keeps them: the rest (undefined if nothing), and the deduplication id. */
function splitExtras(extras: MessageExtras | undefined): [MessageExtras | undefined, string | undefined] {
  if (extras === undefined) return [undefined, undefined];
  const { deduplicationId, ...rest } = extras;
  const any = Object.values(rest).some((value) => value !== undefined);
  return [any ? rest : undefined, deduplicationId];
}

/** A message as the service reads it: absolute times, derived fields resolved. */
export interface MessageView {
  id: string;
  body: string;
  md5OfBody: string;
  senderId: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt: number;
  lastReceivedAt: number;
  visibleAt: number;
  extras: MessageExtras | undefined;
  sequenceNumber: string | undefined;
}

export class MessageGroup {
  head: StoredMessage | undefined = undefined;
  tail: StoredMessage | undefined = undefined;
  size = 0;
  inFlight = 0;
  inReadyList = false;
  prevReady: MessageGroup | undefined = undefined;
  nextReady: MessageGroup | undefined = undefined;
  constructor(readonly id: string) {}
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** Queue attributes as typed values (the service converts from and to AWS's string map). */
export interface QueueSettings {
  DelaySeconds: number;
  MaximumMessageSize: number;
  MessageRetentionPeriod: number;
  ReceiveMessageWaitTimeSeconds: number;
  VisibilityTimeout: number;
  /** Attributes stored as given: Policy, RedrivePolicy, RedriveAllowPolicy, KMS and SSE settings, FIFO flags. */
  extra: Map<string, string>;
}

/** Called for a message that has been received maxReceiveCount times; returns true if it was taken. */
export type DeadLetterSink = (message: StoredMessage) => boolean;

/** What a duplicate send reports: the original message. */
export interface DuplicateOf {
  messageId: string;
  sequenceNumber: string | undefined;
}

/** AWS: the FIFO deduplication interval is 5 minutes, and it outlives the message (deleted or not). */
export const DEDUPLICATION_INTERVAL_MS = 5 * 60_000;

/**
 * Told about every change of a queue's durable state (`--state-dir`). Visibility ending and retention are not
 * reported: a restore derives them from the times it is given.
 */
export interface QueueChanges {
  messageAdded(queue: Queue, message: StoredMessage): void;
  /** Received, visibility changed, or deleted (then `message.state` is Gone). */
  messageChanged(queue: Queue, message: StoredMessage): void;
  purged(queue: Queue): void;
  deduplicationRemembered(queue: Queue, key: string, seq: number, expiresAtMs: number): void;
}

/** What a restored queue keeps of its earlier life: receipt handles and message ids stay valid. */
export interface QueueIdentity {
  readonly id: number;
  readonly epoch: number;
  readonly idPrefix: string;
  readonly receiptRun: string;
}

/** A message as persisted: absolute times, the state it was in. */
export interface MessageRecord {
  seq: number;
  body: string;
  md5OfBody: string;
  senderId: string;
  sentAt: number;
  enqueuedAt: number;
  groupId?: string;
  extras?: MessageExtras;
  state: MessageState;
  visibleAt: number;
  receiveCount: number;
  /** -1 until first received. */
  firstReceivedAt: number;
  lastReceivedAt: number;
  receiptGeneration: number;
}

let nextQueueId = 1;

export class Queue {
  /** Internal id: receipt handles carry it, so a handle is bound to this queue (not to a later namesake). */
  readonly id: number;
  /** The salt of this queue's receipt handles: a restored queue keeps its own, so handles held stay valid. */
  readonly receiptRun: string;
  /** Durable-state listener (persistence); undefined without `--state-dir`, so the hooks cost one check. */
  changes: QueueChanges | undefined = undefined;
  readonly createdAt: number;
  lastModifiedAt: number;
  readonly tags = new Map<string, string>();
  lastPurgeAt: number | undefined = undefined;

  /** Time origin of every stored time: small integers stay unboxed in V8 (about 24 days of range). */
  private readonly epoch: number;
  /** Random per queue: message ids are this prefix plus the message's sequence number. */
  private readonly idPrefix: string;
  private nextSeq = 1;
  private readonly bySeq = new MessageIndex<StoredMessage>();
  private readonly deadlines = new DeadlineHeap<StoredMessage>();
  /** Every sequence number below this is gone: retention walks arrival (= sequence) order from here. */
  private oldestSeq = 1;
  // standard queues: visible messages in arrival order
  private readyHead: StoredMessage | undefined = undefined;
  private readyTail: StoredMessage | undefined = undefined;
  // FIFO queues: message groups, and the groups that can deliver now
  private readonly groups = new Map<string, MessageGroup>();
  private readyGroupsHead: MessageGroup | undefined = undefined;
  private readyGroupsTail: MessageGroup | undefined = undefined;
  // FIFO deduplication: key -> seq of the message it produced, plus the keys in expiry (= arrival) order
  private readonly deduplication = new Map<string, number>();
  private deduplicationKeys: string[] = [];
  private deduplicationExpiry: number[] = [];
  private deduplicationHead = 0;

  visibleCount = 0;
  inFlightCount = 0;
  delayedCount = 0;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly url: string,
    readonly fifo: boolean,
    readonly settings: QueueSettings,
    now: number,
    identity?: QueueIdentity,
  ) {
    this.createdAt = now;
    this.lastModifiedAt = now;
    this.epoch = identity?.epoch ?? now;
    this.id = identity?.id ?? nextQueueId++;
    if (nextQueueId <= this.id) nextQueueId = this.id + 1;
    this.idPrefix = identity?.idPrefix ?? messageIdPrefix();
    this.receiptRun = identity?.receiptRun ?? RECEIPT_RUN;
  }

  /** What a restore needs to give this queue back its ids and handles. */
  get identity(): QueueIdentity {
    return { id: this.id, epoch: this.epoch, idPrefix: this.idPrefix, receiptRun: this.receiptRun };
  }

  /** The next sequence number (message ids and FIFO sequence numbers keep growing across a restore). */
  get nextSequenceNumber(): number {
    return this.nextSeq;
  }

  /** The message as persisted (absolute times). */
  record(message: StoredMessage): MessageRecord {
    const record: MessageRecord = {
      seq: message.seq,
      body: message.body,
      md5OfBody: message.md5OfBody,
      senderId: message.senderId,
      sentAt: message.sentAt + this.epoch,
      enqueuedAt: message.enqueuedAt + this.epoch,
      state: message.state,
      visibleAt: message.visibleAt + this.epoch,
      receiveCount: message.receiveCount,
      firstReceivedAt: message.firstReceivedAt < 0 ? -1 : message.firstReceivedAt + this.epoch,
      lastReceivedAt: message.lastReceivedAt + this.epoch,
      receiptGeneration: message.receiptGeneration,
    };
    if (message.group !== undefined) record.groupId = message.group.id;
    const extras = extrasOf(message);
    if (extras !== undefined) record.extras = extras;
    return record;
  }

  /** Every message still here, in sequence order (snapshots). */
  forEachMessage(callback: (message: StoredMessage) => void): void {
    this.bySeq.forEach(callback);
  }

  /** The deduplication keys remembered, oldest first (snapshots). */
  deduplicationEntries(): { key: string; seq: number; expiresAt: number }[] {
    const out: { key: string; seq: number; expiresAt: number }[] = [];
    for (let i = this.deduplicationHead; i < this.deduplicationKeys.length; i++) {
      const key = this.deduplicationKeys[i];
      const seq = this.deduplication.get(key);
      if (seq !== undefined) out.push({ key, seq, expiresAt: this.deduplicationExpiry[i] + this.epoch });
    }
    return out;
  }

  /**
   * Puts back a persisted message (restore, in sequence order). A deadline already passed is settled by the
   * next `refresh`, as for a message that was here all along.
   */
  restoreMessage(record: MessageRecord): void {
    const [extras, deduplicationId] = splitExtras(record.extras);
    const message = new StoredMessage(
      record.seq,
      this.at(record.enqueuedAt),
      this.at(record.sentAt),
      record.body,
      record.md5OfBody,
      record.senderId,
      extras,
      deduplicationId,
    );
    message.receiveCount = record.receiveCount;
    message.firstReceivedAt = record.firstReceivedAt < 0 ? -1 : this.at(record.firstReceivedAt);
    message.lastReceivedAt = this.at(record.lastReceivedAt);
    message.receiptGeneration = record.receiptGeneration;
    message.visibleAt = this.at(record.visibleAt);
    message.state = record.state;
    if (this.nextSeq <= record.seq) this.nextSeq = record.seq + 1;
    this.bySeq.set(message);
    const group = this.fifo ? this.appendToGroup(message, record.groupId ?? '') : undefined;
    if (record.state === MessageState.InFlight) {
      this.inFlightCount++;
      if (group) group.inFlight++;
      this.deadlines.push(message);
    } else if (record.state === MessageState.Delayed) {
      this.delayedCount++;
      this.deadlines.push(message);
    } else {
      message.state = MessageState.Ready;
      this.visibleCount++;
      if (!group) this.appendReady(message);
    }
    if (group) this.updateGroupReadiness(group);
  }

  /** Restore: the sequence numbers already used (by messages since deleted too). */
  restoreNextSequenceNumber(next: number): void {
    if (this.nextSeq < next) this.nextSeq = next;
  }

  /** Restore: a deduplication key still within its 5 minutes, in the order it was remembered. */
  restoreDeduplication(key: string, seq: number, expiresAtMs: number): void {
    this.deduplication.set(key, seq);
    this.deduplicationKeys.push(key);
    this.deduplicationExpiry.push(this.at(expiresAtMs));
  }

  /** Converts epoch milliseconds to this queue's stored time. */
  private at(ms: number): number {
    const relative = ms - this.epoch;
    // the difference of two large numbers is a boxed double even when small: `| 0` makes it a Smi, so the time
    // fields of a million messages stay unboxed (a double field costs a 16-byte box per message, and GC work)
    return relative === (relative | 0) ? relative | 0 : relative;
  }

  messageId(message: StoredMessage): string {
    return message.extras?.id ?? this.idPrefix + message.seq.toString(16).padStart(12, '0');
  }

  view(message: StoredMessage): MessageView {
    return {
      id: this.messageId(message),
      body: message.body,
      md5OfBody: message.md5OfBody,
      senderId: message.senderId,
      sentAt: message.sentAt + this.epoch,
      receiveCount: message.receiveCount,
      firstReceivedAt: message.firstReceivedAt < 0 ? 0 : message.firstReceivedAt + this.epoch,
      lastReceivedAt: message.lastReceivedAt + this.epoch,
      visibleAt: message.visibleAt + this.epoch,
      extras: extrasOf(message),
      sequenceNumber: message.group ? formatSequenceNumber(message.seq) : undefined,
    };
  }

  /** The message as something to enqueue elsewhere (dead-letter queues, move tasks): same id and content. */
  toNewMessage(message: StoredMessage): NewMessage {
    const extras = extrasOf(message);
    return {
      ...extras,
      id: this.messageId(message),
      body: message.body,
      md5OfBody: message.md5OfBody,
      senderId: message.senderId,
      sentAt: message.sentAt + this.epoch,
      delaySeconds: 0,
      groupId: extras?.groupId ?? message.group?.id,
    };
  }

  get size(): number {
    return this.bySeq.size;
  }

  /** Earliest time at which a delayed or in-flight message becomes visible. */
  nextDeadline(): number | undefined {
    const top = this.deadlines.peek();
    return top === undefined ? undefined : top.visibleAt + this.epoch;
  }

  /** Brings the queue up to `now`: ends delays and visibility timeouts that are due, drops expired messages. */
  refresh(nowMs: number): void {
    const now = this.at(nowMs);
    const retentionMs = this.settings.MessageRetentionPeriod * 1000;
    for (;;) {
      const oldest = this.bySeq.firstFrom(this.oldestSeq, this.nextSeq);
      this.oldestSeq = oldest === undefined ? this.nextSeq : oldest.seq;
      if (oldest === undefined || oldest.enqueuedAt + retentionMs > now) break;
      this.remove(oldest);
    }
    for (;;) {
      const top = this.deadlines.peek();
      if (top === undefined || top.visibleAt > now) break;
      this.deadlines.pop();
      this.makeVisible(top);
    }
  }

  /** When the oldest message still in the queue arrived in it, epoch ms (call refresh first); undefined if empty. */
  oldestArrival(): number | undefined {
    const oldest = this.bySeq.firstFrom(this.oldestSeq, this.nextSeq);
    return oldest === undefined ? undefined : oldest.enqueuedAt + this.epoch;
  }

  /** True when a receive would find a message now (call refresh first). */
  hasVisible(): boolean {
    return this.fifo ? this.readyGroupsHead !== undefined : this.readyHead !== undefined;
  }

  // --- FIFO deduplication -------------------------------------------------------------------------------

  /** The message an identical deduplication key produced within the last 5 minutes, if any. */
  findDuplicate(key: string, nowMs: number): DuplicateOf | undefined {
    this.expireDeduplication(this.at(nowMs));
    const seq = this.deduplication.get(key);
    if (seq === undefined) return undefined;
    // in a FIFO queue the sequence number is the message's seq: both count every message sent
    return {
      messageId: this.idPrefix + seq.toString(16).padStart(12, '0'),
      sequenceNumber: formatSequenceNumber(seq),
    };
  }

  /** FIFO: the message goes to the end of its group's line (the group is made on its first message). */
  private appendToGroup(message: StoredMessage, groupId: string): MessageGroup {
    let group = this.groups.get(groupId);
    if (group === undefined) {
      group = new MessageGroup(groupId);
      this.groups.set(groupId, group);
    }
    message.group = group;
    message.prev = group.tail;
    if (group.tail) group.tail.next = message;
    else group.head = message;
    group.tail = message;
    group.size++;
    return group;
  }

  private rememberDeduplication(key: string, message: StoredMessage, now: number): void {
    this.deduplication.set(key, message.seq);
    this.deduplicationKeys.push(key);
    this.deduplicationExpiry.push(now + DEDUPLICATION_INTERVAL_MS);
    const expiresAt = now + DEDUPLICATION_INTERVAL_MS + this.epoch;
    this.changes?.deduplicationRemembered(this, key, message.seq, expiresAt);
  }

  private expireDeduplication(now: number): void {
    const keys = this.deduplicationKeys;
    const expiry = this.deduplicationExpiry;
    let head = this.deduplicationHead;
    // a key is only sent again once its entry expired and was removed here, so the head is always current
    while (head < keys.length && expiry[head] <= now) this.deduplication.delete(keys[head++]);
    if (head > 1024 && head * 2 > keys.length) {
      this.deduplicationKeys = keys.slice(head);
      this.deduplicationExpiry = expiry.slice(head);
      head = 0;
    }
    this.deduplicationHead = head;
  }

  // --- sending ------------------------------------------------------------------------------------------

  /** Stores a message. For FIFO queues, `deduplicationKey` is remembered for 5 minutes. */
  enqueue(data: NewMessage, nowMs: number, deduplicationKey?: string): StoredMessage {
    const now = this.at(nowMs);
    let extras: MessageExtras | undefined;
    if (
      data.id !== undefined ||
      data.attributes !== undefined ||
      data.systemAttributes !== undefined ||
      data.deadLetterSourceArn !== undefined ||
      (data.groupId !== undefined && !this.fifo)
    ) {
      extras = {
        id: data.id,
        attributes: data.attributes,
        md5OfAttributes: data.md5OfAttributes,
        systemAttributes: data.systemAttributes,
        md5OfSystemAttributes: data.md5OfSystemAttributes,
        groupId: this.fifo ? undefined : data.groupId,
        deduplicationId: undefined,
        deadLetterSourceArn: data.deadLetterSourceArn,
      };
    }
    const message = new StoredMessage(
      this.nextSeq++,
      now,
      this.at(data.sentAt),
      data.body,
      data.md5OfBody,
      data.senderId,
      extras,
      data.deduplicationId,
    );
    this.bySeq.set(message);

    if (this.fifo) {
      this.appendToGroup(message, data.groupId ?? '');
      if (deduplicationKey !== undefined) this.rememberDeduplication(deduplicationKey, message, now);
    }

    if (data.delaySeconds > 0) {
      message.state = MessageState.Delayed;
      message.visibleAt = now + data.delaySeconds * 1000;
      this.deadlines.push(message);
      this.delayedCount++;
    } else {
      message.state = MessageState.Ready;
      message.visibleAt = now;
      this.visibleCount++;
      if (this.fifo) this.updateGroupReadiness(message.group as MessageGroup);
      else this.appendReady(message);
    }
    this.changes?.messageAdded(this, message);
    return message;
  }

  // --- receiving ----------------------------------------------------------------------------------------

  /**
   * Takes up to `max` visible messages and hides them for `visibilityTimeoutSeconds`. A message already received
   * `maxReceiveCount` times goes to `deadLetter` instead (AWS: moved when the receive count exceeds it).
   */
  receive(
    max: number,
    visibilityTimeoutSeconds: number,
    nowMs: number,
    redrive?: { maxReceiveCount: number; sink: DeadLetterSink },
  ): StoredMessage[] {
    this.refresh(nowMs);
    const now = this.at(nowMs);
    const taken: StoredMessage[] = [];
    const visibleAt = now + visibilityTimeoutSeconds * 1000;
    if (!this.fifo) {
      while (taken.length < max && this.readyHead !== undefined) {
        const message = this.readyHead;
        if (
          redrive &&
          message.receiveCount >= redrive.maxReceiveCount &&
          this.deadLetter(message, redrive.sink)
        )
          continue;
        this.unlinkReady(message);
        this.hide(message, visibleAt, now);
        taken.push(message);
      }
      return taken;
    }
    // AWS: a FIFO receive returns as many messages of one group as it can, in order, before moving on.
    while (taken.length < max && this.readyGroupsHead !== undefined) {
      const group = this.readyGroupsHead;
      let message = group.head;
      while (message !== undefined && message.state === MessageState.Ready && taken.length < max) {
        const following: StoredMessage | undefined = message.next;
        if (
          redrive &&
          message.receiveCount >= redrive.maxReceiveCount &&
          this.deadLetter(message, redrive.sink)
        ) {
          message = following;
          continue;
        }
        this.hide(message, visibleAt, now);
        group.inFlight++;
        taken.push(message);
        message = following;
      }
      this.updateGroupReadiness(group);
    }
    return taken;
  }

  private deadLetter(message: StoredMessage, sink: DeadLetterSink): boolean {
    if (!sink(message)) return false;
    this.remove(message);
    return true;
  }

  private hide(message: StoredMessage, visibleAt: number, now: number): void {
    message.state = MessageState.InFlight;
    message.visibleAt = visibleAt;
    message.receiveCount++;
    if (message.firstReceivedAt < 0) message.firstReceivedAt = now;
    message.lastReceivedAt = now;
    message.receiptGeneration++;
    this.visibleCount--;
    this.inFlightCount++;
    this.deadlines.push(message);
    this.changes?.messageChanged(this, message);
  }

  /** Re-delivers the same in-flight messages (FIFO ReceiveRequestAttemptId retry), restarting their timeout. */
  extendVisibility(message: StoredMessage, visibilityTimeoutSeconds: number, nowMs: number): void {
    message.visibleAt = this.at(nowMs) + visibilityTimeoutSeconds * 1000;
    this.deadlines.update(message);
    this.changes?.messageChanged(this, message);
  }

  // --- by receipt handle --------------------------------------------------------------------------------

  message(seq: number): StoredMessage | undefined {
    return this.bySeq.get(seq);
  }

  /** Sets a new visibility deadline; 0 makes the message visible at once. The message is hidden if it was visible. */
  changeVisibility(message: StoredMessage, visibilityTimeoutSeconds: number, nowMs: number): void {
    const now = this.at(nowMs);
    if (message.state === MessageState.Ready) {
      if (this.fifo) return;
      // AWS (standard queues): changing the visibility of a message whose timeout already expired hides it again
      if (visibilityTimeoutSeconds === 0) return;
      this.unlinkReady(message);
      message.state = MessageState.InFlight;
      message.visibleAt = now + visibilityTimeoutSeconds * 1000;
      this.visibleCount--;
      this.inFlightCount++;
      this.deadlines.push(message);
      this.changes?.messageChanged(this, message);
      return;
    }
    if (message.state !== MessageState.InFlight) return;
    message.visibleAt = now + visibilityTimeoutSeconds * 1000;
    if (visibilityTimeoutSeconds === 0) {
      this.deadlines.remove(message);
      this.makeVisible(message);
    } else {
      this.deadlines.update(message);
    }
    this.changes?.messageChanged(this, message);
  }

  /** Deletes one message, whatever its state. */
  remove(message: StoredMessage): void {
    switch (message.state) {
      case MessageState.Ready:
        this.visibleCount--;
        if (!this.fifo) this.unlinkReady(message);
        break;
      case MessageState.Delayed:
        this.delayedCount--;
        this.deadlines.remove(message);
        break;
      case MessageState.InFlight:
        this.inFlightCount--;
        this.deadlines.remove(message);
        if (message.group) message.group.inFlight--;
        break;
      default:
        return;
    }
    message.state = MessageState.Gone;
    this.bySeq.delete(message.seq);
    this.changes?.messageChanged(this, message);
    const group = message.group;
    if (group) {
      if (message.prev) message.prev.next = message.next;
      else group.head = message.next;
      if (message.next) message.next.prev = message.prev;
      else group.tail = message.prev;
      message.prev = message.next = undefined;
      group.size--;
      if (group.size === 0) {
        this.unlinkGroup(group);
        this.groups.delete(group.id);
      } else {
        this.updateGroupReadiness(group);
      }
    }
  }

  /** Deletes every message (PurgeQueue). Deduplication history survives, as on AWS. */
  purge(): void {
    this.bySeq.forEach((message) => {
      message.state = MessageState.Gone;
    });
    this.bySeq.clear();
    this.deadlines.clear();
    this.oldestSeq = this.nextSeq;
    this.readyHead = this.readyTail = undefined;
    this.groups.clear();
    this.readyGroupsHead = this.readyGroupsTail = undefined;
    this.visibleCount = this.inFlightCount = this.delayedCount = 0;
    this.changes?.purged(this);
  }

  /** Visible messages in arrival order, up to `max` (for message move tasks). */
  takeVisible(max: number, now: number): StoredMessage[] {
    this.refresh(now);
    const out: StoredMessage[] = [];
    let message = this.bySeq.firstFrom(this.oldestSeq, this.nextSeq);
    while (message !== undefined && out.length < max) {
      if (message.state === MessageState.Ready) out.push(message);
      message = this.bySeq.firstFrom(message.seq + 1, this.nextSeq);
    }
    return out;
  }

  /** Up to `max` messages in arrival order, in any state, left untouched (the control API's peek). */
  peek(max: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    let message = this.bySeq.firstFrom(this.oldestSeq, this.nextSeq);
    while (message !== undefined && out.length < max) {
      out.push(message);
      message = this.bySeq.firstFrom(message.seq + 1, this.nextSeq);
    }
    return out;
  }

  /** Milliseconds since the receive that produced the message's latest receipt handle. */
  sinceLastReceive(message: StoredMessage, nowMs: number): number {
    return this.at(nowMs) - message.lastReceivedAt;
  }

  // --- internals ----------------------------------------------------------------------------------------

  private makeVisible(message: StoredMessage): void {
    if (message.state === MessageState.Delayed) this.delayedCount--;
    else if (message.state === MessageState.InFlight) {
      this.inFlightCount--;
      if (message.group) message.group.inFlight--;
    } else return;
    message.state = MessageState.Ready;
    this.visibleCount++;
    if (message.group) this.updateGroupReadiness(message.group);
    else this.appendReady(message);
  }

  private appendReady(message: StoredMessage): void {
    message.next = undefined;
    message.prev = this.readyTail;
    if (this.readyTail) this.readyTail.next = message;
    else this.readyHead = message;
    this.readyTail = message;
  }

  private unlinkReady(message: StoredMessage): void {
    if (message.prev) message.prev.next = message.next;
    else if (this.readyHead === message) this.readyHead = message.next;
    else return;
    if (message.next) message.next.prev = message.prev;
    else this.readyTail = message.prev;
    message.prev = message.next = undefined;
  }

  /** AWS: a group delivers only while none of its messages is in flight, and only from its head, in order. */
  private updateGroupReadiness(group: MessageGroup): void {
    const ready = group.inFlight === 0 && group.head !== undefined && group.head.state === MessageState.Ready;
    if (ready === group.inReadyList) return;
    if (ready) {
      group.prevReady = this.readyGroupsTail;
      group.nextReady = undefined;
      if (this.readyGroupsTail) this.readyGroupsTail.nextReady = group;
      else this.readyGroupsHead = group;
      this.readyGroupsTail = group;
      group.inReadyList = true;
    } else {
      this.unlinkGroup(group);
    }
  }

  private unlinkGroup(group: MessageGroup): void {
    if (!group.inReadyList) return;
    if (group.prevReady) group.prevReady.nextReady = group.nextReady;
    else this.readyGroupsHead = group.nextReady;
    if (group.nextReady) group.nextReady.prevReady = group.prevReady;
    else this.readyGroupsTail = group.prevReady;
    group.prevReady = group.nextReady = undefined;
    group.inReadyList = false;
  }
}

/** A random UUID's first four groups, with the version (4) and variant bits of a v4 UUID. */
function messageIdPrefix(): string {
  const hex = randomBytes(10).toString('hex');
  const variant = ((Number.parseInt(hex[15], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-${variant}${hex.slice(16, 19)}-`;
}

/** AWS FIFO sequence numbers are 20-digit decimal strings that grow with each message. */
function formatSequenceNumber(n: number): string {
  const digits = String(n);
  return `1${'0'.repeat(19 - digits.length)}${digits}`;
}
