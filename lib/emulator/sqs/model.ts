/**
 * SQS state: queues and their messages. Pure data and invariants: no I/O, no validation of user input,
 * time passed in by the caller (which reads it from the Clock).
 *
 * Every operation is O(1) or O(log n) in the number of messages: a standard queue keeps its visible messages
 * in a linked list (FIFO order of arrival), a FIFO queue keeps one linked list per message group plus a list of
 * groups ready to deliver, and both keep in-flight and delayed messages in one deadline heap.
 */
import { DeadlineHeap, type HasDeadline } from './deadline-heap';

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

/** What a producer hands to a queue (already validated by the service). */
export interface NewMessage {
  id: string;
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

export class StoredMessage implements HasDeadline {
  visibleAt = 0;
  heapIndex = -1;
  state: MessageState = MessageState.Ready;
  receiveCount = 0;
  firstReceivedAt = 0;
  lastReceivedAt = 0;
  /** Incremented on every receive: a receipt handle is valid for one generation. */
  receiptGeneration = 0;
  /** Neighbours in the visible list (standard) or in the message group (FIFO). */
  prev: StoredMessage | undefined = undefined;
  next: StoredMessage | undefined = undefined;
  /** Neighbours in arrival order, for retention. */
  older: StoredMessage | undefined = undefined;
  newer: StoredMessage | undefined = undefined;
  group: MessageGroup | undefined = undefined;
  sequenceNumber: string | undefined = undefined;

  constructor(
    readonly seq: number,
    readonly enqueuedAt: number,
    readonly data: NewMessage,
  ) {}
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

interface DeduplicationEntry {
  messageId: string;
  sequenceNumber: string | undefined;
  expiresAt: number;
}

/** AWS: the FIFO deduplication interval is 5 minutes, and it outlives the message (deleted or not). */
export const DEDUPLICATION_INTERVAL_MS = 5 * 60_000;

let nextQueueId = 1;

export class Queue {
  /** Internal id: receipt handles carry it, so a handle is bound to this queue (not to a later namesake). */
  readonly id = nextQueueId++;
  readonly createdAt: number;
  lastModifiedAt: number;
  readonly tags = new Map<string, string>();
  lastPurgeAt: number | undefined = undefined;

  private nextSeq = 1;
  private readonly bySeq = new Map<number, StoredMessage>();
  private readonly deadlines = new DeadlineHeap<StoredMessage>();
  private oldest: StoredMessage | undefined = undefined;
  private newest: StoredMessage | undefined = undefined;
  // standard queues: visible messages in arrival order
  private readyHead: StoredMessage | undefined = undefined;
  private readyTail: StoredMessage | undefined = undefined;
  // FIFO queues: message groups, and the groups that can deliver now
  private readonly groups = new Map<string, MessageGroup>();
  private readyGroupsHead: MessageGroup | undefined = undefined;
  private readyGroupsTail: MessageGroup | undefined = undefined;
  private nextSequenceNumber = 0;
  private readonly deduplication = new Map<string, DeduplicationEntry>();
  private deduplicationOrder: string[] = [];
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
  ) {
    this.createdAt = now;
    this.lastModifiedAt = now;
  }

  get size(): number {
    return this.bySeq.size;
  }

  /** Earliest time at which a delayed or in-flight message becomes visible. */
  nextDeadline(): number | undefined {
    return this.deadlines.peek()?.visibleAt;
  }

  /** Brings the queue up to `now`: ends delays and visibility timeouts that are due, drops expired messages. */
  refresh(now: number): void {
    const retentionMs = this.settings.MessageRetentionPeriod * 1000;
    while (this.oldest !== undefined && this.oldest.enqueuedAt + retentionMs <= now) this.remove(this.oldest);
    for (;;) {
      const top = this.deadlines.peek();
      if (top === undefined || top.visibleAt > now) break;
      this.deadlines.pop();
      this.makeVisible(top);
    }
  }

  /** True when a receive would find a message now (call refresh first). */
  hasVisible(): boolean {
    return this.fifo ? this.readyGroupsHead !== undefined : this.readyHead !== undefined;
  }

