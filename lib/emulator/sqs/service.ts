/**
 * Amazon SQS: one method per AWS operation. Validates input, throws AwsError, drives the model with time from
 * the Clock, and wakes long-polling receivers on events (sends, visibility and delay expiry), never on a tick.
 */
import { randomUUID } from 'node:crypto';
import type {
  AddPermissionRequest,
  CancelMessageMoveTaskRequest,
  CancelMessageMoveTaskResult,
  ChangeMessageVisibilityBatchRequest,
  ChangeMessageVisibilityBatchResult,
  ChangeMessageVisibilityRequest,
  CreateQueueRequest,
  CreateQueueResult,
  DeleteMessageBatchRequest,
  DeleteMessageBatchResult,
  DeleteMessageRequest,
  DeleteQueueRequest,
  GetQueueAttributesRequest,
  GetQueueAttributesResult,
  GetQueueUrlRequest,
  GetQueueUrlResult,
  ListDeadLetterSourceQueuesRequest,
  ListDeadLetterSourceQueuesResult,
  ListMessageMoveTasksRequest,
  ListMessageMoveTasksResult,
  ListQueuesRequest,
  ListQueuesResult,
  ListQueueTagsRequest,
  ListQueueTagsResult,
  Message,
  PurgeQueueRequest,
  ReceiveMessageRequest,
  ReceiveMessageResult,
  RemovePermissionRequest,
  SendMessageBatchRequest,
  SendMessageBatchRequestEntry,
  SendMessageBatchResult,
  SendMessageRequest,
  SendMessageResult,
  SetQueueAttributesRequest,
  StartMessageMoveTaskRequest,
  StartMessageMoveTaskResult,
  TagQueueRequest,
  UntagQueueRequest,
} from '@aws-sdk/client-sqs';
import type { ActivityLog } from '../activity';
import type { Clock, Timer } from '../clock';
import { AwsError, invalidParameterValue, missingParameter } from '../errors';
import { md5Hex, md5OfMessageAttributes, sha256Hex } from './message-digest';
import {
  validateBody,
  validateFifoToken,
  validateMessageAttributes,
  validateSystemAttributes,
} from './message-validation';
import { type MessageAttributes, MessageState, type NewMessage, Queue, type StoredMessage } from './model';
import { MessageMoveTask } from './move-task';
import { boundedJsonObject } from '../kit/json-nesting';
import {
  applyAttributes,
  defaultSettings,
  READABLE_ATTRIBUTES,
  storedAttribute,
  validateAttributes,
} from './queue-attributes';
import { decodeReceiptHandle, encodeReceiptHandle } from './receipt-handle';

export const LOCAL_ACCOUNT_ID = '000000000000';
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 1_048_576;
const MAX_VISIBILITY_TIMEOUT = 43_200;
const BATCH_ENTRY_ID = /^[a-zA-Z0-9_-]{1,80}$/;
const QUEUE_NAME = /^[a-zA-Z0-9_-]{1,80}$/;
/** AWS: a ReceiveRequestAttemptId can be reused for 5 minutes. */
const RECEIVE_ATTEMPT_MS = 5 * 60_000;
/** AWS: one PurgeQueue per queue every 60 seconds; a deleted queue's name is blocked for 60 seconds. */
const PURGE_INTERVAL_MS = 60_000;
const RECREATE_DELAY_MS = 60_000;

export interface SqsServiceOptions {
  clock: Clock;
  region: string;
  accountId?: string;
  /** Base of queue URLs, e.g. `http://127.0.0.1:4566`; read on each use (the port is known only once listening). */
  endpoint: () => string;
  /** Told about sends and dead-lettering (the live log of `npm start`). */
  activity?: ActivityLog;
}

/** Options of an in-process receive: cancel a long poll when its caller goes away. */
export interface ReceiveOptions {
  signal?: AbortSignal;
}

/**
 * What CloudWatch's AWS/SQS metrics count, reported by the service as it happens (set with `observeMetrics`).
 * AWS: messages moved to a dead-letter queue are neither sent to it nor received from their source.
 */
export interface SqsMetricsListener {
  /** SendMessage or a SendMessageBatch entry stored a message of `bytes` (body and attributes); not a duplicate. */
  sent(queue: Queue, bytes: number): void;
  /** A ReceiveMessage call answered with `count` messages; 0 is an empty receive. */
  received(queue: Queue, count: number): void;
  /** DeleteMessage or a DeleteMessageBatch entry succeeded (a repeated delete of the same message too). */
  deleted(queue: Queue): void;
}

interface Waiter {
  tryDeliver(): boolean;
  cancel(): void;
}

interface WaitList {
  waiters: Waiter[];
  wakeTimer: Timer | undefined;
}

interface ReceiveAttempt {
  expiresAt: number;
  messages: { message: StoredMessage; generation: number }[];
}

interface ReceiveShape {
  max: number;
  visibilityTimeout: number;
  systemAttributeNames: Set<string> | 'All' | undefined;
  messageAttributeNames: string[] | undefined;
  attemptId: string | undefined;
}

export class SqsService {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  private readonly endpoint: () => string;
  private readonly activity: ActivityLog | undefined;
  private readonly queues = new Map<string, Queue>();
  private readonly queuesByUrl = new Map<string, Queue>();
  private readonly deletedAt = new Map<string, number>();
  private readonly waitLists = new Map<number, WaitList>();
  private readonly receiveAttempts = new Map<number, Map<string, ReceiveAttempt>>();
  private readonly moveTasks: MessageMoveTask[] = [];
  private metrics: SqsMetricsListener | undefined;

  constructor(options: SqsServiceOptions) {
    this.clock = options.clock;
    this.region = options.region;
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    this.endpoint = options.endpoint;
    this.activity = options.activity;
  }

  // ===== queues ==============================================================================================

  createQueue(input: CreateQueueRequest): CreateQueueResult {
    const name = requireString(input.QueueName, 'QueueName');
    const attributes = stringMap(input.Attributes, 'Attributes');
    const fifo = attributes.FifoQueue === 'true';
    validateQueueName(name, fifo);
    const now = this.clock.now();
    const existing = this.queues.get(name);
    if (existing) {
      const requested = validateAttributes(attributes, existing.fifo, true);
      for (const [key, value] of requested) {
        const current = key === 'FifoQueue' ? String(existing.fifo) : storedAttribute(existing.settings, key);
        if ((current ?? '') !== value) {
          throw new AwsError(
            'QueueAlreadyExists',
            `A queue already exists with the same name and a different value for attribute ${key}`,
          );
        }
      }
      return { QueueUrl: existing.url };
    }
    const deletedAt = this.deletedAt.get(name);
    if (deletedAt !== undefined && now - deletedAt < RECREATE_DELAY_MS) {
      throw new AwsError(
        'AWS.SimpleQueueService.QueueDeletedRecently',
        'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
      );
    }
    const requested = validateAttributes(attributes, fifo, true);
    this.checkRedrive(name, fifo, requested);
    const settings = defaultSettings(fifo);
    requested.delete('FifoQueue');
    applyAttributes(settings, requested);
    this.checkThroughputLimit(settings.extra);
    const queue = new Queue(
      name,
      this.arnOf(name),
      `${this.endpoint()}/${this.accountId}/${name}`,
      fifo,
      settings,
      now,
    );
    const tags = stringMap(input.tags, 'tags');
    validateTags(tags, name, 0);
    for (const [k, v] of Object.entries(tags)) queue.tags.set(k, v);
    this.queues.set(name, queue);
    return { QueueUrl: queue.url };
  }

  deleteQueue(input: DeleteQueueRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    const now = this.clock.now();
    this.queues.delete(queue.name);
    for (const [url, cached] of this.queuesByUrl) if (cached === queue) this.queuesByUrl.delete(url);
    this.deletedAt.set(queue.name, now);
    for (const [name, at] of this.deletedAt) if (now - at >= RECREATE_DELAY_MS) this.deletedAt.delete(name);
    this.receiveAttempts.delete(queue.id);
    queue.purge();
    const list = this.waitLists.get(queue.id);
    if (list) {
      this.waitLists.delete(queue.id);
      if (list.wakeTimer) this.clock.clearTimer(list.wakeTimer);
      for (const waiter of list.waiters) waiter.cancel();
    }
  }

  getQueueUrl(input: GetQueueUrlRequest): GetQueueUrlResult {
    const name = requireString(input.QueueName, 'QueueName');
    const owner = optionalString(input.QueueOwnerAWSAccountId, 'QueueOwnerAWSAccountId');
    const queue = this.queues.get(name);
    if (!queue || (owner !== undefined && owner !== this.accountId)) throw queueDoesNotExist();
    return { QueueUrl: queue.url };
  }

  listQueues(input: ListQueuesRequest = {}): ListQueuesResult {
    const prefix = optionalString(input.QueueNamePrefix, 'QueueNamePrefix') ?? '';
    const names = [...this.queues.keys()].filter((n) => n.startsWith(prefix)).sort();
    const page = paginate(names, input.MaxResults, input.NextToken);
    const result: ListQueuesResult = {};
    if (page.items.length > 0) result.QueueUrls = page.items.map((n) => (this.queues.get(n) as Queue).url);
    if (page.nextToken) result.NextToken = page.nextToken;
    return result;
  }