  // --- FIFO deduplication -------------------------------------------------------------------------------

  /** The message an identical deduplication key produced within the last 5 minutes, if any. */
  findDuplicate(key: string, now: number): DeduplicationEntry | undefined {
    this.expireDeduplication(now);
    return this.deduplication.get(key);
  }

  private rememberDeduplication(key: string, message: StoredMessage, now: number): void {
    this.deduplication.set(key, {
      messageId: message.data.id,
      sequenceNumber: message.sequenceNumber,
      expiresAt: now + DEDUPLICATION_INTERVAL_MS,
    });
    this.deduplicationOrder.push(key);
  }

  private expireDeduplication(now: number): void {
    const order = this.deduplicationOrder;
    while (this.deduplicationHead < order.length) {
      const key = order[this.deduplicationHead];
      const entry = this.deduplication.get(key);
      if (entry !== undefined && entry.expiresAt > now) break;
      if (entry !== undefined) this.deduplication.delete(key);
      this.deduplicationHead++;
    }
    if (this.deduplicationHead > 1024 && this.deduplicationHead * 2 > order.length) {
      this.deduplicationOrder = order.slice(this.deduplicationHead);
      this.deduplicationHead = 0;
    }
  }

  // --- sending ------------------------------------------------------------------------------------------

  /** Stores a message. For FIFO queues, `deduplicationKey` is remembered for 5 minutes. */
  enqueue(data: NewMessage, now: number, deduplicationKey?: string): StoredMessage {
    const message = new StoredMessage(this.nextSeq++, now, data);
    this.bySeq.set(message.seq, message);
    // arrival order, for retention
    message.older = this.newest;
    if (this.newest) this.newest.newer = message;
    else this.oldest = message;
    this.newest = message;

    if (this.fifo) {
      message.sequenceNumber = formatSequenceNumber(++this.nextSequenceNumber);
      const groupId = data.groupId ?? '';
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
    now: number,
    redrive?: { maxReceiveCount: number; sink: DeadLetterSink },
  ): StoredMessage[] {
    this.refresh(now);
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
    if (message.firstReceivedAt === 0) message.firstReceivedAt = now;
    message.lastReceivedAt = now;
    message.receiptGeneration++;
    this.visibleCount--;
    this.inFlightCount++;
    this.deadlines.push(message);
  }

  /** Re-delivers the same in-flight messages (FIFO ReceiveRequestAttemptId retry), restarting their timeout. */
  extendVisibility(message: StoredMessage, visibilityTimeoutSeconds: number, now: number): void {
    message.visibleAt = now + visibilityTimeoutSeconds * 1000;
    this.deadlines.update(message);
  }

  // --- by receipt handle --------------------------------------------------------------------------------

  message(seq: number): StoredMessage | undefined {
    return this.bySeq.get(seq);
  }

  /** Sets a new visibility deadline; 0 makes the message visible at once. The message is hidden if it was visible. */
  changeVisibility(message: StoredMessage, visibilityTimeoutSeconds: number, now: number): void {
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
    // arrival order
    if (message.older) message.older.newer = message.newer;
    else this.oldest = message.newer;
    if (message.newer) message.newer.older = message.older;
    else this.newest = message.older;
    message.older = message.newer = undefined;
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
    this.oldest = this.newest = undefined;
    this.readyHead = this.readyTail = undefined;
    this.groups.clear();
    this.readyGroupsHead = this.readyGroupsTail = undefined;
    this.visibleCount = this.inFlightCount = this.delayedCount = 0;
  }

  /** Visible messages in arrival order, up to `max` (for message move tasks). */
  takeVisible(max: number, now: number): StoredMessage[] {
    this.refresh(now);
    const out: StoredMessage[] = [];
    let message = this.oldest;
    while (message !== undefined && out.length < max) {
      const next = message.newer;
      if (message.state === MessageState.Ready) out.push(message);
      message = next;
    }
    return out;
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

/** AWS FIFO sequence numbers are 20-digit decimal strings that grow with each message. */
function formatSequenceNumber(n: number): string {
  const digits = String(n);
  return `1${'0'.repeat(19 - digits.length)}${digits}`;
}