  getQueueAttributes(input: GetQueueAttributesRequest): GetQueueAttributesResult {
    const queue = this.queueOf(input.QueueUrl);
    const requested = stringList(input.AttributeNames, 'AttributeNames');
    for (const name of requested) {
      if (!READABLE_ATTRIBUTES.has(name))
        throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    const now = this.clock.now();
    queue.refresh(now);
    const all = requested.includes('All');
    const wanted = (name: string) => all || requested.includes(name);
    const attributes: Record<string, string> = {};
    const put = (name: string, value: string | undefined) => {
      if (value !== undefined && wanted(name)) attributes[name] = value;
    };
    put('QueueArn', queue.arn);
    put('ApproximateNumberOfMessages', String(queue.visibleCount));
    put('ApproximateNumberOfMessagesNotVisible', String(queue.inFlightCount));
    put('ApproximateNumberOfMessagesDelayed', String(queue.delayedCount));
    put('CreatedTimestamp', String(Math.floor(queue.createdAt / 1000)));
    put('LastModifiedTimestamp', String(Math.floor(queue.lastModifiedAt / 1000)));
    for (const name of [
      'VisibilityTimeout',
      'MaximumMessageSize',
      'MessageRetentionPeriod',
      'DelaySeconds',
      'ReceiveMessageWaitTimeSeconds',
    ]) {
      put(name, storedAttribute(queue.settings, name));
    }
    for (const [name, value] of queue.settings.extra) put(name, value);
    return { Attributes: attributes };
  }

  setQueueAttributes(input: SetQueueAttributesRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    if (input.Attributes === undefined || input.Attributes === null) throw missingParameter('Attributes');
    const requested = validateAttributes(stringMap(input.Attributes, 'Attributes'), queue.fifo, false);
    this.checkRedrive(queue.name, queue.fifo, requested);
    const merged = new Map(queue.settings.extra);
    for (const [k, v] of requested) merged.set(k, v);
    this.checkThroughputLimit(merged);
    applyAttributes(queue.settings, requested);
    queue.lastModifiedAt = this.clock.now();
    // a shorter retention period or a changed redrive policy can change what is deliverable right now
    this.notify(queue);
  }

  purgeQueue(input: PurgeQueueRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    const now = this.clock.now();
    if (queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < PURGE_INTERVAL_MS) {
      throw new AwsError(
        'AWS.SimpleQueueService.PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`,
        403,
      );
    }
    queue.lastPurgeAt = now;
    queue.purge();
    this.receiveAttempts.delete(queue.id);
  }

  tagQueue(input: TagQueueRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    if (input.Tags === undefined || input.Tags === null) throw missingParameter('Tags');
    const tags = stringMap(input.Tags, 'Tags');
    const added = Object.keys(tags).filter((k) => !queue.tags.has(k)).length;
    validateTags(tags, queue.name, queue.tags.size + added - Object.keys(tags).length);
    for (const [k, v] of Object.entries(tags)) queue.tags.set(k, v);
  }

  untagQueue(input: UntagQueueRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    if (input.TagKeys === undefined || input.TagKeys === null) throw missingParameter('TagKeys');
    for (const key of stringList(input.TagKeys, 'TagKeys')) queue.tags.delete(key);
  }

  listQueueTags(input: ListQueueTagsRequest): ListQueueTagsResult {
    const queue = this.queueOf(input.QueueUrl);
    return { Tags: Object.fromEntries(queue.tags) };
  }

  addPermission(input: AddPermissionRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    const label = requireString(input.Label, 'Label');
    if (!/^[a-zA-Z0-9_-]{1,80}$/.test(label)) {
      throw invalidParameterValue(
        `Value ${label} for parameter Label is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.`,
      );
    }
    const accounts = stringList(input.AWSAccountIds, 'AWSAccountIds');
    const actions = stringList(input.Actions, 'Actions');
    if (accounts.length === 0) throw missingParameter('AWSAccountIds');
    if (actions.length === 0) throw missingParameter('Actions');
    const policy = this.policyOf(queue);
    if (policy.Statement.some((s) => s.Sid === label)) {
      throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: Already exists.`);
    }
    const principals = accounts.map((a) => `arn:aws:iam::${a}:root`);
    const actionNames = actions.map((a) => `SQS:${a}`);
    policy.Statement.push({
      Sid: label,
      Effect: 'Allow',
      Principal: { AWS: principals.length === 1 ? principals[0] : principals },
      Action: actionNames.length === 1 ? actionNames[0] : actionNames,
      Resource: queue.arn,
    });
    queue.settings.extra.set('Policy', JSON.stringify(policy));
  }

  removePermission(input: RemovePermissionRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    const label = requireString(input.Label, 'Label');
    const policy = this.policyOf(queue);
    const index = policy.Statement.findIndex((s) => s.Sid === label);
    if (index < 0)
      throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: can't find label.`);
    policy.Statement.splice(index, 1);
    if (policy.Statement.length === 0) queue.settings.extra.delete('Policy');
    else queue.settings.extra.set('Policy', JSON.stringify(policy));
  }

  listDeadLetterSourceQueues(input: ListDeadLetterSourceQueuesRequest): ListDeadLetterSourceQueuesResult {
    const queue = this.queueOf(input.QueueUrl);
    const names = [...this.queues.values()]
      .filter((q) => redrivePolicyOf(q)?.deadLetterTargetArn === queue.arn)
      .map((q) => q.name)
      .sort();
    const page = paginate(names, input.MaxResults, input.NextToken);
    const result: ListDeadLetterSourceQueuesResult = {
      queueUrls: page.items.map((n) => (this.queues.get(n) as Queue).url),
    };
    if (page.nextToken) result.NextToken = page.nextToken;
    return result;
  }

  // ===== sending =============================================================================================

  sendMessage(input: SendMessageRequest): SendMessageResult {
    const queue = this.queueOf(input.QueueUrl);
    const now = this.clock.now();
    queue.refresh(now);
    const prepared = this.prepareMessage(queue, input, now, false);
    const result = this.store(queue, prepared, now);
    this.notify(queue);
    return result;
  }

  sendMessageBatch(input: SendMessageBatchRequest): SendMessageBatchResult {
    const queue = this.queueOf(input.QueueUrl);
    const entries = batchEntries<SendMessageBatchRequestEntry>(input.Entries, 'SendMessageBatchRequestEntry');
    let total = 0;
    for (const entry of entries) {
      if (typeof entry.MessageBody === 'string') total += Buffer.byteLength(entry.MessageBody);
      total += attributesSize(entry.MessageAttributes as MessageAttributes | undefined);
    }
    if (total > MAX_BATCH_BYTES) {
      throw new AwsError(
        'AWS.SimpleQueueService.BatchRequestTooLong',
        `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
      );
    }
    const now = this.clock.now();
    queue.refresh(now);
    if (queue.fifo) {
      // AWS: missing FIFO identifiers fail the whole batch, not one entry
      for (const entry of entries) this.fifoIdentifiers(queue, entry, true);
    }
    const result: SendMessageBatchResult = { Successful: [], Failed: [] };
    for (const entry of entries) {
      try {
        const prepared = this.prepareMessage(queue, entry, now, true);
        result.Successful?.push({ Id: entry.Id, ...this.store(queue, prepared, now) } as never);
      } catch (error) {
        result.Failed?.push(failedEntry(entry.Id as string, error));
      }
    }
    this.notify(queue);
    return result;
  }

  // ===== receiving ===========================================================================================

  /** Resolves with the messages; rejects with an AwsError for invalid input (never throws synchronously). */
  receiveMessage(input: ReceiveMessageRequest, options: ReceiveOptions = {}): Promise<ReceiveMessageResult> {
    try {
      return this.startReceive(input, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private startReceive(input: ReceiveMessageRequest, options: ReceiveOptions): Promise<ReceiveMessageResult> {
    const queue = this.queueOf(input.QueueUrl);
    const max = optionalInteger(input.MaxNumberOfMessages, 'MaxNumberOfMessages') ?? 1;
    if (max < 1 || max > 10) {
      throw invalidParameterValue(
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const wait =
      optionalInteger(input.WaitTimeSeconds, 'WaitTimeSeconds') ??
      queue.settings.ReceiveMessageWaitTimeSeconds;
    if (wait < 0 || wait > 20) {
      throw invalidParameterValue(
        `Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      );
    }
    const visibility = optionalInteger(input.VisibilityTimeout, 'VisibilityTimeout');
    if (visibility !== undefined && (visibility < 0 || visibility > MAX_VISIBILITY_TIMEOUT)) {
      throw invalidParameterValue(
        `Value ${visibility} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.`,
      );
    }
    const attemptId = optionalString(input.ReceiveRequestAttemptId, 'ReceiveRequestAttemptId');
    if (attemptId !== undefined) validateFifoToken('ReceiveRequestAttemptId', attemptId);
    const systemNames = [
      ...stringList(input.AttributeNames, 'AttributeNames'),
      ...stringList(input.MessageSystemAttributeNames, 'MessageSystemAttributeNames'),
    ];
    const messageAttributeNames = stringList(input.MessageAttributeNames, 'MessageAttributeNames');
    const shape: ReceiveShape = {
      max,
      visibilityTimeout: visibility ?? queue.settings.VisibilityTimeout,
      systemAttributeNames: systemNames.includes('All')
        ? 'All'
        : systemNames.length > 0
          ? new Set(systemNames)
          : undefined,
      messageAttributeNames: messageAttributeNames.length > 0 ? messageAttributeNames : undefined,
      attemptId: queue.fifo ? attemptId : undefined,
    };
    const first = this.receiveNow(queue, shape);
    if (first.length > 0 || wait === 0) return Promise.resolve(this.receiveResult(queue, first, shape));
    if (options.signal?.aborted) return Promise.resolve({ Messages: [] });
    return this.longPoll(queue, shape, wait, options.signal);
  }

  private longPoll(
    queue: Queue,
    shape: ReceiveShape,
    wait: number,
    signal?: AbortSignal,
  ): Promise<ReceiveMessageResult> {
    return new Promise((resolve) => {
      let list = this.waitLists.get(queue.id);
      if (!list) {
        list = { waiters: [], wakeTimer: undefined };
        this.waitLists.set(queue.id, list);
      }
      const waitList = list;
      let done = false;
      const finish = (messages: StoredMessage[]) => {
        if (done) return;
        done = true;
        this.clock.clearTimer(timeout);
        signal?.removeEventListener('abort', onAbort);
        const i = waitList.waiters.indexOf(waiter);
        if (i >= 0) waitList.waiters.splice(i, 1);
        this.releaseWaitList(queue.id, waitList);
        resolve(this.receiveResult(queue, messages, shape));
      };
      const waiter: Waiter = {
        tryDeliver: () => {
          if (done || !this.queues.has(queue.name)) return false;
          const messages = this.receiveNow(queue, shape);
          if (messages.length === 0) return false;
          finish(messages);
          return true;
        },
        cancel: () => finish([]),
      };
      const onAbort = () => finish([]);
      const timeout = this.clock.setTimer(this.clock.now() + wait * 1000, () => finish([]));
      signal?.addEventListener('abort', onAbort, { once: true });
      waitList.waiters.push(waiter);
      this.scheduleWake(queue, waitList);
    });
  }

  private releaseWaitList(queueId: number, list: WaitList): void {
    if (list.waiters.length > 0) return;
    if (list.wakeTimer) this.clock.clearTimer(list.wakeTimer);
    list.wakeTimer = undefined;
    if (this.waitLists.get(queueId) === list) this.waitLists.delete(queueId);
  }

  /** Hands newly visible messages to waiting receivers, and arms a timer for the next deadline if any wait on. */
  private notify(queue: Queue): void {
    const list = this.waitLists.get(queue.id);
    if (!list) return;
    queue.refresh(this.clock.now());
    while (list.waiters.length > 0 && queue.hasVisible()) {
      const waiter = list.waiters[0];
      if (!waiter.tryDeliver()) break;
    }
    if (this.waitLists.get(queue.id) === list) this.scheduleWake(queue, list);
  }

  private scheduleWake(queue: Queue, list: WaitList): void {
    const next = queue.nextDeadline();
    if (list.waiters.length === 0 || next === undefined) {
      if (list.wakeTimer) this.clock.clearTimer(list.wakeTimer);
      list.wakeTimer = undefined;
      return;
    }
    if (list.wakeTimer && list.wakeTimer.atMs <= next) return;
    if (list.wakeTimer) this.clock.clearTimer(list.wakeTimer);
    list.wakeTimer = this.clock.setTimer(next, () => {
      list.wakeTimer = undefined;
      this.notify(queue);
    });
  }

  private receiveNow(queue: Queue, shape: ReceiveShape): StoredMessage[] {
    const now = this.clock.now();
    if (shape.attemptId !== undefined) {
      const replay = this.replayAttempt(queue, shape, now);
      if (replay) return replay;
    }
    const policy = redrivePolicyOf(queue);
    const redrive = policy
      ? {
          maxReceiveCount: policy.maxReceiveCount,
          sink: (m: StoredMessage) => this.deadLetter(queue, policy.deadLetterTargetArn, m),
        }
      : undefined;
    const messages = queue.receive(shape.max, shape.visibilityTimeout, now, redrive);
    if (shape.attemptId !== undefined && messages.length > 0) {
      let attempts = this.receiveAttempts.get(queue.id);
      if (!attempts) {
        attempts = new Map();
        this.receiveAttempts.set(queue.id, attempts);
      }
      if (attempts.size > 10_000) for (const [k, a] of attempts) if (a.expiresAt <= now) attempts.delete(k);
      attempts.set(shape.attemptId, {
        expiresAt: now + RECEIVE_ATTEMPT_MS,
        messages: messages.map((message) => ({ message, generation: message.receiptGeneration })),
      });
    }
    if (messages.length > 0) this.notifyAfterMove(queue, policy?.deadLetterTargetArn);
    return messages;
  }

  /** AWS: retrying with the same ReceiveRequestAttemptId returns the same messages and handles, if untouched. */
  private replayAttempt(queue: Queue, shape: ReceiveShape, now: number): StoredMessage[] | undefined {
    const attempts = this.receiveAttempts.get(queue.id);
    const attempt = attempts?.get(shape.attemptId as string);
    if (!attempts || !attempt) return undefined;
    attempts.delete(shape.attemptId as string);
    if (attempt.expiresAt <= now) return undefined;
    const untouched = attempt.messages.every(
      ({ message, generation }) =>
        message.state === MessageState.InFlight &&
        message.receiptGeneration === generation &&
        queue.view(message).visibleAt > now,
    );
    if (!untouched) return undefined;
    for (const { message } of attempt.messages) queue.extendVisibility(message, shape.visibilityTimeout, now);
    attempts.set(shape.attemptId as string, attempt);
    return attempt.messages.map((m) => m.message);
  }

  private deadLetter(source: Queue, targetArn: string, message: StoredMessage): boolean {
    const target = this.queueByArn(targetArn);
    if (!target || target === source) return false;
    const now = this.clock.now();
    target.refresh(now);
    target.enqueue({ ...source.toNewMessage(message), deadLetterSourceArn: source.arn }, now);
    if (this.activity?.active) {
      this.activity.emit({
        kind: 'message-dead-lettered',
        queueName: source.name,
        deadLetterQueueName: target.name,
        messageId: source.messageId(message),
        receiveCount: message.receiveCount,
      });
    }
    return true;
  }

  private notifyAfterMove(_queue: Queue, deadLetterArn: string | undefined): void {
    if (deadLetterArn === undefined) return;
    const target = this.queueByArn(deadLetterArn);
    if (target && this.waitLists.has(target.id)) queueMicrotask(() => this.notify(target));
  }

  private receiveResult(queue: Queue, messages: StoredMessage[], shape: ReceiveShape): ReceiveMessageResult {
    this.metrics?.received(queue, messages.length);
    return { Messages: messages.map((m) => this.toMessage(queue, m, shape)) };
  }

  private toMessage(queue: Queue, stored: StoredMessage, shape: ReceiveShape): Message {
    const view = queue.view(stored);
    const extras = view.extras;
    const out: Message = {
      MessageId: view.id,
      ReceiptHandle: encodeReceiptHandle(queue.id, stored.seq, stored.receiptGeneration),
      MD5OfBody: view.md5OfBody,
      Body: view.body,
    };
    const names = shape.systemAttributeNames;
    if (names !== undefined) {
      const all = names === 'All';
      const attributes: Record<string, string> = {};
      const put = (name: string, value: string | undefined) => {
        if (value !== undefined && (all || (names as Set<string>).has(name))) attributes[name] = value;
      };
      put('SenderId', view.senderId);
      put('SentTimestamp', String(view.sentAt));
      put('ApproximateReceiveCount', String(view.receiveCount));
      put('ApproximateFirstReceiveTimestamp', String(view.firstReceivedAt));
      put('AWSTraceHeader', extras?.systemAttributes?.AWSTraceHeader?.StringValue);
      put('SequenceNumber', view.sequenceNumber);
      put('MessageDeduplicationId', extras?.deduplicationId);
      put('MessageGroupId', stored.group?.id ?? extras?.groupId);
      put('DeadLetterQueueSourceArn', extras?.deadLetterSourceArn);
      out.Attributes = attributes;
    }
    const wanted = shape.messageAttributeNames;
    const storedAttributes = extras?.attributes;
    if (wanted !== undefined && storedAttributes !== undefined) {
      const selected = selectAttributes(storedAttributes, wanted);
      out.MessageAttributes = selected;
      const count = Object.keys(selected).length;
      if (count > 0) {
        out.MD5OfMessageAttributes =
          count === Object.keys(storedAttributes).length
            ? extras?.md5OfAttributes
            : md5OfMessageAttributes(selected);
      }
    }
    return out;
  }

  // ===== acknowledging =======================================================================================

  deleteMessage(input: DeleteMessageRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    this.deleteByHandle(queue, requireString(input.ReceiptHandle, 'ReceiptHandle'));
    this.metrics?.deleted(queue);
  }

  deleteMessageBatch(input: DeleteMessageBatchRequest): DeleteMessageBatchResult {
    const queue = this.queueOf(input.QueueUrl);
    const entries = batchEntries<{ Id?: string; ReceiptHandle?: string }>(
      input.Entries,
      'DeleteMessageBatchRequestEntry',
    );
    const result: DeleteMessageBatchResult = { Successful: [], Failed: [] };
    for (const entry of entries) {
      try {
        this.deleteByHandle(queue, requireString(entry.ReceiptHandle, 'ReceiptHandle'));
        this.metrics?.deleted(queue);
        result.Successful?.push({ Id: entry.Id });
      } catch (error) {
        result.Failed?.push(failedEntry(entry.Id as string, error));
      }
    }
    return result;
  }

  changeMessageVisibility(input: ChangeMessageVisibilityRequest): void {
    const queue = this.queueOf(input.QueueUrl);
    const handle = requireString(input.ReceiptHandle, 'ReceiptHandle');
    this.changeVisibilityByHandle(queue, handle, input.VisibilityTimeout);
  }

  changeMessageVisibilityBatch(
    input: ChangeMessageVisibilityBatchRequest,
  ): ChangeMessageVisibilityBatchResult {
    const queue = this.queueOf(input.QueueUrl);
    const entries = batchEntries<{ Id?: string; ReceiptHandle?: string; VisibilityTimeout?: number }>(
      input.Entries,
      'ChangeMessageVisibilityBatchRequestEntry',
    );
    const result: ChangeMessageVisibilityBatchResult = { Successful: [], Failed: [] };
    for (const entry of entries) {
      try {
        this.changeVisibilityByHandle(
          queue,
          requireString(entry.ReceiptHandle, 'ReceiptHandle'),
          entry.VisibilityTimeout,
        );
        result.Successful?.push({ Id: entry.Id });
      } catch (error) {
        result.Failed?.push(failedEntry(entry.Id as string, error));
      }
    }
    return result;
  }

  private deleteByHandle(queue: Queue, handle: string): void {
    const now = this.clock.now();
    const found = this.messageOf(queue, handle);
    if (found === undefined) return; // AWS: deleting an already deleted message succeeds
    queue.refresh(now);
    const message = found.stored;
    if (message.state === MessageState.Gone) return;
    const current = message.state === MessageState.InFlight && message.receiptGeneration === found.generation;
    if (queue.fifo && !current) throw handleExpired(handle);
    // AWS (standard): a handle from an earlier receive "succeeds, but the message might not be deleted"
    if (message.receiptGeneration !== found.generation) return;
    queue.remove(message);
    if (queue.fifo) this.notify(queue); // the group may be unlocked now
  }

  private changeVisibilityByHandle(queue: Queue, handle: string, timeout: unknown): void {
    const seconds = requireInteger(timeout, 'VisibilityTimeout');
    if (seconds < 0 || seconds > MAX_VISIBILITY_TIMEOUT) {
      throw invalidParameterValue(
        `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.`,
      );
    }
    const now = this.clock.now();
    const found = this.messageOf(queue, handle);
    queue.refresh(now);
    const message = found?.stored;
    if (
      message === undefined ||
      message.state === MessageState.Gone ||
      message.receiptGeneration !== found?.generation
    ) {
      throw notInFlight();
    }
    // AWS (standard): a message whose timeout just expired can still be hidden again with its latest handle
    if (message.state !== MessageState.InFlight && (queue.fifo || message.state !== MessageState.Ready)) {
      throw notInFlight();
    }
    // AWS: a message can stay invisible at most 12 hours after the receive that returned this handle
    if (queue.sinceLastReceive(message, now) / 1000 + seconds > MAX_VISIBILITY_TIMEOUT) {
      throw invalidParameterValue(
        `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].`,
      );
    }
    queue.changeVisibility(message, seconds, now);
    this.notify(queue);
  }

  /** Undefined if the handle is well-formed but its message is gone; throws if it is not this queue's handle. */
  private messageOf(queue: Queue, text: string): { stored: StoredMessage; generation: number } | undefined {
    const parts = decodeReceiptHandle(text);
    if (parts === undefined || parts.queueId !== queue.id) {
      throw new AwsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${text}" is not a valid receipt handle.`,
        404,
      );
    }
    const stored = queue.message(parts.seq);
    return stored === undefined ? undefined : { stored, generation: parts.generation };
  }

  // ===== message move tasks ==================================================================================

  startMessageMoveTask(input: StartMessageMoveTaskRequest): StartMessageMoveTaskResult {
    const sourceArn = requireString(input.SourceArn, 'SourceArn');
    const destinationArn = optionalString(input.DestinationArn, 'DestinationArn');
    const rate = optionalInteger(input.MaxNumberOfMessagesPerSecond, 'MaxNumberOfMessagesPerSecond');
    if (rate !== undefined && (rate < 1 || rate > 500)) {
      throw invalidParameterValue(
        `Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.`,
      );
    }
    const source = this.queueByArn(sourceArn);
    if (!source) {
      throw new AwsError(
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
        404,
      );
    }
    if (![...this.queues.values()].some((q) => redrivePolicyOf(q)?.deadLetterTargetArn === source.arn)) {
      throw invalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
    }
    if (destinationArn !== undefined && !this.queueByArn(destinationArn)) {
      throw new AwsError(
        'ResourceNotFoundException',
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
        404,
      );
    }
    if (this.moveTasks.some((t) => t.sourceArn === source.arn && t.status === 'RUNNING')) {
      throw invalidParameterValue(
        'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
      );
    }
    const now = this.clock.now();
    source.refresh(now);
    const task = new MessageMoveTask(
      randomUUID(),
      source.arn,
      destinationArn,
      rate,
      source.visibleCount,
      now,
    );
    this.moveTasks.push(task);
    this.runMoveTask(task);
    return { TaskHandle: task.handle };
  }

  listMessageMoveTasks(input: ListMessageMoveTasksRequest): ListMessageMoveTasksResult {
    const sourceArn = requireString(input.SourceArn, 'SourceArn');
    const max = optionalInteger(input.MaxResults, 'MaxResults') ?? 1;
    if (max < 1 || max > 10) {
      throw invalidParameterValue(
        `Value ${max} for parameter MaxResults is invalid. Reason: Must be between 1 and 10.`,
      );
    }
    if (!this.queueByArn(sourceArn)) {
      throw new AwsError(
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
        404,
      );
    }
    const tasks = this.moveTasks
      .filter((t) => t.sourceArn === sourceArn)
      .reverse()
      .slice(0, max);
    return { Results: tasks.map((t) => t.toResultEntry()) };
  }

  cancelMessageMoveTask(input: CancelMessageMoveTaskRequest): CancelMessageMoveTaskResult {
    const handle = requireString(input.TaskHandle, 'TaskHandle');
    const decoded = MessageMoveTask.decodeHandle(handle);
    if (!decoded) throw invalidParameterValue('Value for parameter TaskHandle is invalid.');
    if (!this.queueByArn(decoded.sourceArn)) {
      throw new AwsError(
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
        404,
      );
    }
    const task = this.moveTasks.find((t) => t.id === decoded.taskId && t.sourceArn === decoded.sourceArn);
    if (!task) throw new AwsError('ResourceNotFoundException', 'Task does not exist.', 404);
    if (task.status !== 'RUNNING') {
      throw invalidParameterValue(
        `Value ${handle} for parameter TaskHandle is invalid. Reason: Task is not running.`,
      );
    }
    task.cancel(this.clock);
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }

  /** Moves one second's worth of messages (all of them without a rate limit), then re-arms on the clock. */
  private runMoveTask(task: MessageMoveTask): void {
    if (task.status !== 'RUNNING') return;
    const source = this.queueByArn(task.sourceArn);
    if (!source) {
      task.fail('AWS.SimpleQueueService.NonExistentQueue');
      return;
    }
    const now = this.clock.now();
    const budget = Math.max(0, task.toMove - task.moved);
    const batch = source.takeVisible(Math.min(budget, task.rate ?? budget), now);
    const touched = new Set<Queue>();
    for (const message of batch) {
      const targetArn = task.destinationArn ?? message.extras?.deadLetterSourceArn;
      const target = targetArn === undefined ? undefined : this.queueByArn(targetArn);
      if (!target) {
        task.fail('AWS.SimpleQueueService.NonExistentQueue');
        return;
      }
      target.refresh(now);
      // AWS: a moved message keeps its id, body and attributes; it arrives as a new message in the target
      // the moved message no longer comes from a dead-letter queue
      target.enqueue({ ...source.toNewMessage(message), deadLetterSourceArn: undefined }, now);
      source.remove(message);
      task.moved++;
      touched.add(target);
    }
    for (const queue of touched) this.notify(queue);
    if (task.moved >= task.toMove || batch.length === 0) {
      task.complete();
      return;
    }
    task.schedule(this.clock, now + 1000, () => this.runMoveTask(task));
  }

  // ===== shared ==============================================================================================

  /** Resolves a queue URL (any host: only the path `/ACCOUNT/NAME` matters). */
  queueOf(url: unknown): Queue {
    const text = requireString(url, 'QueueUrl');
    // every request names its queue by URL: remember the answer (a deleted queue leaves the cache)
    const cached = this.queuesByUrl.get(text);
    if (cached !== undefined) return cached;
    const parts = queueUrlParts(text);
    if (!parts) {
      if (schemeLength(text) > 0 || text.includes('/')) throw queueDoesNotExist();
      throw new AwsError('InvalidAddress', `The address ${text} is not valid for this endpoint.`, 404);
    }
    const name = parts.name.includes('%') ? decodeURIComponentSafe(parts.name) : parts.name;
    const queue = parts.account === this.accountId ? this.queues.get(name) : undefined;
    if (!queue) throw queueDoesNotExist();
    if (this.queuesByUrl.size >= 10_000) this.queuesByUrl.clear();
    this.queuesByUrl.set(text, queue);
    return queue;
  }

  queueByArn(arn: string): Queue | undefined {
    const prefix = `arn:aws:sqs:${this.region}:${this.accountId}:`;
    return typeof arn === 'string' && arn.startsWith(prefix)
      ? this.queues.get(arn.slice(prefix.length))
      : undefined;
  }

  /** Receives currently long-polling, across all queues (for tooling and tests). */
  waitingReceivers(): number {
    let n = 0;
    for (const list of this.waitLists.values()) n += list.waiters.length;
    return n;
  }

  /** Queue names, for tooling and tests. */
  queueNames(): string[] {
    return [...this.queues.keys()];
  }

  /** Reports sends, receives and deletes to `listener` (CloudWatch's AWS/SQS metrics); undefined stops it. */
  observeMetrics(listener: SqsMetricsListener | undefined): void {
    this.metrics = listener;
  }

  /** Every queue, for metrics. */
  allQueues(): IterableIterator<Queue> {
    return this.queues.values();
  }

  /** Cancels long polls and move-task timers (emulator shutdown). */
  close(): void {
    for (const [id, list] of this.waitLists) {
      this.waitLists.delete(id);
      if (list.wakeTimer) this.clock.clearTimer(list.wakeTimer);
      for (const waiter of [...list.waiters]) waiter.cancel();
    }
    for (const task of this.moveTasks) if (task.status === 'RUNNING') task.cancel(this.clock);
  }

  private arnOf(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  private policyOf(queue: Queue): { Version: string; Id: string; Statement: Record<string, unknown>[] } {
    const text = queue.settings.extra.get('Policy');
    if (text) {
      try {
        const parsed = JSON.parse(text);
        if (!Array.isArray(parsed.Statement)) parsed.Statement = parsed.Statement ? [parsed.Statement] : [];
        return parsed;
      } catch {
        // fall through: replace an unparsable policy
      }
    }
    return { Version: '2008-10-17', Id: `${queue.arn}/SQSDefaultPolicy`, Statement: [] };
  }

  private checkRedrive(name: string, fifo: boolean, attributes: Map<string, string>): void {
    const text = attributes.get('RedrivePolicy');
    if (text === undefined || text === '') return;
    const reason = (why: string) =>
      invalidParameterValue(`Value ${text} for parameter RedrivePolicy is invalid. Reason: ${why}`);
    const policy = boundedJsonObject(text) as
      { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown } | undefined;
    if (!policy) throw reason('Redrive policy is not a valid JSON map.');
    const arn = policy.deadLetterTargetArn;
    if (arn === undefined)
      throw reason('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
    if (policy.maxReceiveCount === undefined) {
      throw reason('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
    }
    if (typeof arn !== 'string' || !/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9_.-]+$/.test(arn)) {
      throw reason('Invalid value for deadLetterTargetArn.');
    }
    // AWS takes the count as a number or a numeric string; anything else is simply invalid (never stringified whole)
    const raw = policy.maxReceiveCount;
    const count = typeof raw === 'number' || typeof raw === 'string' ? Number(raw) : Number.NaN;
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      const shown = typeof raw === 'number' || typeof raw === 'string' ? String(raw) : JSON.stringify(raw);
      throw reason(
        `Invalid value for maxReceiveCount: ${shown}, valid values are from 1 to 1000 both inclusive.`,
      );
    }
    const target = this.queueByArn(arn);
    if (!target) throw reason('Dead letter target does not exist.');
    if (target.fifo !== fifo) throw reason('Dead-letter queue must be same type of queue as the source.');
    const allow = target.settings.extra.get('RedriveAllowPolicy');
    if (allow) {
      const parsed = JSON.parse(allow) as { redrivePermission: string; sourceQueueArns?: string[] };
      const sourceArn = this.arnOf(name);
      if (
        parsed.redrivePermission === 'denyAll' ||
        (parsed.redrivePermission === 'byQueue' && !parsed.sourceQueueArns?.includes(sourceArn))
      ) {
        throw reason(
          `Queue ${sourceArn} is not allowed to use ${arn} as a dead-letter queue (RedriveAllowPolicy).`,
        );
      }
    }
    // AWS stores maxReceiveCount as a number
    attributes.set('RedrivePolicy', JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: count }));
  }

  private checkThroughputLimit(extra: Map<string, string>): void {
    if (
      extra.get('FifoThroughputLimit') === 'perMessageGroupId' &&
      extra.get('DeduplicationScope') === 'queue'
    ) {
      throw new AwsError(
        'InvalidAttributeValue',
        'Invalid value for the parameter FifoThroughputLimit. Reason: The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.',
      );
    }
  }

  private fifoIdentifiers(
    queue: Queue,
    entry: SendMessageRequest | SendMessageBatchRequestEntry,
    inBatch: boolean,
  ): { groupId: string; deduplicationId: string } {
    const groupId = optionalString(entry.MessageGroupId, 'MessageGroupId');
    if (groupId === undefined || groupId === '') {
      if (inBatch) throw invalidParameterValue('The request must contain the parameter MessageGroupId.');
      throw missingParameter('MessageGroupId');
    }
    validateFifoToken('MessageGroupId', groupId);
    let deduplicationId = optionalString(entry.MessageDeduplicationId, 'MessageDeduplicationId');
    if (deduplicationId !== undefined) validateFifoToken('MessageDeduplicationId', deduplicationId);
    else if (
      queue.settings.extra.get('ContentBasedDeduplication') === 'true' &&
      typeof entry.MessageBody === 'string'
    ) {
      deduplicationId = sha256Hex(entry.MessageBody);
    } else {
      throw invalidParameterValue(
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
    return { groupId, deduplicationId };
  }

  private prepareMessage(
    queue: Queue,
    entry: SendMessageRequest | SendMessageBatchRequestEntry,
    now: number,
    inBatch: boolean,
  ): { data: NewMessage; deduplicationKey?: string } {
    const body = validateBody(entry.MessageBody);
    const delay = optionalInteger(entry.DelaySeconds, 'DelaySeconds');
    if (delay !== undefined && (delay < 0 || delay > 900)) {
      throw invalidParameterValue(
        `Value ${delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`,
      );
    }
    const attributes = optionalAttributes(entry.MessageAttributes, 'MessageAttributes');
    const systemAttributes = optionalAttributes(entry.MessageSystemAttributes, 'MessageSystemAttributes');
    const size =
      Buffer.byteLength(body) +
      validateMessageAttributes(attributes) +
      validateSystemAttributes(systemAttributes);
    if (size > queue.settings.MaximumMessageSize) {
      throw invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${queue.settings.MaximumMessageSize} bytes.`,
      );
    }
    const data: NewMessage = {
      body,
      md5OfBody: md5Hex(body),
      senderId: this.accountId,
      sentAt: now,
      delaySeconds: delay ?? queue.settings.DelaySeconds,
    };
    if (attributes !== undefined && Object.keys(attributes).length > 0) {
      data.attributes = attributes;
      data.md5OfAttributes = md5OfMessageAttributes(attributes);
    }
    if (systemAttributes !== undefined && Object.keys(systemAttributes).length > 0) {
      data.systemAttributes = systemAttributes;
      data.md5OfSystemAttributes = md5OfMessageAttributes(systemAttributes);
    }
    if (!queue.fifo) {
      if (entry.MessageDeduplicationId !== undefined && entry.MessageDeduplicationId !== null) {
        throw invalidParameterValue(
          `Value ${String(entry.MessageDeduplicationId)} for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.`,
        );
      }
      const groupId = optionalString(entry.MessageGroupId, 'MessageGroupId');
      if (groupId !== undefined) {
        validateFifoToken('MessageGroupId', groupId);
        data.groupId = groupId; // AWS: standard queues accept a group id (fair queues)
      }
      return { data };
    }
    if (delay !== undefined && delay !== 0) {
      throw invalidParameterValue(
        `Value ${delay} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    }
    const ids = this.fifoIdentifiers(queue, entry, inBatch);
    data.groupId = ids.groupId;
    data.deduplicationId = ids.deduplicationId;
    const scopeIsGroup = queue.settings.extra.get('DeduplicationScope') === 'messageGroup';
    return {
      data,
      deduplicationKey: scopeIsGroup ? `${ids.groupId}\u0000${ids.deduplicationId}` : ids.deduplicationId,
    };
  }

  private store(
    queue: Queue,
    prepared: { data: NewMessage; deduplicationKey?: string },
    now: number,
  ): SendMessageResult {
    const { data, deduplicationKey } = prepared;
    const result: SendMessageResult = { MD5OfMessageBody: data.md5OfBody };
    if (data.md5OfAttributes !== undefined) result.MD5OfMessageAttributes = data.md5OfAttributes;
    if (data.md5OfSystemAttributes !== undefined)
      result.MD5OfMessageSystemAttributes = data.md5OfSystemAttributes;
    if (deduplicationKey !== undefined) {
      const duplicate = queue.findDuplicate(deduplicationKey, now);
      if (duplicate) {
        // AWS: a duplicate is accepted but not delivered again; the reply names the original message
        result.MessageId = duplicate.messageId;
        if (duplicate.sequenceNumber !== undefined) result.SequenceNumber = duplicate.sequenceNumber;
        return result;
      }
    }
    const stored = queue.enqueue(data, now, deduplicationKey);
    this.metrics?.sent(queue, Buffer.byteLength(data.body) + attributesSize(data.attributes));
    result.MessageId = queue.messageId(stored);
    if (this.activity?.active) {
      this.activity.emit({ kind: 'message-sent', queueName: queue.name, messageId: result.MessageId });
    }
    if (stored.group !== undefined) result.SequenceNumber = queue.view(stored).sequenceNumber;
    return result;
  }
}

// ===== helpers ===============================================================================================

function queueDoesNotExist(): AwsError {
  return new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
}

function handleExpired(handle: string): AwsError {
  return invalidParameterValue(
    `Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
  );
}

function notInFlight(): AwsError {
  return new AwsError(
    'AWS.SimpleQueueService.MessageNotInflight',
    'Message does not exist or is not available for visibility timeout change.',
  );
}

function redrivePolicyOf(queue: Queue): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
  const text = queue.settings.extra.get('RedrivePolicy');
  if (!text) return undefined;
  return JSON.parse(text);
}

export function validateQueueName(name: string, fifo: boolean): void {
  if (fifo) {
    if (!name.endsWith('.fifo') || !QUEUE_NAME.test(`${name.slice(0, -5)}_fifo`)) {
      throw invalidParameterValue(
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
      );
    }
    return;
  }
  if (!QUEUE_NAME.test(name)) {
    throw invalidParameterValue(
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
}

function validateTags(tags: Record<string, string>, queueName: string, existing: number): void {
  const keys = Object.keys(tags);
  if (existing + keys.length > 50) throw invalidParameterValue(`Too many tags added for queue ${queueName}.`);
  for (const key of keys) {
    if (key.length < 1 || key.length > 128) {
      throw invalidParameterValue(`Tag keys must be between 1 and 128 characters in length.`);
    }
    if (tags[key].length > 256)
      throw invalidParameterValue(`Tag values may not exceed 256 characters in length.`);
  }
}

function failedEntry(
  id: string,
  error: unknown,
): { Id: string; SenderFault: boolean; Code: string; Message: string } {
  if (error instanceof AwsError) {
    return { Id: id, SenderFault: error.fault === 'Sender', Code: error.code, Message: error.message };
  }
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: 'We encountered an internal error.' };
}

function batchEntries<T extends { Id?: string }>(entries: unknown, entryName: string): T[] {
  if (entries === undefined || entries === null || (Array.isArray(entries) && entries.length === 0)) {
    throw new AwsError(
      'AWS.SimpleQueueService.EmptyBatchRequest',
      `There should be at least one ${entryName} in the request.`,
    );
  }
  if (!Array.isArray(entries) || entries.some((e) => e === null || typeof e !== 'object')) {
    throw invalidParameterValue(`Value for parameter Entries is invalid.`);
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new AwsError(
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const entry of entries as T[]) {
    const id = entry.Id;
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) {
      throw new AwsError(
        'AWS.SimpleQueueService.InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(id))
      throw new AwsError('AWS.SimpleQueueService.BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  return entries as T[];
}

function attributesSize(attributes: MessageAttributes | undefined): number {
  if (!attributes || typeof attributes !== 'object') return 0;
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name);
    if (value && typeof value === 'object') {
      if (typeof value.DataType === 'string') size += Buffer.byteLength(value.DataType);
      if (typeof value.StringValue === 'string') size += Buffer.byteLength(value.StringValue);
      if (value.BinaryValue instanceof Uint8Array) size += value.BinaryValue.length;
    }
  }
  return size;
}

function selectAttributes(attributes: MessageAttributes, wanted: string[]): MessageAttributes {
  if (wanted.includes('All') || wanted.includes('.*')) return attributes;
  const out: MessageAttributes = {};
  for (const name of Object.keys(attributes)) {
    for (const pattern of wanted) {
      if (pattern === name || (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -2)))) {
        out[name] = attributes[name];
        break;
      }
    }
  }
  return out;
}

function paginate(
  names: string[],
  maxResults: unknown,
  nextToken: unknown,
): { items: string[]; nextToken?: string } {
  const max = optionalInteger(maxResults, 'MaxResults');
  if (max !== undefined && (max < 1 || max > 1000)) {
    throw invalidParameterValue(
      `Value ${max} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.`,
    );
  }
  let start = 0;
  const token = optionalString(nextToken, 'NextToken');
  if (token !== undefined && token !== '') {
    let after: unknown;
    try {
      after = JSON.parse(Buffer.from(token, 'base64').toString('utf8')).after;
    } catch {
      after = undefined;
    }
    if (typeof after !== 'string') throw invalidParameterValue('Invalid NextToken value.');
    start = names.findIndex((n) => n > after);
    if (start < 0) start = names.length;
  }
  const limit = max ?? 1000;
  const items = names.slice(start, start + limit);
  const more = max !== undefined && start + limit < names.length;
  return more
    ? { items, nextToken: Buffer.from(JSON.stringify({ after: items[items.length - 1] })).toString('base64') }
    : { items };
}

/**
 * Splits `[scheme://authority]/ACCOUNT/NAME[/]` into account and name with string searches: a backtracking regular
 * expression took 26 seconds on a 160,000-character `a://aaaa…`. The name stops at `?` and `#` (no match then).
 */
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

// Type guards for input that may come from the wire: wrong types are the caller's fault, never a crash.

function requireString(value: unknown, name: string): string {
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  if (typeof value !== 'string') throw invalidParameterValue(`Value for parameter ${name} is invalid.`);
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameterValue(`Value for parameter ${name} is invalid.`);
  return value;
}

function requireInteger(value: unknown, name: string): number {
  const n = optionalInteger(value, name);
  if (n === undefined) throw missingParameter(name);
  return n;
}

function optionalInteger(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalidParameterValue(
      `Value ${String(value)} for parameter ${name} is invalid. Reason: Must be an integer.`,
    );
  }
  return value;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalidParameterValue(`Value for parameter ${name} is invalid.`);
  }
  return value;
}

function stringMap(value: unknown, name: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (
    typeof value !== 'object' ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== 'string')
  ) {
    throw invalidParameterValue(`Value for parameter ${name} is invalid.`);
  }
  return value as Record<string, string>;
}

function optionalAttributes(value: unknown, name: string): MessageAttributes | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParameterValue(`Value for parameter ${name} is invalid.`);
  }
  return value as MessageAttributes;
}
